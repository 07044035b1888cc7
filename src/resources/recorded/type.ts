/** Builds a recorded-only type from Heat's schema, and a placeholder for a type Heat itself retired. */
import type { Json, JsonObject } from '../../template/types';
import type { AttributeSchema, PropertySchema, ResourceType, SupportStatus } from '../plugin';

/** The lifecycle code loads on the first call: validation and `resource type list` need the schemas only. */
const lifecycle = () => import('./handler');

/** What a recorded resource's attribute values are computed from. */
export interface RecordedResource {
  readonly id: string;
  readonly stack: string;
  readonly resource: string;
  /** The properties as given, secrets included. */
  readonly properties: JsonObject;
}

export interface RecordedSpec {
  readonly name: string;
  /** What the type stands for and what stoke does of it (nothing but record it). */
  readonly description: string;
  readonly supportStatus?: SupportStatus;
  /** Heat's properties schema, as is. */
  readonly properties: Readonly<Record<string, PropertySchema>>;
  /** Heat's attributes schema, as is: each takes the property of its name unless `values` gives it. */
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  /** The attributes that are not a property of the same name. */
  readonly values?: (resource: RecordedResource) => Readonly<Record<string, Json>>;
  /** Properties that hold a secret: never shown, nor given to an attribute but through `values`. */
  readonly secrets?: readonly string[];
  /**
   * Heat's translation rules that replace a deprecated property by its new one (old name → new name): the new
   * one takes the old one's value, so a required new one may be given under either name.
   */
  readonly replaced?: Readonly<Record<string, string>>;
}

const show: AttributeSchema = { description: 'All details: the properties as given (secrets left out) and what is not done.', type: 'map' };

/** A type whose resource makes nothing and keeps its properties; changes Heat makes in place are made in place. */
export function recorded(spec: RecordedSpec): ResourceType {
  const { values, secrets, replaced = {}, ...type } = spec;
  const eitherName = Object.entries(replaced).filter(([, current]) => spec.properties[current]?.required);
  return {
    ...type,
    properties: Object.fromEntries(Object.entries(spec.properties).map(([name, schema]) =>
      [name, eitherName.some(([, current]) => current === name) ? { ...schema, required: false } : schema])),
    attributes: { ...spec.attributes, show },
    ...(eitherName.length > 0 ? {
      validate: (properties: JsonObject) => eitherName
        .filter(([old, current]) => properties[current] === undefined && properties[old] === undefined)
        .map(([old, current]) => ({ path: `.${current}`, message: `${spec.name} requires the property '${current}' (or its deprecated name '${old}')` })),
    } : {}),
    // Nothing is made on an engine: the record is data of the stack, written in the worker.
    runs: { where: 'local', copies: true },
    handler: {
      create: async (req) => (await lifecycle()).createRecorded(req, spec),
      update: async (req) => (await lifecycle()).updateRecorded(req, spec),
    },
  };
}

/**
 * A type Heat removed and keeps as a placeholder that takes any property and does nothing (its NoneResource),
 * so that old templates and stacks still load: stoke does as Heat does.
 */
export function retired(name: string, description: string, supportStatus: SupportStatus): ResourceType {
  return {
    name,
    description: `Does nothing, as in Heat: ${description}`,
    supportStatus,
    properties: {},
    attributes: {},
    anyProperties: true,
    runs: { where: 'local', copies: true },
    handler: { create: (req) => ({ physicalId: `${req.stack}-${req.resource}`, attributes: {} }) },
  };
}
