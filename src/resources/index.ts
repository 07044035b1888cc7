import { dockerContainer } from './docker-container';
import { none, randomString } from './heat';
import { NETWORK_TYPES } from './networks';
import { SERVER_TYPES } from './servers';
import type { ResourceTypeSchema } from './schema';
import { cfnWaitCondition, cfnWaitConditionHandle, heatWaitCondition, heatWaitConditionHandle } from './wait-condition';

export type { ResourceTypeSchema, PropertySchema, AttributeSchema, PropertyType } from './schema';

/** Every resource type stoke knows, by the name templates use. */
export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSchema>> = Object.fromEntries(
  [dockerContainer, randomString, none, cfnWaitConditionHandle, cfnWaitCondition, heatWaitConditionHandle, heatWaitCondition, ...SERVER_TYPES, ...NETWORK_TYPES]
    .map((schema) => [schema.name, schema])
);
