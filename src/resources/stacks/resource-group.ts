/**
 * Heat's OS::Heat::ResourceGroup: `count` identical resources in a stack of their own. The group only
 * says what its child template is (members named '0', '1', …, one output per attribute the parent
 * reads); the engine runs the child as a child workflow and reads the group's attributes from its outputs.
 *
 * Names removed by a removal policy are never given to a member again. Heat keeps them in the group's
 * resource data; here they travel as the child's output `removed_rsrc_list`, which the engine hands back
 * on the next update (`req.outputs`), with `refs_map`, which turns a removal policy's refs into names.
 */
import { isDeferred } from '../../template/functions';
import { isObject } from '../../template/parse';
import type { Json, JsonObject } from '../../template/types';
import type { NestedChild, NestedChildRequest, ResourceType } from '../plugin';

const TEMPLATE_VERSION = '2016-10-14';
const REFS = 'refs';
const REFS_MAP = 'refs_map';
const REMOVED = 'removed_rsrc_list';
const ATTRIBUTES = 'attributes';
const MEMBER = /^resource\.([^.]+)(?:\.(.+))?$/;

const byIndex = new Intl.Collator('en', { numeric: true }).compare;

/** Heat's index_var substitution: in every string value of the properties, however deep; keys stay as they are. */
function replaceIndex(value: Json, indexVar: string, name: string): Json {
  if (typeof value === 'string') return value.split(indexVar).join(name);
  if (Array.isArray(value)) return value.map((item) => replaceIndex(item, indexVar, name));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceIndex(v, indexVar, name)]));
  return value;
}

/** Every entry of every policy's resource_list, as text (Heat tolerates numbers). */
function policyEntries(properties: JsonObject): string[] {
  const policies = Array.isArray(properties.removal_policies) ? properties.removal_policies : [];
  return policies.flatMap((policy) => (isObject(policy) && Array.isArray(policy.resource_list) ? policy.resource_list : []))
    .filter((entry) => entry !== null && typeof entry !== 'object')
    .map(String);
}

/**
 * The names removed for good after this change, sorted as Heat stores them. Before the group exists every
 * policy entry is taken as a name; afterwards an entry counts when it names a member, a name removed
 * before, or a member's ref (through the previous `refs_map`), and is ignored otherwise, as in Heat.
 * Mode `update` starts again from the policies; `append` adds to what was removed before.
 */
export function removedNames(req: Pick<NestedChildRequest, 'properties' | 'current' | 'outputs'>): string[] {
  const before = Array.isArray(req.outputs?.[REMOVED]) ? (req.outputs[REMOVED] as Json[]).map(String) : [];
  const refs = isObject(req.outputs?.[REFS_MAP]) ? (req.outputs[REFS_MAP] as JsonObject) : {};
  const current = new Set(req.current ?? []);
  const entries = policyEntries(req.properties).flatMap((entry): string[] => {
    if (!req.current || current.has(entry) || before.includes(entry)) return [entry];
    return Object.entries(refs).filter(([, ref]) => ref === entry).map(([name]) => name).slice(0, 1);
  });
  const kept = req.properties.removal_policies_mode === 'update' ? [] : before;
  return [...new Set([...kept, ...entries])].sort();
}

/**
 * The members after this change: those the group has now and keeps, the highest indexes going first when
 * `count` shrinks, then the lowest indexes neither in use nor removed. Heat renumbers from 0 instead, which
 * gives the same names unless `removal_policies_mode: update` let a removed name free: then stoke keeps
 * the members it has rather than replace a high one by the freed low one.
 */
export function memberNames(count: number, current: readonly string[], removed: readonly string[]): string[] {
  const taken = new Set([...current, ...removed]);
  const kept = current.filter((name) => !removed.includes(name)).sort(byIndex).slice(0, count);
  const added: string[] = [];
  for (let index = 0; kept.length + added.length < count; index++) {
    if (!taken.has(String(index))) added.push(String(index));
  }
  return [...kept, ...added].sort(byIndex);
}

/** A member's definition, as Heat's build_resource_definition: null properties dropped, index_var replaced. */
function memberDefinition(properties: JsonObject, name: string): JsonObject {
  const definition = isObject(properties.resource_def) ? properties.resource_def : {};
  const own = isObject(definition.properties) ? definition.properties : {};
  const set = Object.fromEntries(Object.entries(own).filter(([, value]) => value !== null));
  const indexVar = typeof properties.index_var === 'string' ? properties.index_var : '%index%';
  return {
    type: definition.type ?? null,
    properties: replaceIndex(set, indexVar, name),
    ...(isObject(definition.metadata) ? { metadata: definition.metadata } : {}),
  };
}

/**
 * The output that gives the parent one attribute, under the attribute's own name. `attributes` is read
 * with a path (`get_attr: [group, attributes, ip]`) that the parent follows into the value, so its output
 * maps each attribute named by an `attributes.<attr>` entry of the request to the members' values.
 */
function outputFor(attribute: string, members: readonly string[], removed: readonly string[], wanted: readonly string[]): Json {
  const each = (value: (member: string) => Json) => Object.fromEntries(members.map((member) => [member, value(member)]));
  if (attribute === REFS) return members.map((member) => ({ get_resource: member }));
  if (attribute === REFS_MAP) return each((member) => ({ get_resource: member }));
  if (attribute === REMOVED) return [...removed];
  if (attribute === ATTRIBUTES) {
    const named = wanted.filter((name) => name.startsWith(`${ATTRIBUTES}.`)).map((name) => name.slice(ATTRIBUTES.length + 1));
    return Object.fromEntries(named.map((name) => [name, each((member) => ({ get_attr: [member, name] }))]));
  }
  const one = MEMBER.exec(attribute);
  if (one) {
    const [, member, name] = one;
    if (!members.includes(member!)) return null;
    return name === undefined ? { get_resource: member! } : { get_attr: [member!, name] };
  }
  return members.map((member) => ({ get_attr: [member, attribute] }));
}

function child(req: NestedChildRequest): NestedChild {
  const count = typeof req.properties.count === 'number' ? req.properties.count : 1;
  const removed = removedNames(req);
  const members = memberNames(count, req.current ?? [], removed);
  // `attributes.<attr>` entries only say what `attributes` holds: the parent reads no attribute of that name.
  const read = req.attributes.filter((name) => !name.startsWith(`${ATTRIBUTES}.`));
  const outputs: JsonObject = {};
  // Always there, whatever the parent reads: the next update needs them (see the top of this file).
  for (const name of [...read, REFS_MAP, REMOVED]) {
    outputs[name] = { value: outputFor(name, members, removed, req.attributes) };
  }
  return {
    template: {
      heat_template_version: TEMPLATE_VERSION,
      resources: Object.fromEntries(members.map((name) => [name, memberDefinition(req.properties, name)])),
      outputs,
    },
    parameters: {},
    attributes: Object.fromEntries(read.map((name) => [name, name])),
  };
}

export const resourceGroup: ResourceType = {
  name: 'OS::Heat::ResourceGroup',
  description:
    'Creates one or more identically configured resources, as a stack of their own. Attributes of the members ' +
    'are read as lists (`get_attr: [group, attr]`), one member by `resource.N` (its ref) or `resource.N.attr`.',
  supportStatus: { status: 'SUPPORTED', version: '2014.1' },
  runs: { where: 'stack', copies: true },
  properties: {
    count: { type: 'integer', default: 1, range: { min: 0 }, updateAllowed: true, description: 'The number of resources to create.' },
    index_var: {
      type: 'string',
      default: '%index%',
      constraints: [{ length: { min: 3 } }],
      since: '2014.2',
      description:
        'A variable that this resource will use to replace with the current index of a given resource in the group. ' +
        'Can be used, for example, to customize the name property of grouped servers in order to differentiate them.',
    },
    resource_def: {
      type: 'map',
      required: true,
      updateAllowed: true,
      description: 'Resource definition for the resources in the group, just as if it had been declared in the template itself.',
      keys: {
        type: { type: 'string', required: true, description: 'The type of the resources in the group.' },
        properties: { type: 'map', description: 'Property values for the resources in the group.' },
        metadata: { type: 'map', since: '5.0.0', description: 'Supplied metadata for the resources in the group.' },
      },
    },
    removal_policies: {
      type: 'list',
      default: [],
      updateAllowed: true,
      since: '2015.1',
      description: 'Policies for removal of resources on update.',
      items: {
        type: 'map',
        description: 'Policy to be processed when doing an update which requires removal of specific resources.',
        keys: {
          resource_list: {
            type: 'list',
            default: [],
            description:
              'Resources to remove on update, each named by its name in the group or by its ref (as the refs ' +
              'attribute gives it). Destructive even when count is not reduced; a removed name is never reused.',
          },
        },
      },
    },
    removal_policies_mode: {
      type: 'string',
      default: 'append',
      allowedValues: ['append', 'update'],
      updateAllowed: true,
      since: '10.0.0',
      description: 'How to handle changes to removal_policies on update: "append" adds to the names removed so far, "update" replaces them.',
    },
  },
  attributes: {
    [REFS]: { type: 'list', description: 'A list of resource IDs for the resources in the group.' },
    [REFS_MAP]: { type: 'map', description: 'A map of resource names to IDs for the resources in the group.' },
    [ATTRIBUTES]: { type: 'map', description: 'A map of resource names to the specified attribute of each individual resource.' },
    [REMOVED]: { type: 'list', description: 'A list of removed resource names.' },
  },
  dynamicAttributes: true,
  nested: {
    // As Heat's validate_nested_stack: one member is planned with the parent, so resource_def's errors show before anything runs.
    // A definition still waiting for other resources is checked when the group is made.
    source: (properties) => (isObject(properties.resource_def) && !isDeferred(properties.resource_def)
      ? { template: child({ stack: '', resource: '', properties: { ...properties, count: 1 }, attributes: [] }).template } : undefined),
    child,
  },
};
