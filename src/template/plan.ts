/**
 * Validation and planning: a parsed template, its environments and parameter values become a
 * {@link StackPlan}, or a list of every problem found, each with its path. Nothing is created before
 * this passes.
 */
import type { ResourceType } from '../resources/plugin';
import { implementationOf, RESOURCE_TYPES } from '../resources/registry';
import { constraintsOf, type PropertySchema } from '../resources/schema';
import { propertyViolation, violation, type Constraint } from './constraints';
import { findReferences, FunctionError, evaluateCondition, isDeferred, resolve, type FileText, type ResolveContext } from './functions';
import { cycleGroups, findCycle } from './graph';
import { isObject, type ParsedFile, type TemplateIssue } from './parse';
import { MASK } from './redact';
import type { Json, JsonObject, PlannedResource, StackPlan, TemplateFormat } from './types';
import { cfnVersion, HOT_RELEASE_NAMES, HOT_VERSION_DATES, hotVersion, versionKey, type TemplateVersion } from './versions';

export interface PlanInput {
  readonly stackName: string;
  readonly template: ParsedFile;
  /** Environment files, merged in order. */
  readonly environments?: readonly ParsedFile[];
  /** `--parameter k=v` values, which win over environments. */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * `validate` checks a template without values for its parameters (as `template validate` does) and
   * accepts template files as resource types; `create` needs every value and refuses nested stacks.
   * @default 'create'
   */
  readonly mode?: 'create' | 'validate';
  /** Reads a file named relative to the template (get_file, template files as types); undefined if unreadable, or why it is refused. */
  readonly readFile?: (name: string) => FileText;
  /** Parses a template file used as a resource type; absent, such types are only checked to be readable. */
  readonly parseFile?: (name: string) => ParsedFile | undefined;
  /** @default false */
  readonly disableRollback?: boolean;
  /** @default 60 */
  readonly timeoutMinutes?: number;
}

export interface PlanResult {
  readonly plan?: StackPlan;
  readonly errors: TemplateIssue[];
  readonly warnings: TemplateIssue[];
  /** Parameter names declared hidden: their values must never be printed. */
  readonly hiddenParameters: string[];
  /** What `template validate` shows, in the shape of Heat's validate response; hidden defaults masked. */
  readonly summary: TemplateSummary;
}

export interface TemplateSummary {
  Description?: string;
  Parameters: Record<string, { Type: string; Label?: string; Description?: string; Default?: Json; NoEcho: 'true' | 'false'; Constraints?: Json[] }>;
  ParameterGroups?: Json;
}

/** Section and key names differ between the two formats; everything else is shared. */
const SYNTAX = {
  hot: {
    sections: ['heat_template_version', 'description', 'parameter_groups', 'parameters', 'resources', 'outputs', 'conditions'],
    parameters: 'parameters', resources: 'resources', outputs: 'outputs', conditions: 'conditions', condition: 'condition',
    resourceKeys: ['type', 'properties', 'depends_on', 'deletion_policy', 'metadata', 'update_policy', 'description', 'condition', 'external_id'],
    type: 'type', properties: 'properties', dependsOn: 'depends_on', deletionPolicy: 'deletion_policy', metadata: 'metadata', updatePolicy: 'update_policy',
    outputKeys: ['value', 'description', 'condition'], value: 'value', description: 'description',
    paramKeys: ['type', 'label', 'description', 'default', 'hidden', 'constraints', 'immutable', 'tags'],
    paramType: 'type', paramDefault: 'default', paramHidden: 'hidden', paramLabel: 'label',
  },
  cfn: {
    sections: ['AWSTemplateFormatVersion', 'HeatTemplateFormatVersion', 'Description', 'Parameters', 'Mappings', 'Resources', 'Outputs', 'Conditions', 'Metadata'],
    parameters: 'Parameters', resources: 'Resources', outputs: 'Outputs', conditions: 'Conditions', condition: 'Condition',
    resourceKeys: ['Type', 'Properties', 'DependsOn', 'DeletionPolicy', 'Metadata', 'UpdatePolicy', 'Description', 'Condition'],
    type: 'Type', properties: 'Properties', dependsOn: 'DependsOn', deletionPolicy: 'DeletionPolicy', metadata: 'Metadata', updatePolicy: 'UpdatePolicy',
    outputKeys: ['Value', 'Description', 'Condition'], value: 'Value', description: 'Description',
    paramKeys: ['Type', 'Default', 'NoEcho', 'AllowedValues', 'AllowedPattern', 'MaxLength', 'MinLength', 'MaxValue', 'MinValue', 'Description', 'ConstraintDescription', 'Label'],
    paramType: 'Type', paramDefault: 'Default', paramHidden: 'NoEcho', paramLabel: 'Label',
  },
} as const;

const ENVIRONMENT_SECTIONS = ['parameters', 'parameter_defaults', 'resource_registry', 'event_sinks', 'encrypted_param_names', 'parameter_merge_strategies'];

/** Parameter types by the names each format uses, mapped to HOT's. */
const PARAMETER_TYPES: Readonly<Record<string, string>> = {
  string: 'string', number: 'number', json: 'json', comma_delimited_list: 'comma_delimited_list', boolean: 'boolean',
  String: 'string', Number: 'number', Json: 'json', CommaDelimitedList: 'comma_delimited_list', Boolean: 'boolean',
};

/** A type name that names a template file rather than a plugin: Heat's nested (provider) stacks. */
const isTemplateFile = (type: string) => /\.(ya?ml|template|json)$/.test(type) || type.includes('/');

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} '${String(value)}'`;
}

type Checked = { ok: true; value: Json } | { ok: false; problem: string };
const ok = (value: Json): Checked => ({ ok: true, value });
const problem = (text: string): Checked => ({ ok: false, problem: text });

/** Converts a parameter value to its declared type, as Heat does. */
function convertParameter(type: string, value: Json): Checked {
  switch (type) {
    case 'string':
      return typeof value === 'object' && value !== null ? problem('is not a string') : ok(String(value ?? ''));
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return typeof value === 'boolean' || value === '' || value === null || Number.isNaN(n) ? problem('is not a number') : ok(n);
    }
    case 'boolean': {
      const text = String(value).toLowerCase();
      if (['true', 't', 'on', 'y', 'yes', '1'].includes(text)) return ok(true);
      if (['false', 'f', 'off', 'n', 'no', '0'].includes(text)) return ok(false);
      return problem('is not a boolean');
    }
    case 'comma_delimited_list':
      if (Array.isArray(value)) return ok(value);
      return ok(String(value ?? '') === '' ? [] : String(value).split(',').map((item) => item.trim()));
    case 'json':
      if (typeof value !== 'string') return ok(value);
      try {
        return ok(JSON.parse(value) as Json);
      } catch {
        return problem('is not valid JSON');
      }
    default:
      return problem(`unknown parameter type '${type}'`);
  }
}

/** A parameter's constraints in one shape: HOT's `constraints` list, or CFN's keys on the parameter. */
function parameterConstraints(spec: JsonObject, format: TemplateFormat, path: string, fail: (path: string, message: string) => void): Constraint[] {
  const num = (v: Json | undefined) => (v === undefined || v === null ? undefined : Number(v));
  if (format === 'cfn') {
    const description = typeof spec.ConstraintDescription === 'string' ? spec.ConstraintDescription : undefined;
    const out: Constraint[] = [];
    if (spec.MinLength !== undefined || spec.MaxLength !== undefined) out.push({ length: { min: num(spec.MinLength), max: num(spec.MaxLength) }, description });
    if (spec.MinValue !== undefined || spec.MaxValue !== undefined) out.push({ range: { min: num(spec.MinValue), max: num(spec.MaxValue) }, description });
    if (Array.isArray(spec.AllowedValues)) out.push({ allowedValues: spec.AllowedValues.map(String), description });
    if (typeof spec.AllowedPattern === 'string') out.push({ allowedPattern: spec.AllowedPattern, description });
    return out;
  }
  const list = spec.constraints;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    fail(`${path}.constraints`, 'constraints must be a list');
    return [];
  }
  const out: Constraint[] = [];
  list.forEach((item, i) => {
    const at = `${path}.constraints[${i}]`;
    if (!isObject(item)) return fail(at, `a constraint must be a mapping, got ${describe(item)}`);
    const description = typeof item.description === 'string' ? item.description : undefined;
    const kinds = Object.keys(item).filter((key) => key !== 'description');
    if (kinds.length !== 1) return fail(at, `a constraint needs exactly one of length, range, modulo, allowed_values, allowed_pattern, custom_constraint (got ${kinds.join(', ') || 'none'})`);
    const kind = kinds[0]!;
    const arg = item[kind]!;
    const minMax = () => (isObject(arg) ? { min: num(arg.min), max: num(arg.max) } : undefined);
    switch (kind) {
      case 'length':
      case 'range': {
        const b = minMax();
        if (!b || (b.min === undefined && b.max === undefined) || Number.isNaN(b.min) || Number.isNaN(b.max)) return fail(`${at}.${kind}`, `${kind} needs a numeric min and/or max`);
        return out.push(kind === 'length' ? { length: b, description } : { range: b, description });
      }
      case 'modulo': {
        if (!isObject(arg) || typeof arg.step !== 'number' || typeof arg.offset !== 'number') return fail(`${at}.modulo`, 'modulo needs numeric step and offset');
        return out.push({ modulo: { step: arg.step, offset: arg.offset }, description });
      }
      case 'allowed_values':
        if (!Array.isArray(arg)) return fail(`${at}.allowed_values`, 'allowed_values must be a list');
        return out.push({ allowedValues: arg.map((v) => (typeof v === 'object' ? JSON.stringify(v) : v as string | number | boolean)), description });
      case 'allowed_pattern':
        if (typeof arg !== 'string') return fail(`${at}.allowed_pattern`, 'allowed_pattern must be a string');
        return out.push({ allowedPattern: arg, description });
      case 'custom_constraint':
        if (typeof arg !== 'string') return fail(`${at}.custom_constraint`, 'custom_constraint must be a name');
        return out.push({ customConstraint: arg, description });
      default:
        return fail(`${at}.${kind}`, `unknown constraint '${kind}' (known: length, range, modulo, allowed_values, allowed_pattern, custom_constraint)`);
    }
  });
  return out;
}

/** Heat's boolean spellings (oslo strutils, strict). */
const TRUE_WORDS = ['true', 't', 'yes', 'y', 'on', '1'];
const FALSE_WORDS = ['false', 'f', 'no', 'n', 'off', '0'];

/** A problem inside a list or map property: `at` is the path below the property (`[0].path_on_host`). */
type CheckedProperty = Checked | { ok: false; problem: string; at: string };

/**
 * Checks a property value against its schema, returning the value Heat would use (numbers from strings,
 * defaults of nested keys filled in…).
 */
export function checkProperty(schema: PropertySchema, value: Json): CheckedProperty {
  if (isDeferred(value)) return ok(value);
  const inner = (sub: string, result: CheckedProperty): CheckedProperty =>
    result.ok ? result : { ok: false, problem: result.problem, at: `${sub}${'at' in result ? result.at : ''}` };
  let converted = value;
  switch (schema.type) {
    case 'string':
      if (typeof value === 'number' || typeof value === 'boolean') converted = String(value);
      else if (typeof value !== 'string') return problem(`expected a string, got ${describe(value)}`);
      break;
    case 'integer':
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n) || (schema.type === 'integer' && !Number.isInteger(n))) {
        return problem(`expected ${schema.type === 'integer' ? 'an integer' : 'a number'}, got ${describe(value)}`);
      }
      converted = n;
      break;
    }
    case 'boolean':
      if (typeof value === 'string' && TRUE_WORDS.includes(value.toLowerCase())) converted = true;
      else if (typeof value === 'string' && FALSE_WORDS.includes(value.toLowerCase())) converted = false;
      else if (typeof value !== 'boolean') return problem(`expected a boolean, got ${describe(value)}`);
      break;
    case 'list': {
      if (!Array.isArray(value)) return problem(`expected a list, got ${describe(value)}`);
      if (!schema.items) break;
      const items: Json[] = [];
      for (const [i, item] of value.entries()) {
        const checked = inner(`[${i}]`, checkProperty(schema.items, item));
        if (!checked.ok) return checked;
        items.push(checked.value);
      }
      converted = items;
      break;
    }
    case 'map': {
      if (!isObject(value)) return problem(`expected a mapping, got ${describe(value)}`);
      if (!schema.keys) break;
      const out: JsonObject = {};
      for (const key of Object.keys(value)) {
        if (!(key in schema.keys)) return inner(`.${key}`, problem(`unknown key '${key}' (allowed: ${Object.keys(schema.keys).join(', ')})`));
      }
      for (const [key, keySchema] of Object.entries(schema.keys)) {
        const given = value[key];
        if (given === undefined || given === null) {
          if (keySchema.required) return inner(`.${key}`, problem('is required'));
          if (keySchema.default !== undefined) out[key] = keySchema.default as Json;
          continue;
        }
        const checked = inner(`.${key}`, checkProperty(keySchema, given));
        if (!checked.ok) return checked;
        out[key] = checked.value;
      }
      converted = out;
      break;
    }
  }
  for (const constraint of constraintsOf(schema)) {
    const why = propertyViolation(constraint, converted);
    if (why) return problem(why);
  }
  return ok(converted);
}

function templateVersion(data: JsonObject): { format: TemplateFormat; version?: TemplateVersion; problem?: [string, string] } | undefined {
  if ('heat_template_version' in data) {
    const raw = data.heat_template_version;
    const version = typeof raw === 'string' ? hotVersion(raw) : undefined;
    if (version) return { format: 'hot', version };
    return { format: 'hot', problem: ['heat_template_version', `unknown heat_template_version ${describe(raw!)} (known: ${[...HOT_VERSION_DATES, ...Object.keys(HOT_RELEASE_NAMES)].join(', ')})`] };
  }
  for (const key of ['AWSTemplateFormatVersion', 'HeatTemplateFormatVersion']) {
    if (!(key in data)) continue;
    const version = cfnVersion(key, String(data[key]));
    if (version) return { format: 'cfn', version };
    const expected = key === 'AWSTemplateFormatVersion' ? '2010-09-09' : '2012-12-12';
    return { format: 'cfn', problem: [key, `unknown ${key} ${describe(data[key]!)} (known: ${expected})`] };
  }
  return undefined;
}

/** Validates everything and returns the plan, or every error found (never just the first). */
export function planStack(input: PlanInput): PlanResult {
  const { template } = input;
  const validateOnly = input.mode === 'validate';
  const errors: TemplateIssue[] = [...template.errors];
  const warnings: TemplateIssue[] = [...template.warnings];
  const hiddenParameters: string[] = [];
  const fail = (code: string, path: string, message: string, file = template.file) => errors.push({ code, path, message, file });
  const warn = (code: string, path: string, message: string, file = template.file) => warnings.push({ code, path, message, file });
  const summary: TemplateSummary = { Parameters: {} };
  const done = (): PlanResult => ({ errors: byPosition(locate(errors, input)), warnings: byPosition(locate(warnings, input)), hiddenParameters, summary });

  for (const env of input.environments ?? []) {
    errors.push(...env.errors);
    warnings.push(...env.warnings);
  }
  if (errors.length > 0) return done();
  const data = template.data;
  if (!isObject(data)) {
    fail('NotAMapping', '', `a template must be a mapping of sections, got ${describe(data)}`);
    return done();
  }
  const detected = templateVersion(data);
  if (!detected) {
    fail('UnknownFormat', '', 'not a Heat template: it has neither heat_template_version (HOT) nor HeatTemplateFormatVersion/AWSTemplateFormatVersion (CFN)');
    return done();
  }
  const { format, version } = detected;
  if (!version) {
    fail('UnknownVersion', ...detected.problem!);
    return done();
  }
  const syntax = SYNTAX[format];
  const sections = (syntax.sections as readonly string[]).filter((s) => s !== syntax.conditions || version.conditions);
  for (const section of Object.keys(data)) {
    if (!sections.includes(section)) {
      const hint = section === syntax.conditions ? ` (conditions need ${format === 'hot' ? 'heat_template_version 2016-10-14 or later' : 'AWSTemplateFormatVersion 2010-09-09'})` : ` (allowed: ${sections.join(', ')})`;
      fail('UnknownSection', section, `unknown section '${section}'${hint}`);
    }
  }

  // Environments: later files win; parameter_defaults only fill parameters the template declares.
  const envParameters: Record<string, Json> = {};
  const envDefaults: Record<string, Json> = {};
  const registry: Record<string, { target: string; file: string }> = {};
  for (const env of input.environments ?? []) {
    if (env.data === null) continue;
    if (!isObject(env.data)) {
      fail('NotAMapping', '', `an environment must be a mapping, got ${describe(env.data)}`, env.file);
      continue;
    }
    for (const [section, value] of Object.entries(env.data)) {
      if (!ENVIRONMENT_SECTIONS.includes(section)) {
        fail('UnknownSection', section, `unknown environment section '${section}' (allowed: ${ENVIRONMENT_SECTIONS.join(', ')})`, env.file);
      } else if (section === 'event_sinks') {
        warn('Ignored', section, 'event_sinks are ignored: stoke\'s events are the Temporal history', env.file);
      } else if (section === 'encrypted_param_names' || section === 'parameter_merge_strategies') {
        continue;
      } else if (value !== null && !isObject(value)) {
        fail('NotAMapping', section, `'${section}' must be a mapping`, env.file);
      } else if (section === 'parameters') Object.assign(envParameters, value);
      else if (section === 'parameter_defaults') Object.assign(envDefaults, value);
      else {
        for (const [alias, target] of Object.entries((value ?? {}) as JsonObject)) {
          if (typeof target === 'string') registry[alias] = { target, file: env.file };
          else if (alias === 'resources') warn('Ignored', `resource_registry.${alias}`, 'per-resource registry entries (hooks, per-resource types) are ignored', env.file);
          else fail('InvalidRegistry', `resource_registry.${alias}`, `a registry entry maps a type name to a type or a template file, got ${describe(target)}`, env.file);
        }
      }
    }
  }

  // Parameters.
  const declared = data[syntax.parameters] ?? {};
  const parameters: Record<string, Json> = {};
  const unsetParameters = new Set<string>();
  if (!isObject(declared)) fail('NotAMapping', syntax.parameters, `'${syntax.parameters}' must be a mapping`);
  else {
    const given = { ...envParameters, ...(input.parameters ?? {}) };
    for (const name of Object.keys(given)) {
      if (!(name in declared)) fail('UnknownParameter', syntax.parameters, `the template declares no parameter '${name}' (given with --parameter or in an environment)`);
    }
    for (const [name, spec] of Object.entries(declared)) {
      const path = `${syntax.parameters}.${name}`;
      if (!isObject(spec)) {
        fail('NotAMapping', path, 'a parameter must be a mapping with at least a type');
        continue;
      }
      for (const key of Object.keys(spec)) {
        if (!(syntax.paramKeys as readonly string[]).includes(key)) fail('UnknownKey', `${path}.${key}`, `unknown parameter key '${key}' (allowed: ${syntax.paramKeys.join(', ')})`);
      }
      const declaredType = spec[syntax.paramType];
      const type = typeof declaredType === 'string' ? PARAMETER_TYPES[declaredType] : undefined;
      if (!type) {
        fail(declaredType === undefined ? 'MissingType' : 'UnknownParameterType', `${path}.${syntax.paramType}`,
          declaredType === undefined ? 'the parameter has no type' : `unknown parameter type ${describe(declaredType)} (known: ${Object.keys(PARAMETER_TYPES).filter((t) => (format === 'hot') === (t === t.toLowerCase())).join(', ')})`);
        continue;
      }
      const hidden = spec[syntax.paramHidden];
      const isHidden = hidden === true || hidden === 'true';
      if (isHidden) hiddenParameters.push(name);
      summary.Parameters[name] = {
        Type: String(declaredType), NoEcho: isHidden ? 'true' : 'false',
        ...(typeof spec[syntax.paramLabel] === 'string' ? { Label: spec[syntax.paramLabel] as string } : {}),
        ...(typeof spec[syntax.description] === 'string' ? { Description: spec[syntax.description] as string } : {}),
        ...(spec[syntax.paramDefault] !== undefined ? { Default: isHidden ? MASK : spec[syntax.paramDefault]! } : {}),
        ...(format === 'hot' && Array.isArray(spec.constraints) ? { Constraints: spec.constraints } : {}),
      };
      for (const key of [syntax.paramLabel, syntax.description]) {
        if (spec[key] !== undefined && typeof spec[key] !== 'string') fail('InvalidParameter', `${path}.${key}`, `${key} must be a string`);
      }
      const constraints = parameterConstraints(spec, format, path, (at, message) => fail('InvalidConstraint', at, message));
      for (const c of constraints) if (c.customConstraint) warn('UncheckedConstraint', path, `custom_constraint '${c.customConstraint}' is not checked by stoke`);
      const checkValue = (raw: Json, at: string, what: string): Json | undefined => {
        const converted = convertParameter(type, raw);
        // Hidden values never appear in messages.
        const subject = `${what}${isHidden ? '' : ` '${typeof raw === 'string' ? raw : JSON.stringify(raw)}'`}`;
        if (!converted.ok) {
          fail('InvalidParameter', at, `parameter '${name}' (${type}): ${subject} ${converted.problem}`);
          return undefined;
        }
        for (const constraint of constraints) {
          const why = violation(constraint, converted.value);
          if (why) {
            // Even a length or a pattern says something about a hidden value: name only the constraint.
            const said = isHidden ? constraint.description ?? `it fails its ${Object.keys(constraint).filter((k) => k !== 'description').join(', ')} constraint` : why;
            fail('ConstraintViolation', at, `parameter '${name}' (${type}): ${subject} is not allowed: ${said}`);
            return undefined;
          }
        }
        return converted.value;
      };
      const defaultValue = spec[syntax.paramDefault];
      const hasDefault = defaultValue !== undefined && defaultValue !== null;
      const checkedDefault = hasDefault ? checkValue(defaultValue, path, isHidden ? 'the default' : 'default') : undefined;
      const raw = name in given ? given[name]! : name in envDefaults ? envDefaults[name]! : undefined;
      if (raw === undefined && !hasDefault) {
        if (validateOnly) unsetParameters.add(name);
        else fail('MissingParameter', path, `the parameter '${name}' has no default and no value: give it with --parameter ${name}=VALUE or in an environment file`);
        continue;
      }
      const converted = raw === undefined ? checkedDefault : checkValue(raw, path, isHidden ? 'the value' : 'value');
      // An invalid value is reported once, here; functions reading it are not reported again.
      if (converted !== undefined) parameters[name] = converted;
      else unsetParameters.add(name);
    }
  }
  const description = data[syntax.description];
  if (typeof description === 'string') summary.Description = description;
  if (format === 'hot' && data.parameter_groups !== undefined) summary.ParameterGroups = data.parameter_groups;
  if (format === 'hot') checkParameterGroups(data.parameter_groups, isObject(declared) ? declared : {}, (path, message) => fail('InvalidParameterGroup', path, message));

  const mappings = format === 'cfn' && isObject(data.Mappings) ? data.Mappings : {};
  if (format === 'cfn' && data.Mappings !== undefined && !isObject(data.Mappings)) fail('NotAMapping', 'Mappings', 'Mappings must be a mapping');

  // Resources, first their names so that references can be checked in any order.
  const resourcesSection = data[syntax.resources] ?? {};
  if (!isObject(resourcesSection)) {
    fail('NotAMapping', syntax.resources, `'${syntax.resources}' must be a mapping of resource names to definitions`);
    return done();
  }
  const names = new Set(Object.keys(resourcesSection));

  // Conditions: each evaluated once, on demand, with loops reported instead of followed.
  const conditionsSection = version.conditions ? data[syntax.conditions] ?? {} : {};
  const conditionValues = new Map<string, boolean>();
  const evaluating: string[] = [];
  const disabled = new Set<string>();
  const ctx: ResolveContext = {
    format, version: versionKey(version), stackName: input.stackName, stackId: '', parameters, unsetParameters,
    resourceNames: names, disabledResources: disabled, mappings, readFile: input.readFile,
    condition: (name) => {
      if (!isObject(conditionsSection) || !(name in conditionsSection)) return undefined;
      const known = conditionValues.get(name);
      if (known !== undefined) return known;
      const path = `${syntax.conditions}.${name}`;
      if (evaluating.includes(name)) throw new FunctionError(path, `conditions refer to each other in a loop: ${[...evaluating.slice(evaluating.indexOf(name)), name].join(' -> ')}`);
      evaluating.push(name);
      try {
        const value = evaluateCondition(conditionsSection[name]!, ctx, path);
        conditionValues.set(name, value);
        return value;
      } finally {
        evaluating.pop();
      }
    },
  };
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof FunctionError) fail('InvalidFunction', err.path, err.message);
      else throw err;
      return undefined;
    }
  };
  const resolveAt = (value: Json, path: string): Json | undefined => attempt(() => resolve(value, ctx, path));
  const conditionOf = (definition: JsonObject, path: string): boolean => {
    if (!(syntax.condition in definition)) return true;
    return attempt(() => evaluateCondition(definition[syntax.condition]!, ctx, `${path}.${syntax.condition}`)) ?? true;
  };

  if (!isObject(conditionsSection)) fail('NotAMapping', syntax.conditions, `'${syntax.conditions}' must be a mapping`);
  else for (const name of Object.keys(conditionsSection)) attempt(() => ctx.condition!(name));

  const schemas: Record<string, ResourceType | 'template'> = {};
  /** A nested template's parameters are the properties its resource takes. */
  const nestedParameters: Record<string, { file: string; parameters: JsonObject }> = {};
  for (const [name, definition] of Object.entries(resourcesSection)) {
    const path = `${syntax.resources}.${name}`;
    if (!isObject(definition)) {
      fail('NotAMapping', path, `a resource must be a mapping with a '${syntax.type}'`);
      continue;
    }
    for (const key of Object.keys(definition)) {
      const allowed = (syntax.resourceKeys as readonly string[]).filter((k) => version.conditions || (k !== 'condition' && k !== 'Condition' && k !== 'external_id'));
      if (!allowed.includes(key)) fail('UnknownKey', `${path}.${key}`, `unknown resource key '${key}' (allowed: ${allowed.join(', ')})`);
    }
    if (!conditionOf(definition, path)) disabled.add(name);
    const rawType = definition[syntax.type];
    const typeName = rawType === undefined ? undefined : resolveAt(rawType, `${path}.${syntax.type}`);
    if (typeof typeName !== 'string') {
      if (typeName !== undefined || rawType === undefined) fail('MissingType', path, `the resource has no '${syntax.type}' string`);
      continue;
    }
    const target = registry[typeName]?.target ?? typeName;
    const schema = RESOURCE_TYPES[target];
    if (schema) schemas[name] = schema;
    else if (isTemplateFile(target)) {
      const via = registry[typeName] ? ` (mapped from '${typeName}' by ${registry[typeName]!.file})` : '';
      const url = /^[a-z]+:\/\//.test(target);
      const read = validateOnly && !url && input.readFile ? input.readFile(target) : '';
      if (!validateOnly) fail('NestedStackUnsupported', `${path}.${syntax.type}`, `'${target}' is a template file: nested stacks are not supported yet`);
      else if (typeof read !== 'string') {
        fail('FileUnreadable', `${path}.${syntax.type}`, read ? `the nested template ${read.refused}${via}` : `cannot read the nested template '${target}'${via}`);
      } else {
        const nested = url ? undefined : input.parseFile?.(target);
        if (nested && nested.errors.length > 0) fail('NestedTemplateInvalid', `${path}.${syntax.type}`, `the nested template '${target}' does not parse: ${nested.errors[0]!.message}`);
        else if (nested && isObject(nested.data)) {
          const params = nested.data.parameters ?? nested.data.Parameters ?? {};
          if (isObject(params)) nestedParameters[name] = { file: target, parameters: params };
        }
        schemas[name] = 'template';
      }
    } else {
      const via = registry[typeName] ? ` (mapped from '${typeName}' by ${registry[typeName]!.file})` : '';
      const namespace = target.split('::').slice(0, 2).join('::');
      const near = Object.keys(RESOURCE_TYPES).filter((t) => t.startsWith(`${namespace}::`)).sort();
      const hint = near.length > 0 ? `; ${namespace} types stoke has: ${near.join(', ')}` : '; see `stoke resource type list`';
      fail('UnknownResourceType', `${path}.${syntax.type}`, `unknown resource type '${target}'${via}${hint}`);
    }
  }

  const attributesUsed: Record<string, Set<string>> = {};
  const checkReferences = (value: Json, path: string, into?: Set<string>) => {
    for (const ref of findReferences(value, format, names, path)) {
      if (disabled.has(ref.resource)) continue;
      into?.add(ref.resource);
      if (ref.attribute === undefined) continue;
      const target = schemas[ref.resource];
      const used = (attributesUsed[ref.resource] ??= new Set());
      if (ref.attribute === '') {
        if (target && target !== 'template') Object.keys(target.attributes).forEach((a) => used.add(a));
      } else if (target && target !== 'template' && !target.anyProperties && !target.dynamicAttributes && !(ref.attribute in target.attributes) && ref.attribute !== 'show') {
        fail('UnknownAttribute', ref.path, `${target.name} '${ref.resource}' has no attribute '${ref.attribute}' (it has: ${Object.keys(target.attributes).join(', ') || 'none'})`);
      } else used.add(ref.attribute);
    }
  };

  const resources: Record<string, PlannedResource & { requiresSet: Set<string> }> = {};
  for (const [name, definition] of Object.entries(resourcesSection)) {
    // A resource of an unknown type is still checked for everything but its properties' schema.
    const schema = schemas[name];
    if (!isObject(definition) || disabled.has(name)) continue;
    const path = `${syntax.resources}.${name}`;
    const requires = new Set<string>();
    const dependsOn = definition[syntax.dependsOn] ?? [];
    const dependsList = typeof dependsOn === 'string' ? [dependsOn] : dependsOn;
    if (!Array.isArray(dependsList)) fail('InvalidDependsOn', `${path}.${syntax.dependsOn}`, `'${syntax.dependsOn}' must be a resource name or a list of them`);
    else {
      dependsList.forEach((dep, i) => {
        const at = typeof dependsOn === 'string' ? `${path}.${syntax.dependsOn}` : `${path}.${syntax.dependsOn}[${i}]`;
        if (typeof dep === 'string' && names.has(dep) && dep !== name) {
          if (!disabled.has(dep)) requires.add(dep);
        } else fail('UnknownResourceRef', at, `'${String(dep)}' is not another resource of this template`);
      });
    }
    const rawPolicy = definition[syntax.deletionPolicy];
    const policy = rawPolicy === undefined ? 'Delete' : resolveAt(rawPolicy, `${path}.${syntax.deletionPolicy}`);
    const policies = ['Delete', 'Retain', 'Snapshot', ...(version.conditions && format === 'hot' ? ['delete', 'retain', 'snapshot'] : [])];
    if (policy !== undefined && (typeof policy !== 'string' || !policies.includes(policy))) {
      fail('InvalidDeletionPolicy', `${path}.${syntax.deletionPolicy}`, `deletion policy must be one of ${policies.join(', ')}, got ${describe(policy)}`);
    } else if (typeof policy === 'string' && policy.toLowerCase() === 'snapshot') {
      warn('SnapshotAsDelete', `${path}.${syntax.deletionPolicy}`, 'deletion policy Snapshot is carried out as Delete: stoke takes no snapshots');
    }
    if ('external_id' in definition) fail('Unsupported', `${path}.external_id`, 'external_id (adopting an existing resource) is not supported');

    const extras: { metadata?: JsonObject; updatePolicy?: JsonObject } = {};
    for (const [key, field] of [[syntax.metadata, 'metadata'], [syntax.updatePolicy, 'updatePolicy']] as const) {
      if (definition[key] === undefined) continue;
      checkReferences(definition[key]!, `${path}.${key}`, requires);
      const value = resolveAt(definition[key]!, `${path}.${key}`);
      if (value !== undefined && value !== null && !isObject(value)) fail('NotAMapping', `${path}.${key}`, `${key} must be a mapping`);
      else if (isObject(value)) extras[field] = value;
    }

    const rawProperties = definition[syntax.properties] ?? {};
    const propertiesPath = `${path}.${syntax.properties}`;
    if (!isObject(rawProperties)) {
      fail('NotAMapping', propertiesPath, 'properties must be a mapping');
      continue;
    }
    checkReferences(rawProperties, propertiesPath, requires);
    const properties: JsonObject = {};
    if (schema === undefined || schema === 'template') {
      const nested = nestedParameters[name];
      for (const [key, raw] of Object.entries(rawProperties)) {
        if (nested && !(key in nested.parameters)) {
          fail('UnknownProperty', `${propertiesPath}.${key}`, `the nested template '${nested.file}' has no parameter '${key}' (it has: ${Object.keys(nested.parameters).join(', ') || 'none'})`);
          continue;
        }
        const value = resolveAt(raw, `${propertiesPath}.${key}`);
        if (value !== undefined) properties[key] = value;
      }
      for (const [key, spec] of Object.entries(nested?.parameters ?? {})) {
        const hasDefault = isObject(spec) && (spec.default ?? spec.Default ?? null) !== null;
        if (!(key in rawProperties) && !hasDefault) fail('MissingProperty', propertiesPath, `the nested template '${nested!.file}' requires the parameter '${key}'`);
      }
    } else {
      const given = new Set<string>();
      for (const [key, raw] of Object.entries(rawProperties)) {
        given.add(key);
        const propSchema = schema.properties[key];
        if (!propSchema && !schema.anyProperties) {
          fail('UnknownProperty', `${propertiesPath}.${key}`, `${schema.name} has no property '${key}' (it has: ${Object.keys(schema.properties).join(', ')})`);
          continue;
        }
        const value = resolveAt(raw, `${propertiesPath}.${key}`);
        if (value === undefined || value === null) continue;
        if (!propSchema) {
          properties[key] = value;
          continue;
        }
        const checked = checkProperty(propSchema, value);
        if (checked.ok) properties[key] = checked.value;
        else fail('InvalidProperty', `${propertiesPath}.${key}${'at' in checked ? checked.at : ''}`, checked.problem);
      }
      for (const [key, propSchema] of Object.entries(schema.properties)) {
        if (given.has(key)) continue;
        if (propSchema.required) fail('MissingProperty', propertiesPath, `${schema.name} requires the property '${key}'`);
        else if (propSchema.default !== undefined) properties[key] = propSchema.default as Json;
      }
      for (const issue of schema.validate?.(properties) ?? []) fail('InvalidProperty', `${propertiesPath}${issue.path}`, issue.message);
    }
    if (schema === undefined) continue;
    const type = schema === 'template' ? String(definition[syntax.type]) : schema.name;
    resources[name] = {
      type, ...implementationOf(type), properties, requires: [], requiresSet: requires, attributes: [],
      deletionPolicy: typeof policy === 'string' && policy.toLowerCase() === 'retain' ? 'Retain' : 'Delete', ...extras,
    };
  }

  const outputs: StackPlan['outputs'] = {};
  const outputsSection = data[syntax.outputs] ?? {};
  if (!isObject(outputsSection)) fail('NotAMapping', syntax.outputs, `'${syntax.outputs}' must be a mapping`);
  else {
    for (const [name, definition] of Object.entries(outputsSection)) {
      const path = `${syntax.outputs}.${name}`;
      if (!isObject(definition) || !(syntax.value in definition)) {
        fail('MissingValue', path, `an output must be a mapping with a '${syntax.value}'`);
        continue;
      }
      const allowed = (syntax.outputKeys as readonly string[]).filter((k) => version.conditions || k.toLowerCase() !== 'condition');
      for (const key of Object.keys(definition)) if (!allowed.includes(key)) fail('UnknownKey', `${path}.${key}`, `unknown output key '${key}' (allowed: ${allowed.join(', ')})`);
      const description = definition[syntax.description];
      const described = typeof description === 'string' ? { description } : {};
      // As in Heat, an output whose condition is false stays, with the value null; its value is not evaluated.
      if (!conditionOf(definition, path)) {
        outputs[name] = { value: null, ...described };
        continue;
      }
      checkReferences(definition[syntax.value]!, `${path}.${syntax.value}`);
      const value = resolveAt(definition[syntax.value]!, `${path}.${syntax.value}`);
      if (value !== undefined) outputs[name] = { value, ...described };
    }
  }

  const requires = Object.fromEntries(Object.entries(resources).map(([name, r]) => [name, [...r.requiresSet].sort()]));
  for (const group of cycleGroups(requires)) {
    const sub = Object.fromEntries(group.map((n) => [n, requires[n]!.filter((d) => group.includes(d))]));
    fail('DependencyCycle', `${syntax.resources}.${group[0]}`, `circular dependency among ${group.join(', ')}: ${findCycle(sub)!.join(' -> ')}`);
  }
  if (errors.length > 0) return done();

  const planned: Record<string, PlannedResource> = {};
  for (const [name, { requiresSet: _, ...r }] of Object.entries(resources)) {
    planned[name] = { ...r, requires: requires[name]!, attributes: [...(attributesUsed[name] ?? [])].sort() };
  }
  // Only values the plan already carries are listed, so that listing them never adds a copy.
  const carried = JSON.stringify({ planned, outputs });
  const hiddenValues = hiddenParameters.map((name) => parameters[name]).filter((v): v is Json => v !== undefined && v !== null && v !== '')
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).filter((v) => carried.includes(JSON.stringify(v).slice(1, -1)));
  return {
    ...done(),
    plan: {
      name: input.stackName, format, version: versionKey(version), resources: planned, outputs,
      timeoutMinutes: input.timeoutMinutes ?? 60, disableRollback: input.disableRollback ?? false,
      ...(hiddenValues.length > 0 ? { hiddenValues } : {}),
    },
  };
}

function checkParameterGroups(groups: Json | undefined, declared: JsonObject, fail: (path: string, message: string) => void): void {
  if (groups === undefined || groups === null) return;
  if (!Array.isArray(groups)) return fail('parameter_groups', 'parameter_groups must be a list');
  const seen = new Map<string, number>();
  groups.forEach((group, i) => {
    const path = `parameter_groups[${i}]`;
    if (!isObject(group)) return fail(path, `a parameter group must be a mapping, got ${describe(group)}`);
    for (const key of Object.keys(group)) if (!['label', 'description', 'parameters'].includes(key)) fail(`${path}.${key}`, `unknown parameter group key '${key}' (allowed: label, description, parameters)`);
    const names = group.parameters;
    if (!Array.isArray(names)) return fail(`${path}.parameters`, 'a parameter group needs a list of parameter names');
    names.forEach((name, j) => {
      const at = `${path}.parameters[${j}]`;
      if (typeof name !== 'string' || !(name in declared)) return fail(at, `'${String(name)}' is not a parameter of this template`);
      if (seen.has(name)) return fail(at, `parameter '${name}' is already in parameter group ${seen.get(name)}`);
      seen.set(name, i);
    });
  });
}

function byPosition(issues: TemplateIssue[]): TemplateIssue[] {
  return [...issues].sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Adds file, line and column to issues that carry only a path: the position of the path or its nearest ancestor. */
function locate(issues: TemplateIssue[], input: PlanInput): TemplateIssue[] {
  const files = [input.template, ...(input.environments ?? [])];
  return issues.map((issue) => {
    if (issue.line !== undefined) return issue;
    const source = files.find((f) => f.file === (issue.file ?? input.template.file)) ?? input.template;
    let path = issue.path;
    for (;;) {
      const pos = source.positions.get(path);
      if (pos) return { ...issue, file: source.file, line: pos.line, column: pos.column };
      const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      if (cut <= 0) {
        const top = source.positions.get(path);
        return { ...issue, file: source.file, line: top?.line ?? 1, column: top?.column ?? 1 };
      }
      path = path.slice(0, cut);
    }
  });
}
