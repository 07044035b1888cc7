/** The parameters pass of {@link planStack}: each declared parameter checked, and its value found, converted and constrained. */
import { violation, type Constraint } from './constraints';
import { isObject } from './parse';
import { describe, ok, problem, type Checked, type Issues, type PlanContext } from './plan-context';
import { MASK } from './redact';
import type { Json, JsonObject, TemplateFormat } from './types';

/** Parameter types by the names each format uses, mapped to HOT's. */
const PARAMETER_TYPES: Readonly<Record<string, string>> = {
  string: 'string', number: 'number', json: 'json', comma_delimited_list: 'comma_delimited_list', boolean: 'boolean',
  String: 'string', Number: 'number', Json: 'json', CommaDelimitedList: 'comma_delimited_list', Boolean: 'boolean',
};

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

const num = (v: Json | undefined) => (v === undefined || v === null ? undefined : Number(v));

/** A parameter's constraints in one shape: HOT's `constraints` list, or CFN's keys on the parameter. */
function parameterConstraints(spec: JsonObject, format: TemplateFormat, path: string, issues: Issues): Constraint[] {
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
    issues.fail('InvalidConstraint', `${path}.constraints`, 'constraints must be a list');
    return [];
  }
  return list.flatMap((item, i) => hotConstraint(item, `${path}.constraints[${i}]`, issues) ?? []);
}

/** One entry of HOT's `constraints` list; undefined after reporting what is wrong with it. */
function hotConstraint(item: Json, at: string, issues: Issues): Constraint | undefined {
  const fail = (path: string, message: string): undefined => {
    issues.fail('InvalidConstraint', path, message);
    return undefined;
  };
  if (!isObject(item)) return fail(at, `a constraint must be a mapping, got ${describe(item)}`);
  const description = typeof item.description === 'string' ? item.description : undefined;
  const kinds = Object.keys(item).filter((key) => key !== 'description');
  if (kinds.length !== 1) return fail(at, `a constraint needs exactly one of length, range, modulo, allowed_values, allowed_pattern, custom_constraint (got ${kinds.join(', ') || 'none'})`);
  const kind = kinds[0]!;
  const arg = item[kind]!;
  switch (kind) {
    case 'length':
    case 'range': {
      const b = isObject(arg) ? { min: num(arg.min), max: num(arg.max) } : undefined;
      if (!b || (b.min === undefined && b.max === undefined) || Number.isNaN(b.min) || Number.isNaN(b.max)) return fail(`${at}.${kind}`, `${kind} needs a numeric min and/or max`);
      return kind === 'length' ? { length: b, description } : { range: b, description };
    }
    case 'modulo':
      if (!isObject(arg) || typeof arg.step !== 'number' || typeof arg.offset !== 'number') return fail(`${at}.modulo`, 'modulo needs numeric step and offset');
      return { modulo: { step: arg.step, offset: arg.offset }, description };
    case 'allowed_values':
      if (!Array.isArray(arg)) return fail(`${at}.allowed_values`, 'allowed_values must be a list');
      return { allowedValues: arg.map((v) => (typeof v === 'object' ? JSON.stringify(v) : v as string | number | boolean)), description };
    case 'allowed_pattern':
      if (typeof arg !== 'string') return fail(`${at}.allowed_pattern`, 'allowed_pattern must be a string');
      return { allowedPattern: arg, description };
    case 'custom_constraint':
      if (typeof arg !== 'string') return fail(`${at}.custom_constraint`, 'custom_constraint must be a name');
      return { customConstraint: arg, description };
    default:
      return fail(`${at}.${kind}`, `unknown constraint '${kind}' (known: length, range, modulo, allowed_values, allowed_pattern, custom_constraint)`);
  }
}

/** Checks the parameters section and sets each parameter's value: `--parameter`, then environments, then its default. */
export function planParameters(ctx: PlanContext): void {
  const { syntax, issues } = ctx;
  const declared = ctx.data[syntax.parameters] ?? {};
  if (!isObject(declared)) issues.fail('NotAMapping', syntax.parameters, `'${syntax.parameters}' must be a mapping`);
  else {
    const given = { ...ctx.envParameters, ...(ctx.input.parameters ?? {}) };
    for (const name of Object.keys(given)) {
      if (!(name in declared)) issues.fail('UnknownParameter', syntax.parameters, `the template declares no parameter '${name}' (given with --parameter or in an environment)`);
    }
    for (const [name, spec] of Object.entries(declared)) planParameter(ctx, name, spec, given);
  }
  if (ctx.format === 'hot') checkParameterGroups(ctx.data.parameter_groups, isObject(declared) ? declared : {}, issues);
}

function planParameter(ctx: PlanContext, name: string, spec: Json, given: Record<string, Json>): void {
  const { syntax, issues } = ctx;
  const path = `${syntax.parameters}.${name}`;
  if (!isObject(spec)) return issues.fail('NotAMapping', path, 'a parameter must be a mapping with at least a type');
  for (const key of Object.keys(spec)) {
    if (!(syntax.paramKeys as readonly string[]).includes(key)) issues.fail('UnknownKey', `${path}.${key}`, `unknown parameter key '${key}' (allowed: ${syntax.paramKeys.join(', ')})`);
  }
  const declaredType = spec[syntax.paramType];
  const type = typeof declaredType === 'string' ? PARAMETER_TYPES[declaredType] : undefined;
  if (!type) {
    return issues.fail(declaredType === undefined ? 'MissingType' : 'UnknownParameterType', `${path}.${syntax.paramType}`,
      declaredType === undefined ? 'the parameter has no type' : `unknown parameter type ${describe(declaredType)} (known: ${Object.keys(PARAMETER_TYPES).filter((t) => (ctx.format === 'hot') === (t === t.toLowerCase())).join(', ')})`);
  }
  const hidden = spec[syntax.paramHidden];
  const isHidden = hidden === true || hidden === 'true';
  if (isHidden) ctx.hiddenParameters.push(name);
  for (const key of [syntax.paramLabel, syntax.description]) {
    if (spec[key] !== undefined && typeof spec[key] !== 'string') issues.fail('InvalidParameter', `${path}.${key}`, `${key} must be a string`);
  }
  const constraints = parameterConstraints(spec, ctx.format, path, issues);
  summarizeParameter(ctx, { name, type, isHidden, constraints }, spec, given[name]);
  for (const c of constraints) if (c.customConstraint) issues.warn('UncheckedConstraint', path, `custom_constraint '${c.customConstraint}' is not checked by stoke`);
  const check = (raw: Json, what: string) => checkValue(issues, { name, type, path, isHidden, constraints }, raw, what);
  const defaultValue = spec[syntax.paramDefault];
  const hasDefault = defaultValue !== undefined && defaultValue !== null;
  const checkedDefault = hasDefault ? check(defaultValue, isHidden ? 'the default' : 'default') : undefined;
  const raw = name in given ? given[name]! : name in ctx.envDefaults ? ctx.envDefaults[name]! : undefined;
  if (raw === undefined && !hasDefault) {
    if (ctx.validateOnly) ctx.unsetParameters.add(name);
    else issues.fail('MissingParameter', path, `the parameter '${name}' has no default and no value: give it with --parameter ${name}=VALUE or in an environment file`);
    return;
  }
  const converted = raw === undefined ? checkedDefault : check(raw, isHidden ? 'the value' : 'value');
  // An invalid value is reported once, here; functions reading it are not reported again.
  if (converted !== undefined) ctx.parameters[name] = converted;
  else ctx.unsetParameters.add(name);
}

/** Heat's validate answer names types in CFN's spelling. */
const SUMMARY_TYPES: Readonly<Record<string, string>> = {
  string: 'String', number: 'Number', json: 'Json', comma_delimited_list: 'CommaDelimitedList', boolean: 'Boolean',
};

/** Constraints as Heat's validate answer gives them: one key per bound, their descriptions joined. */
function constraintKeys(constraints: readonly Constraint[]): JsonObject {
  const out: JsonObject = {};
  for (const c of constraints) {
    if (c.length?.min !== undefined) out.MinLength = c.length.min;
    if (c.length?.max !== undefined) out.MaxLength = c.length.max;
    if (c.range?.min !== undefined) out.MinValue = c.range.min;
    if (c.range?.max !== undefined) out.MaxValue = c.range.max;
    if (c.modulo) Object.assign(out, { Step: c.modulo.step, Offset: c.modulo.offset });
    if (c.allowedValues) out.AllowedValues = [...c.allowedValues];
    if (c.allowedPattern !== undefined) out.AllowedPattern = c.allowedPattern;
    if (c.customConstraint !== undefined) out.CustomConstraint = c.customConstraint;
  }
  const descriptions = [...new Set(constraints.map((c) => c.description).filter((d): d is string => d !== undefined))];
  if (descriptions.length > 0) out.ConstraintDescription = descriptions.join(' ');
  return out;
}

/** The parameter as `template validate` shows it (Heat's validate answer), its default and value masked when hidden. */
function summarizeParameter(ctx: PlanContext, rule: Omit<ParameterRule, 'path'>, spec: JsonObject, value: Json | undefined): void {
  const { syntax } = ctx;
  const { name, type, isHidden, constraints } = rule;
  ctx.summary.Parameters[name] = {
    // As Heat's: no description is an empty one, no label the parameter's name.
    Type: SUMMARY_TYPES[type]!, Description: typeof spec[syntax.description] === 'string' ? spec[syntax.description] as string : '', NoEcho: isHidden ? 'true' : 'false',
    Label: typeof spec[syntax.paramLabel] === 'string' ? spec[syntax.paramLabel] as string : name,
    ...(spec[syntax.paramDefault] !== undefined ? { Default: isHidden ? MASK : spec[syntax.paramDefault]! } : {}),
    ...(value !== undefined ? { Value: isHidden ? MASK : value } : {}),
    ...constraintKeys(constraints),
  };
}

interface ParameterRule {
  readonly name: string;
  readonly type: string;
  readonly path: string;
  readonly isHidden: boolean;
  readonly constraints: readonly Constraint[];
}

/** A value converted to the parameter's type and within its constraints; undefined after reporting why not. */
function checkValue(issues: Issues, rule: ParameterRule, raw: Json, what: string): Json | undefined {
  const { name, type, path, isHidden } = rule;
  const converted = convertParameter(type, raw);
  // Hidden values never appear in messages.
  const subject = `${what}${isHidden ? '' : ` '${typeof raw === 'string' ? raw : JSON.stringify(raw)}'`}`;
  if (!converted.ok) {
    issues.fail('InvalidParameter', path, `parameter '${name}' (${type}): ${subject} ${converted.problem}`);
    return undefined;
  }
  for (const constraint of rule.constraints) {
    const why = violation(constraint, converted.value);
    if (why) {
      // Even a length or a pattern says something about a hidden value: name only the constraint.
      const said = isHidden ? constraint.description ?? `it fails its ${Object.keys(constraint).filter((k) => k !== 'description').join(', ')} constraint` : why;
      issues.fail('ConstraintViolation', path, `parameter '${name}' (${type}): ${subject} is not allowed: ${said}`);
      return undefined;
    }
  }
  return converted.value;
}

function checkParameterGroups(groups: Json | undefined, declared: JsonObject, issues: Issues): void {
  const fail = (path: string, message: string) => issues.fail('InvalidParameterGroup', path, message);
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
