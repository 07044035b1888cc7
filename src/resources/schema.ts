/** How resource types describe themselves: the validator, the engine and `resource type show` read this. */

export type PropertyType = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'map' | 'any';

/** Heat's property constraints; each may carry the description Heat prints when it fails. */
export interface PropertyConstraint {
  /** Inclusive bounds on a string's length or a list's / map's size. */
  readonly length?: { readonly min?: number; readonly max?: number };
  /** Inclusive bounds for numbers. */
  readonly range?: { readonly min?: number; readonly max?: number };
  readonly allowedValues?: readonly (string | number | boolean)[];
  /** A regular expression the whole string must match. */
  readonly allowedPattern?: string;
  /** A named check Heat delegates to a service (`nova.flavor`, `ip_addr`…): reported as unchecked. */
  readonly customConstraint?: string;
  readonly description?: string;
}

export interface PropertySchema {
  readonly type: PropertyType;
  readonly description: string;
  /** @default false */
  readonly required?: boolean;
  readonly default?: unknown;
  /** Allowed values, for string properties with a fixed vocabulary. */
  readonly allowedValues?: readonly string[];
  /** Inclusive bounds for numbers. */
  readonly range?: { readonly min?: number; readonly max?: number };
  /** A regular expression a string must match whole (Heat's AllowedPattern). */
  readonly pattern?: string;
  /** Longest string allowed (Heat's Length constraint). */
  readonly maxLength?: number;
  /** Further constraints, checked in order after the type. */
  readonly constraints?: readonly PropertyConstraint[];
  /**
   * Whether a stack update may change the value in place (Heat's `update_allowed`); when false a change
   * replaces the resource. @default false
   */
  readonly updateAllowed?: boolean;
  /**
   * Two copies of the resource cannot hold the value at once (a fixed name, a host port): a replacement
   * whose old and new copies both set it deletes the old copy first. Keys instead of `true` name what, in
   * a list's items, holds such a value (a network's `fixed_ip`): the rest of an item claims nothing. @default false
   */
  readonly exclusive?: boolean | readonly string[];
  /** A value that can never change, even by replacement (Heat's `immutable`). @default false */
  readonly immutable?: boolean;
  /** Schema of each item of a list property. */
  readonly items?: PropertySchema;
  /** Schema of the known keys of a map; a map with `keys` takes no other key. */
  readonly keys?: Readonly<Record<string, PropertySchema>>;
  /** The Heat release that added the property (Heat's support_status version). */
  readonly since?: string;
}

export interface AttributeSchema {
  readonly description: string;
  /** Heat's attribute type (string, list, map…), shown by `resource type show`. */
  readonly type?: string;
}

/**
 * An older spelling of another type: templates write the alias's names, the engine runs the target
 * type's handler with the names translated.
 */
export interface TypeAlias {
  readonly of: string;
  /** Alias property name → target property name. */
  readonly properties: Readonly<Record<string, string>>;
  /** Alias attribute name → target attribute name. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Every constraint of a property, the shorthand `allowedValues`, `range`, `pattern`, `maxLength` fields included. */
export function constraintsOf(schema: PropertySchema): PropertyConstraint[] {
  return [
    ...(schema.allowedValues ? [{ allowedValues: schema.allowedValues }] : []),
    ...(schema.range ? [{ range: schema.range }] : []),
    ...(schema.pattern !== undefined ? [{ allowedPattern: schema.pattern }] : []),
    ...(schema.maxLength !== undefined ? [{ length: { max: schema.maxLength } }] : []),
    ...(schema.constraints ?? []),
  ];
}
