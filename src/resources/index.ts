import { dockerContainer } from './docker-container';
import { none, randomString } from './heat';
import type { ResourceTypeSchema } from './schema';

export type { ResourceTypeSchema, PropertySchema, PropertyConstraint, AttributeSchema, PropertyType } from './schema';
export { constraintsOf } from './schema';

/** Every resource type stoke knows, by the name templates use. */
export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSchema>> = Object.fromEntries(
  [dockerContainer, randomString, none].map((schema) => [schema.name, schema])
);
