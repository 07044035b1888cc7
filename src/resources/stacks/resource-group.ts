/**
 * Heat's OS::Heat::ResourceGroup: `count` identical resources in a stack of their own. The group only
 * says what its child template is (members named '0', '1', …, one output per attribute the parent
 * reads); the engine runs the child as a child workflow and reads the group's attributes from its outputs.
 *
 * Names removed by a removal policy are never given to a member again. Heat keeps them in the group's
 * resource data; here they travel as the child's output `removed_rsrc_list`, which the engine hands back
 * on the next update (`req.outputs`), with `refs_map`, which turns a removal policy's refs into names.
 * A group with parts (see PART_SIZE) hands back its member names as runs instead: a refs_map of every
 * member would make its stack's state grow with the count.
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
/** A group with parts: its member names, as runs; a name no attribute can have. */
const MEMBER_RUNS = 'stoke:members';

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
 * How many members one workflow holds itself. A group of more is a tree: members 0 to PART_SIZE-1 stay in the
 * group's own stack; the others go into parts (stacks of their own, type GroupPart) by index: parts of
 * PART_SIZE members up to PART_SIZE × PART_FANOUT, then parts of PART_FANOUT such parts, and so on, each
 * level of the group's own stack holding at most PART_FANOUT - 1 parts. A member's place follows from its
 * index alone, so growing or shrinking a group never moves a member.
 *
 * A workflow's history holds what its children's starts and results carry: a part of members brings its
 * plan and its state (about 1 kB a member, read and passed on), a part of parts a few kB. So no stack holds
 * more than PART_FANOUT parts of members, and no history, event or payload grows with the group's count.
 */
export const PART_SIZE = 500;
const PART_FANOUT = 8;
/** How many of a stack's parts run at once. */
const PART_LANES = 3;
/** The type of a part; HIDDEN, made only by a group. */
export const GROUP_PART = 'OS::Stoke::GroupPart';

/** A range of member indexes [first, first + width) held by one part. */
interface Part {
  readonly first: number;
  readonly width: number;
  readonly members: string[];
}

const partName = (part: Pick<Part, 'first' | 'width'>) => `members-${part.first}-${part.first + part.width - 1}`;

/**
 * The members a stack holds itself and the parts it holds the others in. `within` is the range of a part;
 * without it, the group's own stack, whose members below PART_SIZE stay direct and whose others go into
 * parts as wide as their index needs (PART_SIZE, PART_SIZE × PART_FANOUT, …).
 */
export function layout(members: readonly string[], within?: Pick<Part, 'first' | 'width'>): { direct: string[]; parts: Part[] } {
  const direct: string[] = [];
  const parts = new Map<string, Part>();
  for (const member of members) {
    const index = Number(member);
    let width: number;
    let first: number;
    if (within) {
      if (within.width <= PART_SIZE) {
        direct.push(member);
        continue;
      }
      width = within.width / PART_FANOUT;
      first = within.first + Math.floor((index - within.first) / width) * width;
    } else {
      if (!(index >= PART_SIZE)) {
        direct.push(member);
        continue;
      }
      for (width = PART_SIZE; index >= width * PART_FANOUT; width *= PART_FANOUT);
      first = Math.floor(index / width) * width;
    }
    const key = partName({ first, width });
    const part = parts.get(key) ?? { first, width, members: [] };
    part.members.push(member);
    parts.set(key, part);
  }
  return { direct, parts: [...parts.values()].sort((a, b) => a.first - b.first) };
}

/** Member names as runs (`0-499,501`): a part's property stays small however many members it has. */
export function toRuns(members: readonly string[]): string {
  const indexes = members.map(Number).sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < indexes.length; i++) {
    const start = indexes[i]!;
    while (indexes[i + 1] === indexes[i]! + 1) i++;
    runs.push(start === indexes[i] ? String(start) : `${start}-${indexes[i]}`);
  }
  return runs.join(',');
}

export function fromRuns(runs: string): string[] {
  return runs.split(',').filter(Boolean).flatMap((run) => {
    const [start, end = start] = run.split('-').map(Number) as [number, number?];
    return Array.from({ length: end! - start + 1 }, (_, i) => String(start + i));
  });
}

/**
 * The output that gives the parent one attribute, under the attribute's own name. `attributes` is read
 * with a path (`get_attr: [group, attributes, ip]`) that the parent follows into the value, so its output
 * maps each attribute named by an `attributes.<attr>` entry of the request to the members' values. A part's
 * share is read from its output of the same name and joined with the direct members' in index order.
 */
function outputFor(attribute: string, shape: { direct: string[]; parts: Part[] }, removed: readonly string[], wanted: readonly string[]): Json {
  const { direct, parts } = shape;
  const each = (value: (member: string) => Json) => Object.fromEntries(direct.map((member) => [member, value(member)]));
  const fromParts = (...path: string[]) => parts.map((part) => ({ get_attr: [partName(part), ...path] }));
  const list = (own: Json[], ...path: string[]): Json => (parts.length === 0 ? own : { list_concat: [own, ...fromParts(...path)] });
  const map = (own: JsonObject, ...path: string[]): Json => (parts.length === 0 ? own : { map_merge: [own, ...fromParts(...path)] });
  if (attribute === REFS) return list(direct.map((member) => ({ get_resource: member })), REFS);
  if (attribute === REFS_MAP) return map(each((member) => ({ get_resource: member })), REFS_MAP);
  if (attribute === REMOVED) return [...removed];
  if (attribute === MEMBER_RUNS) return toRuns([...direct, ...parts.flatMap((part) => part.members)]);
  if (attribute === ATTRIBUTES) {
    const named = wanted.filter((name) => name.startsWith(`${ATTRIBUTES}.`)).map((name) => name.slice(ATTRIBUTES.length + 1));
    return Object.fromEntries(named.map((name) => [name, map(each((member) => ({ get_attr: [member, name] })), ATTRIBUTES, name)]));
  }
  const one = MEMBER.exec(attribute);
  if (one) {
    const [, member, name] = one;
    if (direct.includes(member!)) return name === undefined ? { get_resource: member! } : { get_attr: [member!, name] };
    const part = parts.find((p) => p.members.includes(member!));
    return part ? { get_attr: [partName(part), attribute] } : null;
  }
  return list(direct.map((member) => ({ get_attr: [member, attribute] })), attribute);
}

/**
 * The stack holding `members` (the group's own, or a part's), with the outputs `wanted`. The group's own
 * always has those its next update needs (see the top of this file); `removed` is undefined for a part.
 */
function membersStack(properties: JsonObject, members: readonly string[], wanted: readonly string[], removed: readonly string[] | undefined,
  within?: Pick<Part, 'first' | 'width'>): NestedChild {
  const shape = layout(members, within);
  const always = !removed ? [] : shape.parts.length > 0 ? [MEMBER_RUNS, REMOVED] : [REFS_MAP, REMOVED];
  // `attributes.<attr>` entries only say what `attributes` holds: the parent reads no attribute of that name.
  const read = wanted.filter((name) => !name.startsWith(`${ATTRIBUTES}.`));
  const outputs: JsonObject = {};
  for (const name of [...new Set([...read, ...always])]) outputs[name] = { value: outputFor(name, shape, removed ?? [], wanted) };
  const resources: JsonObject = {};
  shape.parts.forEach((part, i) => {
    resources[partName(part)] = {
      type: GROUP_PART,
      // Lanes: each part waits for the one PART_LANES before it. Every running part works on up to MAX_PARALLEL
      // members at once, all on one worker; twenty at once starved each other's workflow tasks into time-outs,
      // each losing its work (10,000 resources: 68 s in one run, 21 s in the next; in three lanes 20.5-21.3 s).
      ...(i >= PART_LANES ? { depends_on: [partName(shape.parts[i - PART_LANES]!)] } : {}),
      properties: {
        resource_def: properties.resource_def ?? {},
        ...(typeof properties.index_var === 'string' ? { index_var: properties.index_var } : {}),
        first: part.first, width: part.width, members: toRuns(part.members),
      },
    };
  });
  for (const name of shape.direct) resources[name] = memberDefinition(properties, name);
  return {
    // list_concat, which joins the parts' lists, came with 2017-09-01; a group without parts keeps the version it always had.
    template: { heat_template_version: shape.parts.length > 0 ? '2017-09-01' : TEMPLATE_VERSION, resources, outputs },
    parameters: {},
    attributes: Object.fromEntries(read.map((name) => [name, name])),
  };
}

/** Every member the group has now: the direct ones, and those in parts, which its outputs list. */
function currentMembers(req: Pick<NestedChildRequest, 'current' | 'outputs'>): string[] | undefined {
  if (!req.current) return undefined;
  const mapped = isObject(req.outputs?.[REFS_MAP]) ? Object.keys(req.outputs[REFS_MAP] as JsonObject) : [];
  const runs = typeof req.outputs?.[MEMBER_RUNS] === 'string' ? fromRuns(req.outputs[MEMBER_RUNS] as string) : [];
  return [...new Set([...req.current.filter((name) => /^\d+$/.test(name)), ...mapped, ...runs])];
}

function child(req: NestedChildRequest): NestedChild {
  const count = typeof req.properties.count === 'number' ? req.properties.count : 1;
  const current = currentMembers(req);
  const removed = removedNames({ ...req, ...(current ? { current } : {}) });
  const members = memberNames(count, current ?? [], removed);
  return membersStack(req.properties, members, req.attributes, removed);
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

/**
 * A part of a large group: the members whose indexes fall in [first, first + width), as a stack of their own
 * (see PART_SIZE). Its properties come from the group; the attributes it gives are the ones the group's stack reads.
 */
export const groupPart: ResourceType = {
  name: GROUP_PART,
  description: 'Part of an OS::Heat::ResourceGroup of more than 500 members: the members in one range of indexes, as a stack of their own.',
  supportStatus: { status: 'HIDDEN', message: 'Made only by OS::Heat::ResourceGroup.' },
  runs: { where: 'stack', copies: true },
  properties: {
    resource_def: resourceGroup.properties.resource_def!,
    index_var: resourceGroup.properties.index_var!,
    first: { type: 'integer', required: true, range: { min: 0 }, description: 'The first index of the range.' },
    width: { type: 'integer', required: true, range: { min: 1 }, description: 'How many indexes the range spans.' },
    members: { type: 'string', required: true, updateAllowed: true, description: 'The members in the range, as runs of indexes (0-499,501).' },
  },
  attributes: resourceGroup.attributes,
  dynamicAttributes: true,
  nested: {
    shareOfParent: true,
    child: (req) => {
      const { first, width } = req.properties as { first: number; width: number };
      return membersStack(req.properties, fromRuns(String(req.properties.members ?? '')), req.attributes, undefined, { first, width });
    },
  },
};
