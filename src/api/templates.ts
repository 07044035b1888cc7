/**
 * Heat's template calls: validate, resource types (list, show, a template per type) and template versions with
 * their functions. Validation is `stoke template validate`'s, the types are the registry's, the versions and
 * functions stoke's own tables: nothing here knows more of Heat than stoke does.
 */
import { listedTypes, resourceTypeView } from '../client/resource-types';
import type { ResourceType } from '../resources/plugin';
import { RESOURCE_TYPES, resourceType } from '../resources/registry';
import { constraintsOf, type PropertySchema } from '../resources/schema';
import { FUNCTION_DESCRIPTIONS, REFUSED_FUNCTIONS } from '../template/function-docs';
import { TemplateInvalidError } from '../template/load';
import type { TemplateIssue } from '../template/parse';
import type { TemplateSummary } from '../template/plan';
import { planSource } from '../template/source';
import type { Json, JsonObject } from '../template/types';
import { NAMED_VERSIONS, namedVersion } from '../template/versions';
import { sourceOf } from './create-body';
import { ApiError } from './faults';
import { readJsonObject, sendJson } from './http';
import type { ApiRequest, Routes } from './routes';

const bad = (message: string) => new ApiError(400, 'HTTPBadRequest', message);

/** Heat's extract_bool: only true or false, in any case. */
export function boolParam(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null) return false;
  if (!/^(true|false)$/i.test(value)) throw bad(`Unrecognized value "${value}" for "${name}", acceptable values are: true, false`);
  return value.toLowerCase() === 'true';
}

/** Heat's ERROR_CODE_MAP: the one error validate may be told to ignore, a service missing for a type; stoke needs none. */
const IGNORABLE_ERRORS = ['99001'];

/** POST /validate: the answer of `stoke template validate -f json`; an invalid template is every error, with its path. */
export function validateTemplate(body: Record<string, unknown>, params: URLSearchParams): TemplateSummary {
  const ignored = (params.get('ignore_errors') ?? '').split(',').filter(Boolean);
  const unknown = ignored.filter((code) => !IGNORABLE_ERRORS.includes(code));
  if (unknown.length > 0) throw bad(`Invalid codes in ignore_errors : ${JSON.stringify(unknown)}`);
  if (boolParam(params, 'show_nested')) throw bad('show_nested is not supported by stoke: nested templates are validated, and their errors reported, but their parameters are not listed');
  try {
    return planSource(sourceOf(body), { stackName: 'validate', mode: 'validate' }).summary;
  } catch (err) {
    if (!(err instanceof TemplateInvalidError) || typeof body.template !== 'object') throw err;
    // A template sent as an object (heatclient parses the file) has no lines of its own: its errors say their paths only.
    const unplaced = (issue: TemplateIssue): TemplateIssue => (issue.file === 'template' ? { ...issue, line: undefined, column: undefined } : issue);
    throw new TemplateInvalidError(err.issues.map(unplaced), err.warnings.map(unplaced));
  }
}

const SUPPORT_STATUSES = ['UNKNOWN', 'SUPPORTED', 'DEPRECATED', 'UNSUPPORTED', 'HIDDEN'];

/** Heat's filters: `name` a regular expression matched at the start (Python's re.match), `version` the version a type came in. */
export function listTypes(params: URLSearchParams): Json[] {
  const status = params.get('support_status');
  if (status !== null && !SUPPORT_STATUSES.includes(status)) throw bad(`Invalid support status and should be one of ${JSON.stringify(SUPPORT_STATUSES)}`);
  const name = params.get('name');
  const version = params.get('version');
  const withDescription = boolParam(params, 'with_description');
  let pattern: RegExp | undefined;
  try {
    pattern = name === null ? undefined : new RegExp(`^(?:${name})`);
  } catch {
    // Heat answers an invalid expression with no type rather than an error.
    return [];
  }
  const matching = Object.values(RESOURCE_TYPES).filter((type) => (!pattern || pattern.test(type.name))
    && (status === null || (type.supportStatus?.status ?? 'SUPPORTED') === status)
    && (version === null || type.supportStatus?.version === version));
  return listedTypes(matching).map((type) => (withDescription ? { resource_type: type, description: RESOURCE_TYPES[type]!.description } : type));
}

function knownType(name: string): ResourceType {
  const type = resourceType(name);
  if (!type) throw new ApiError(404, 'ResourceTypeNotFound', `The Resource Type (${name}) could not be found.`);
  if (type.supportStatus?.status === 'HIDDEN') throw new ApiError(400, 'NotSupported', `${name} is not supported.`);
  return type;
}

/** GET /resource_types/{type}: `stoke resource type show -f json`, its description only when asked, as Heat's. */
export function showType(name: string, params: URLSearchParams): Record<string, unknown> {
  const { description, ...view } = resourceTypeView(knownType(name));
  return boolParam(params, 'with_description') ? { ...view, description } : view;
}

type TemplateType = 'hot' | 'cfn';

const PARAMETER_TYPES: Readonly<Record<TemplateType, Readonly<Record<PropertySchema['type'], string>>>> = {
  cfn: { string: 'String', integer: 'Number', number: 'Number', boolean: 'Boolean', map: 'Json', list: 'CommaDelimitedList', any: 'Json' },
  hot: { string: 'string', integer: 'number', number: 'number', boolean: 'boolean', map: 'json', list: 'comma_delimited_list', any: 'json' },
};

/** A property as the parameter that feeds it, in each format's words (Heat's `_param_def_from_prop`). */
function parameterOf(schema: PropertySchema, format: TemplateType): JsonObject {
  const constraints = constraintsOf(schema).filter((c) => c.length || c.range || c.allowedValues || c.allowedPattern !== undefined);
  const def: JsonObject = { [format === 'hot' ? 'type' : 'Type']: PARAMETER_TYPES[format][schema.type] };
  if (schema.description) def[format === 'hot' ? 'description' : 'Description'] = schema.description;
  if (schema.default !== undefined && schema.default !== null) def[format === 'hot' ? 'default' : 'Default'] = schema.default as Json;
  if (format === 'hot') {
    if (constraints.length > 0) {
      def.constraints = constraints.map((c): JsonObject => (c.length ? { length: { ...c.length } } : c.range ? { range: { ...c.range } } : c.allowedValues ? { allowed_values: [...c.allowedValues] } : { allowed_pattern: c.allowedPattern! }));
    }
    return def;
  }
  for (const c of constraints) {
    if (c.length) Object.assign(def, c.length.min !== undefined ? { MinLength: c.length.min } : {}, c.length.max !== undefined ? { MaxLength: c.length.max } : {});
    if (c.range) Object.assign(def, c.range.min !== undefined ? { MinValue: c.range.min } : {}, c.range.max !== undefined ? { MaxValue: c.range.max } : {});
    if (c.allowedValues) def.AllowedValues = [...c.allowedValues];
    if (c.allowedPattern !== undefined) def.AllowedPattern = c.allowedPattern;
  }
  if (schema.type === 'boolean') def.AllowedValues = ['True', 'true', 'False', 'false'];
  return def;
}

/**
 * GET /resource_types/{type}/template: Heat's generated template, each property fed by a parameter and each
 * attribute an output, the resource named after the type's last word as Heat names it after its class.
 */
export function typeTemplate(name: string, params: URLSearchParams): JsonObject {
  const format = params.get('template_type') ?? 'cfn';
  if (format !== 'hot' && format !== 'cfn') throw bad(`Template type is not supported: ${format}`);
  const type = knownType(name);
  const resource = type.name.split('::').pop()!;
  const properties = Object.entries(type.properties);
  const parameters = Object.fromEntries(properties.map(([p, schema]) => [p, parameterOf(schema, format)]));
  const description = `Initial template of ${resource}`;
  if (format === 'hot') {
    return {
      heat_template_version: '2015-04-30', description, parameters,
      resources: { [resource]: { type: type.name, properties: Object.fromEntries(properties.map(([p]) => [p, { get_param: p }])) } },
      outputs: Object.fromEntries(Object.entries(type.attributes).map(([a, s]) => [a, { value: { get_attr: [resource, a] }, description: s.description }])),
    };
  }
  return {
    HeatTemplateFormatVersion: '2012-12-12', Description: description, Parameters: parameters,
    Resources: { [resource]: { Type: type.name, Properties: Object.fromEntries(properties.map(([p, s]): [string, Json] => [p, s.type === 'list' ? { 'Fn::Split': [',', { Ref: p }] } : { Ref: p }])) } },
    Outputs: Object.fromEntries(Object.entries(type.attributes).map(([a, s]) => [a, { Value: { 'Fn::GetAtt': [resource, a] }, Description: s.description }])),
  };
}

/** GET /template_versions */
export const templateVersions = (): JsonObject[] => NAMED_VERSIONS.map(({ name, type, aliases }) => ({ version: name, type, aliases: [...aliases] }));

/** GET /template_versions/{v}/functions: what the version allows and stoke evaluates, condition functions when asked. */
export function templateFunctions(name: string, params: URLSearchParams): JsonObject[] {
  const named = namedVersion(name);
  if (!named) throw new ApiError(404, 'NotFound', `Template with version ${name} not found`);
  const { functions, conditionFunctions } = named.version;
  const names = new Set([...functions, ...(boolParam(params, 'with_condition_func') ? conditionFunctions : [])]);
  return [...names].filter((fn) => !REFUSED_FUNCTIONS.has(fn)).sort().map((fn) => ({ functions: fn, description: FUNCTION_DESCRIPTIONS[fn] ?? '' }));
}

const paramsOf = (query: string) => new URLSearchParams(query);

export const TEMPLATE_ROUTES: Routes = [
  [/^\/validate$/, { POST: async ({ req, res, query }) => sendJson(res, 200, validateTemplate(await readJsonObject(req), paramsOf(query))) }],
  [/^\/resource_types$/, { GET: async ({ res, query }) => sendJson(res, 200, { resource_types: listTypes(paramsOf(query)) }) }],
  [/^\/resource_types\/([^/]+)$/, { GET: async ({ res, query }: ApiRequest, type: string) => sendJson(res, 200, showType(type, paramsOf(query))) }],
  [/^\/resource_types\/([^/]+)\/template$/, { GET: async ({ res, query }: ApiRequest, type: string) => sendJson(res, 200, typeTemplate(type, paramsOf(query))) }],
  [/^\/template_versions$/, { GET: async ({ res }) => sendJson(res, 200, { template_versions: templateVersions() }) }],
  [/^\/template_versions\/([^/]+)\/functions$/, { GET: async ({ res, query }: ApiRequest, version: string) => sendJson(res, 200, { template_functions: templateFunctions(version, paramsOf(query)) }) }],
];
