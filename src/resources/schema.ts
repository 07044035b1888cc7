/** How resource types describe themselves: the validator, the engine and `resource type show` read this. */
import type { JsonObject } from '../template/types';

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
}

export interface AttributeSchema {
  readonly description: string;
}

export interface ResourceTypeSchema {
  readonly name: string;
  readonly description: string;
  readonly properties: Readonly<Record<string, PropertySchema>>;
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  /** Types like OS::Heat::None take any property at all. */
  readonly anyProperties?: boolean;
  /** Types like OS::Heat::SoftwareDeployment also have attributes named by the template (a config's outputs). */
  readonly dynamicAttributes?: boolean;
  /**
   * Checks across properties that one property's schema cannot express. Values still waiting for other
   * resources are skipped here and checked again when the resource is created.
   */
  readonly validate?: (properties: JsonObject) => { readonly path: string; readonly message: string }[];
}
