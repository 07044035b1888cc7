/**
 * The one list of resource types stoke knows, by the name templates use: the validator, the planner,
 * `stoke resource type list/show` and the activities' dispatcher read it. A new type is its family's
 * module plus one line here.
 */
import { CREDENTIAL_TYPES } from './credentials';
import { DOCKER_TYPES } from './docker';
import { HEAT_TYPES } from './heat';
import { NETWORK_TYPES } from './networks';
import type { ResourceType, RunProfile } from './plugin';
import { RECORDED_TYPES } from './recorded';
import { SERVER_TYPES } from './servers';
import { STACK_TYPES } from './stacks';
import { VOLUME_TYPES } from './volumes';
import { WAIT_CONDITION_TYPES } from './wait-condition';
import { ZUN_TYPES } from './zun';

export const RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = Object.fromEntries([
  ...DOCKER_TYPES,
  ...HEAT_TYPES,
  ...WAIT_CONDITION_TYPES,
  ...SERVER_TYPES,
  ...NETWORK_TYPES,
  ...STACK_TYPES,
  ...CREDENTIAL_TYPES,
  ...VOLUME_TYPES,
  ...ZUN_TYPES,
  ...RECORDED_TYPES,
].map((type) => [type.name, type]));

/** The type templates call `name`, if stoke has it. */
export function resourceType(name: string): ResourceType | undefined {
  return Object.hasOwn(RESOURCE_TYPES, name) ? RESOURCE_TYPES[name] : undefined;
}

/**
 * A request for an alias type in the names of the type it stands for: properties renamed, and the
 * attributes wanted with a function that renames computed attributes back.
 */
export function unalias(type: string, properties: Readonly<Record<string, unknown>>, attributes: readonly string[]) {
  const alias = resourceType(type)?.aliasOf;
  if (!alias) return undefined;
  const back = Object.fromEntries(Object.entries(alias.attributes).map(([legacy, current]) => [current, legacy]));
  return {
    type: alias.of,
    properties: Object.fromEntries(Object.entries(properties).map(([name, value]) => [alias.properties[name] ?? name, value])),
    attributes: attributes.map((name) => alias.attributes[name] ?? name),
    renameBack: <T>(computed: Readonly<Record<string, T>>): Record<string, T> =>
      Object.fromEntries(Object.entries(computed).map(([name, value]) => [back[name] ?? name, value])),
  };
}

/**
 * The properties whose schema has `flag`, in the names `name` uses (an alias's own): the workflow compares
 * the template's properties and cannot read the registry. A flag that names keys of a list's items gives
 * `property.key` for each.
 */
function flagged(name: string, implementation: ResourceType, flag: 'updateAllowed' | 'exclusive'): string[] {
  const renamed = resourceType(name)?.aliasOf?.properties ?? {};
  const legacy = Object.fromEntries(Object.entries(renamed).map(([old, current]) => [current, old]));
  return Object.entries(implementation.properties).flatMap(([property, schema]) => {
    const marked = schema[flag];
    const own = legacy[property] ?? property;
    if (!marked) return [];
    return marked === true ? [own] : marked.map((key) => `${own}.${key}`);
  }).sort();
}

/** Whether a resource of type `name` can take over an existing object (its handler has an adopt hook): what external_id needs. */
export function canAdopt(name: string): boolean {
  const { handler, runs } = implementationOf(name);
  return runs.where !== 'stack' && resourceType(handler)?.handler?.adopt !== undefined;
}

/**
 * The type whose handler runs a resource of type `name`, and how the engine runs it: what the plan records,
 * with what a stack update needs of the schema (what updates in place, what two copies cannot share).
 */
export function implementationOf(name: string): { handler: string; runs: RunProfile } {
  const handler = resourceType(name)?.aliasOf?.of ?? name;
  const implementation = resourceType(handler);
  const runs = implementation?.runs ?? { where: 'activity' };
  if (!implementation) return { handler, runs };
  const exclusive = runs.copies ? flagged(name, implementation, 'exclusive') : [];
  return {
    handler,
    runs: {
      ...runs,
      ...(implementation.handler?.update ? { updatable: flagged(name, implementation, 'updateAllowed') } : {}),
      ...(exclusive.length > 0 ? { exclusive } : {}),
    },
  };
}
