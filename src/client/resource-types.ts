/**
 * Resource types as Heat's API gives them, read by `stoke resource type list/show` and by the API's resource_types:
 * a type's schema in the shape `openstack orchestration resource type show` prints.
 */
import type { ResourceType } from '../resources/plugin';
import { constraintsOf, type PropertyConstraint, type PropertySchema } from '../resources/schema';

function constraintView(c: PropertyConstraint): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.length) out.length = c.length;
  if (c.range) out.range = c.range;
  if (c.allowedValues) out.allowed_values = c.allowedValues;
  if (c.allowedPattern !== undefined) out.allowed_pattern = c.allowedPattern;
  if (c.customConstraint !== undefined) out.custom_constraint = c.customConstraint;
  if (c.description !== undefined) out.description = c.description;
  return out;
}

function propertyView(s: PropertySchema): Record<string, unknown> {
  return {
    type: s.type,
    description: s.description,
    required: Boolean(s.required),
    update_allowed: Boolean(s.updateAllowed),
    immutable: Boolean(s.immutable),
    ...(s.default !== undefined ? { default: s.default } : {}),
    ...(constraintsOf(s).length > 0 ? { constraints: constraintsOf(s).map(constraintView) } : {}),
    ...(s.since ? { support_status: { status: 'SUPPORTED', version: s.since } } : {}),
    ...(s.items ? { schema: { '*': propertyView(s.items) } } : {}),
    ...(s.keys ? { schema: Object.fromEntries(Object.entries(s.keys).map(([k, v]) => [k, propertyView(v)])) } : {}),
  };
}

/** Heat's support_status block: every field present, null where the type says nothing. */
export function supportStatusView(type: ResourceType): Record<string, unknown> {
  const status = type.supportStatus ?? { status: 'SUPPORTED' };
  return { status: status.status, version: status.version ?? null, message: status.message ?? null, previous_status: null };
}

/** What `resource type list` shows: as Heat's, every type but the HIDDEN ones. */
export const listedTypes = (types: readonly ResourceType[]): string[] =>
  types.filter((type) => type.supportStatus?.status !== 'HIDDEN').map((type) => type.name).sort();

export function resourceTypeView(schema: ResourceType): Record<string, unknown> {
  return {
    resource_type: schema.name,
    description: schema.description,
    properties: Object.fromEntries(Object.entries(schema.properties).map(([name, s]) => [name, propertyView(s)])),
    attributes: Object.fromEntries(Object.entries(schema.attributes).map(([name, a]) => [name, { description: a.description, ...(a.type ? { type: a.type } : {}) }])),
    support_status: supportStatusView(schema),
  };
}
