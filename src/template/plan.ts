/**
 * Validation and planning: a parsed template, its environments and parameter values become a
 * {@link StackPlan}, or a list of every problem found, each with its path. Nothing is created before
 * this passes.
 */
import { RESOURCE_TYPES, type PropertySchema, type ResourceTypeSchema } from '../resources';
import { findCycle } from './graph';
import { findReferences, FunctionError, isDeferred, resolve, type ResolveContext } from './functions';
import { isObject, type ParsedFile, type TemplateIssue } from './parse';
import type { Json, JsonObject, PlannedResource, StackPlan, TemplateFormat } from './types';

export interface PlanInput {
  readonly stackName: string;
  readonly template: ParsedFile;
  /** Environment files, merged in order. */
  readonly environments?: readonly ParsedFile[];
  /** `--parameter k=v` values, which win over environments. */
  readonly parameters?: Readonly<Record<string, string>>;
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
}

/** Section and key names differ between the two formats; everything else is shared. */
const SYNTAX = {
  hot: {
    sections: ['heat_template_version', 'description', 'parameter_groups', 'parameters', 'resources', 'outputs', 'conditions'],
    parameters: 'parameters', resources: 'resources', outputs: 'outputs',
    resourceKeys: ['type', 'properties', 'depends_on', 'deletion_policy', 'metadata', 'update_policy', 'condition', 'external_id'],
    type: 'type', properties: 'properties', dependsOn: 'depends_on', deletionPolicy: 'deletion_policy',
    outputKeys: ['value', 'description', 'condition'], value: 'value', description: 'description',
    paramType: 'type', paramDefault: 'default', paramHidden: 'hidden',
  },
  cfn: {
    sections: ['AWSTemplateFormatVersion', 'HeatTemplateFormatVersion', 'Description', 'Parameters', 'Mappings', 'Resources', 'Outputs', 'Conditions', 'Metadata'],
    parameters: 'Parameters', resources: 'Resources', outputs: 'Outputs',
    resourceKeys: ['Type', 'Properties', 'DependsOn', 'DeletionPolicy', 'Metadata', 'UpdatePolicy', 'Condition'],
    type: 'Type', properties: 'Properties', dependsOn: 'DependsOn', deletionPolicy: 'DeletionPolicy',
    outputKeys: ['Value', 'Description', 'Condition'], value: 'Value', description: 'Description',
    paramType: 'Type', paramDefault: 'Default', paramHidden: 'NoEcho',
  },
} as const;

const ENVIRONMENT_SECTIONS = ['parameters', 'parameter_defaults', 'resource_registry', 'event_sinks', 'encrypted_param_names'];

function detectFormat(data: JsonObject): TemplateFormat | undefined {
  if ('heat_template_version' in data) return 'hot';
  if ('HeatTemplateFormatVersion' in data || 'AWSTemplateFormatVersion' in data) return 'cfn';
  return undefined;
}

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
  switch (type.toLowerCase()) {
    case 'string':
      return typeof value === 'object' && value !== null ? problem(`expected a string, got ${describe(value)}`) : ok(String(value ?? ''));
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return typeof value === 'boolean' || value === '' || Number.isNaN(n) ? problem(`'${String(value)}' is not a number`) : ok(n);
    }
    case 'boolean': {
      const text = String(value).toLowerCase();
      if (['true', 't', 'on', 'y', 'yes', '1'].includes(text)) return ok(true);
      if (['false', 'f', 'off', 'n', 'no', '0'].includes(text)) return ok(false);
      return problem(`'${String(value)}' is not a boolean`);
    }
    case 'comma_delimited_list':
    case 'commadelimitedlist':
      if (Array.isArray(value)) return ok(value);
      return ok(String(value ?? '') === '' ? [] : String(value).split(',').map((item) => item.trim()));
    case 'json':
      if (typeof value !== 'string') return ok(value);
      try {
        return ok(JSON.parse(value) as Json);
      } catch {
        return problem(`'${value}' is not valid JSON`);
      }
    default:
      return problem(`unknown parameter type '${type}'`);
  }
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
function checkProperty(schema: PropertySchema, value: Json): CheckedProperty {
  if (isDeferred(value)) return ok(value);
  const inner = (sub: string, result: CheckedProperty): CheckedProperty =>
    result.ok ? result : { ok: false, problem: result.problem, at: `${sub}${'at' in result ? result.at : ''}` };
  switch (schema.type) {
    case 'string':
      if (typeof value === 'string') break;
      if (typeof value === 'number' || typeof value === 'boolean') return checkProperty(schema, String(value));
      return problem(`expected a string, got ${describe(value)}`);
    case 'integer':
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n) || (schema.type === 'integer' && !Number.isInteger(n))) {
        return problem(`expected ${schema.type === 'integer' ? 'an integer' : 'a number'}, got ${describe(value)}`);
      }
      const { min, max } = schema.range ?? {};
      if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
        return problem(`${n} is out of range (${min ?? '-∞'}..${max ?? '∞'})`);
      }
      return ok(n);
    }
    case 'boolean':
      if (typeof value === 'boolean') break;
      if (typeof value === 'string' && TRUE_WORDS.includes(value.toLowerCase())) return ok(true);
      if (typeof value === 'string' && FALSE_WORDS.includes(value.toLowerCase())) return ok(false);
      return problem(`expected a boolean, got ${describe(value)}`);
    case 'list': {
      if (!Array.isArray(value)) return problem(`expected a list, got ${describe(value)}`);
      if (!schema.items) break;
      const items: Json[] = [];
      for (const [i, item] of value.entries()) {
        const checked = inner(`[${i}]`, checkProperty(schema.items, item));
        if (!checked.ok) return checked;
        items.push(checked.value);
      }
      return ok(items);
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
      return ok(out);
    }
  }
  if (schema.allowedValues && !schema.allowedValues.includes(String(value))) {
    return problem(`'${String(value)}' is not one of ${schema.allowedValues.join(', ')}`);
  }
  if (typeof value === 'string' && schema.maxLength !== undefined && value.length > schema.maxLength) {
    return problem(`'${value}' is longer than ${schema.maxLength} characters`);
  }
  if (typeof value === 'string' && schema.pattern !== undefined && !new RegExp(`^(?:${schema.pattern})$`).test(value)) {
    return problem(`'${value}' does not match the pattern ${schema.pattern}`);
  }
  return ok(value);
}

/** Validates everything and returns the plan, or every error found (never just the first). */
export function planStack(input: PlanInput): PlanResult {
  const { template } = input;
  const errors: TemplateIssue[] = [...template.errors];
  const warnings: TemplateIssue[] = [...template.warnings];
  const hiddenParameters: string[] = [];
  const fail = (code: string, path: string, message: string, file = template.file) => errors.push({ code, path, message, file });
  const done = (): PlanResult => ({ errors: byPosition(locate(errors, input)), warnings: byPosition(locate(warnings, input)), hiddenParameters });

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
  const format = detectFormat(data);
  if (!format) {
    fail('UnknownFormat', '', 'not a Heat template: it has neither heat_template_version (HOT) nor HeatTemplateFormatVersion/AWSTemplateFormatVersion (CFN)');
    return done();
  }
  const syntax = SYNTAX[format];
  for (const section of Object.keys(data)) {
    if (!(syntax.sections as readonly string[]).includes(section)) {
      fail('UnknownSection', section, `unknown section '${section}' (allowed: ${syntax.sections.join(', ')})`);
    }
  }

  // Environments: later files win; parameter_defaults only fill parameters the template declares.
  const envParameters: Record<string, Json> = {};
  const envDefaults: Record<string, Json> = {};
  const registry: Record<string, string> = {};
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
        warnings.push({ code: 'Ignored', path: section, file: env.file, message: 'event_sinks are ignored: stoke\'s events are the Temporal history' });
      } else if (section !== 'encrypted_param_names' && value !== null && !isObject(value)) {
        fail('NotAMapping', section, `'${section}' must be a mapping`, env.file);
      } else if (section === 'parameters') Object.assign(envParameters, value);
      else if (section === 'parameter_defaults') Object.assign(envDefaults, value);
      else if (section === 'resource_registry') {
        for (const [alias, target] of Object.entries((value ?? {}) as JsonObject)) {
          if (typeof target === 'string') registry[alias] = target;
          else fail('Unsupported', `resource_registry.${alias}`, 'only type aliases ("Alias": "Real::Type") are supported in resource_registry', env.file);
        }
      }
    }
  }

  // Parameters.
  const declared = data[syntax.parameters] ?? {};
  const parameters: Record<string, Json> = {};
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
      const type = spec[syntax.paramType];
      if (typeof type !== 'string') {
        fail('MissingType', path, 'the parameter has no type');
        continue;
      }
      const hidden = spec[syntax.paramHidden];
      if (hidden === true || hidden === 'true') hiddenParameters.push(name);
      const raw = name in given ? given[name]! : name in envDefaults ? envDefaults[name]! : spec[syntax.paramDefault];
      if (raw === undefined) {
        fail('MissingParameter', path, `the parameter '${name}' has no default and no value: give it with --parameter ${name}=VALUE or in an environment file`);
        continue;
      }
      const converted = convertParameter(type, raw);
      if (converted.ok) parameters[name] = converted.value;
      else {
        // Hidden values never appear in messages.
        const reason = hiddenParameters.includes(name) ? 'the value does not match the parameter type' : converted.problem;
        fail('InvalidParameter', path, `parameter '${name}' (${type}): ${reason}`);
      }
    }
  }

  // Resources.
  const resourcesSection = data[syntax.resources] ?? {};
  if (!isObject(resourcesSection)) {
    fail('NotAMapping', syntax.resources, `'${syntax.resources}' must be a mapping of resource names to definitions`);
    return done();
  }
  const names = new Set(Object.keys(resourcesSection));
  const ctx: ResolveContext = { format, stackName: input.stackName, stackId: '', parameters, resourceNames: names };
  const schemas: Record<string, ResourceTypeSchema> = {};
  const resources: Record<string, { type: string; properties: JsonObject; requires: Set<string>; deletionPolicy: 'Delete' | 'Retain' }> = {};
  const attributesUsed: Record<string, Set<string>> = {};

  const checkReferences = (value: Json, path: string, into?: Set<string>) => {
    for (const ref of findReferences(value, format, names, path)) {
      into?.add(ref.resource);
      if (ref.attribute === undefined) continue;
      const target = schemas[ref.resource];
      if (target && !target.anyProperties && !(ref.attribute in target.attributes)) {
        fail('UnknownAttribute', ref.path, `${target.name} '${ref.resource}' has no attribute '${ref.attribute}' (it has: ${Object.keys(target.attributes).join(', ') || 'none'})`);
      }
      (attributesUsed[ref.resource] ??= new Set()).add(ref.attribute);
    }
  };
  const resolveAt = (value: Json, path: string): Json | undefined => {
    try {
      return resolve(value, ctx, path);
    } catch (err) {
      if (err instanceof FunctionError) fail('InvalidFunction', err.path, err.message);
      else throw err;
      return undefined;
    }
  };

  for (const [name, definition] of Object.entries(resourcesSection)) {
    const path = `${syntax.resources}.${name}`;
    if (!isObject(definition)) {
      fail('NotAMapping', path, `a resource must be a mapping with a '${syntax.type}'`);
      continue;
    }
    for (const key of Object.keys(definition)) {
      if (!(syntax.resourceKeys as readonly string[]).includes(key)) fail('UnknownKey', `${path}.${key}`, `unknown resource key '${key}' (allowed: ${syntax.resourceKeys.join(', ')})`);
    }
    const typeName = definition[syntax.type];
    if (typeof typeName !== 'string') {
      fail('MissingType', path, `the resource has no '${syntax.type}'`);
      continue;
    }
    const schema = RESOURCE_TYPES[registry[typeName] ?? typeName];
    if (!schema) {
      fail('UnknownResourceType', `${path}.${syntax.type}`, `unknown resource type '${typeName}' (known: ${Object.keys(RESOURCE_TYPES).sort().join(', ')})`);
      continue;
    }
    schemas[name] = schema;
  }

  for (const [name, definition] of Object.entries(resourcesSection)) {
    const schema = schemas[name];
    if (!schema || !isObject(definition)) continue;
    const path = `${syntax.resources}.${name}`;
    const requires = new Set<string>();
    const dependsOn = definition[syntax.dependsOn] ?? [];
    const dependsList = typeof dependsOn === 'string' ? [dependsOn] : dependsOn;
    if (!Array.isArray(dependsList)) fail('InvalidDependsOn', `${path}.${syntax.dependsOn}`, `'${syntax.dependsOn}' must be a resource name or a list of them`);
    else {
      dependsList.forEach((dep, i) => {
        if (typeof dep === 'string' && names.has(dep) && dep !== name) requires.add(dep);
        else fail('UnknownResourceRef', `${path}.${syntax.dependsOn}[${i}]`, `'${String(dep)}' is not another resource of this template`);
      });
    }
    const policy = definition[syntax.deletionPolicy] ?? 'Delete';
    if (policy !== 'Delete' && policy !== 'Retain') {
      fail('InvalidDeletionPolicy', `${path}.${syntax.deletionPolicy}`, `deletion policy must be Delete or Retain, got ${describe(policy)}`);
    }

    const rawProperties = definition[syntax.properties] ?? {};
    const propertiesPath = `${path}.${syntax.properties}`;
    if (!isObject(rawProperties)) {
      fail('NotAMapping', propertiesPath, 'properties must be a mapping');
      continue;
    }
    checkReferences(rawProperties, propertiesPath, requires);
    const properties: JsonObject = {};
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
    resources[name] = { type: schema.name, properties, requires, deletionPolicy: policy === 'Retain' ? 'Retain' : 'Delete' };
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
      checkReferences(definition[syntax.value]!, `${path}.${syntax.value}`);
      const value = resolveAt(definition[syntax.value]!, `${path}.${syntax.value}`);
      const description = definition[syntax.description];
      if (value !== undefined) outputs[name] = { value, ...(typeof description === 'string' ? { description } : {}) };
    }
  }

  const requires = Object.fromEntries(Object.entries(resources).map(([name, r]) => [name, [...r.requires]]));
  const cycle = findCycle(requires);
  if (cycle) fail('DependencyCycle', `${syntax.resources}.${cycle[0]}`, `circular dependency: ${cycle.join(' -> ')}`);
  if (errors.length > 0) return done();

  const planned: Record<string, PlannedResource> = {};
  for (const [name, r] of Object.entries(resources)) {
    planned[name] = {
      type: r.type,
      properties: r.properties,
      requires: [...r.requires].sort(),
      attributes: [...(attributesUsed[name] ?? [])].sort(),
      deletionPolicy: r.deletionPolicy,
    };
  }
  const timeoutMinutes = input.timeoutMinutes ?? 60;
  return {
    ...done(),
    plan: { name: input.stackName, format, resources: planned, outputs, timeoutMinutes, disableRollback: input.disableRollback ?? false },
  };
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
      if (cut <= 0) return { ...issue, file: source.file };
      path = path.slice(0, cut);
    }
  });
}
