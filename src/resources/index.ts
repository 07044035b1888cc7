import { dockerContainer, legacyDocker } from './docker-container';
import { none, randomString } from './heat';
import { testResource } from './heat/test-resource';
import { NETWORK_TYPES } from './networks';
import { SERVER_TYPES } from './servers';
import type { ResourceTypeSchema } from './schema';
import type { RunProfile } from '../template/types';
import { cfnWaitCondition, cfnWaitConditionHandle, heatWaitCondition, heatWaitConditionHandle } from './wait-condition';

export type { ResourceTypeSchema, PropertySchema, PropertyConstraint, AttributeSchema, PropertyType, TypeAlias } from './schema';
export { constraintsOf } from './schema';

/** Every resource type stoke knows, by the name templates use. */
export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSchema>> = Object.fromEntries(
  [dockerContainer, legacyDocker, randomString, none, testResource, cfnWaitConditionHandle, cfnWaitCondition, heatWaitConditionHandle, heatWaitCondition, ...SERVER_TYPES, ...NETWORK_TYPES]
    .map((schema) => [schema.name, schema])
);

/**
 * A request for an alias type in the names of the type it stands for: properties renamed, and the
 * attributes wanted with a function that renames computed attributes back.
 */
export function unalias(type: string, properties: Readonly<Record<string, unknown>>, attributes: readonly string[]) {
  const alias = RESOURCE_TYPES[type]?.aliasOf;
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

/** The type whose handler runs a resource of type `name`, and how the engine runs it: what the plan records. */
export function implementationOf(name: string): { handler: string; runs: RunProfile } {
  const handler = RESOURCE_TYPES[name]?.aliasOf?.of ?? name;
  return { handler, runs: RESOURCE_TYPES[handler]?.runs ?? { where: 'activity' } };
}
