/** How resource types describe themselves: the validator, the engine and `resource type show` read this. */

export type PropertyType = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'map' | 'any';

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
  /** Schema of every item of a list. */
  readonly items?: PropertySchema;
  /** Schema of the known keys of a map; a map with `keys` takes no other key. */
  readonly keys?: Readonly<Record<string, PropertySchema>>;
  /** The Heat release that added the property (Heat's support_status version). */
  readonly since?: string;
}

export interface AttributeSchema {
  readonly description: string;
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

export interface ResourceTypeSchema {
  readonly name: string;
  readonly description: string;
  readonly properties: Readonly<Record<string, PropertySchema>>;
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  /** Types like OS::Heat::None take any property at all. */
  readonly anyProperties?: boolean;
  readonly aliasOf?: TypeAlias;
}
