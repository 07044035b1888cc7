/**
 * Validation and planning: a parsed template, its environments and parameter values become a
 * {@link StackPlan}, or a list of every problem found, each with its path. Nothing is created before
 * this passes.
 */
import type { FileText } from './functions';
import { cycleGroups, findCycle } from './graph';
import { isObject, type ParsedFile, type TemplateIssue } from './parse';
import { createContext, describe, emptySummary, Issues, SYNTAX, type PlanContext } from './plan-context';
import { planParameters } from './plan-parameters';
import { planMounts } from './plan-mounts';
import { evaluateConditions, planOutputs, planResources, resolveTypes } from './plan-resources';
import type { Json, JsonObject, PlannedResource, StackPlan, TemplateFormat } from './types';
import { MASK } from './redact';
import { cfnVersion, HOT_RELEASE_NAMES, HOT_VERSION_DATES, hotVersion, versionKey, type TemplateVersion } from './versions';

export { checkProperty } from './plan-resources';

export interface PlanInput {
  readonly stackName: string;
  readonly template: ParsedFile;
  /** Environment files, merged in order. */
  readonly environments?: readonly ParsedFile[];
  /** `--parameter k=v` values, which win over environments; a nested stack's are its resource's properties. */
  readonly parameters?: Readonly<Record<string, Json>>;
  /** How many stacks this one is nested in: 0 for a root stack. */
  readonly depth?: number;
  /**
   * `validate` checks a template without values for its parameters (as `template validate` does);
   * `create` needs every value.
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

/** Heat's validate answer: parameters with CFN's keys (Type, Description, NoEcho, Label, Default, Value, MinLength…). */
export interface TemplateSummary {
  Description: string;
  Parameters: Record<string, JsonObject & { Type: string; Description: string; NoEcho: 'true' | 'false'; Label: string }>;
  ParameterGroups?: Json;
  /** The environments merged, with the values given: what Heat's validate answers besides (hidden values masked). */
  Environment: { parameters: JsonObject; parameter_defaults: JsonObject; resource_registry: JsonObject; event_sinks: Json[] };
}

const ENVIRONMENT_SECTIONS = ['parameters', 'parameter_defaults', 'resource_registry', 'event_sinks', 'encrypted_param_names', 'parameter_merge_strategies'];

/**
 * Validates everything and returns the plan, or every error found (never just the first). The passes
 * run in order over one context, each reporting to the same issues.
 */
export function planStack(input: PlanInput): PlanResult {
  const issues = new Issues(input);
  const template = issues.errors.length === 0 ? checkSyntax(input.template, issues) : undefined;
  if (!template) return result(issues, { hiddenParameters: [], summary: emptySummary() });
  const ctx = createContext(input, issues, template.data, template.format, template.version);
  readEnvironments(ctx);
  planParameters(ctx);
  summarize(ctx);
  checkMappings(ctx);
  if (!checkResourcesSection(ctx)) return result(issues, ctx);
  evaluateConditions(ctx);
  resolveTypes(ctx);
  planResources(ctx);
  planMounts(ctx);
  planOutputs(ctx);
  const requires = checkDependencies(ctx);
  return result(issues, ctx, issues.errors.length === 0 ? assemblePlan(ctx, requires) : undefined);
}

function result(issues: Issues, { hiddenParameters, summary }: Pick<PlanContext, 'hiddenParameters' | 'summary'>, plan?: StackPlan): PlanResult {
  return { ...issues.located(), hiddenParameters, summary, ...(plan ? { plan } : {}) };
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

/** The syntax pass: the template's format, version and sections; undefined when it is no template of a known version. */
function checkSyntax(template: ParsedFile, issues: Issues): { data: JsonObject; format: TemplateFormat; version: TemplateVersion } | undefined {
  const data = template.data;
  if (!isObject(data)) {
    issues.fail('NotAMapping', '', `a template must be a mapping of sections, got ${describe(data)}`);
    return undefined;
  }
  const detected = templateVersion(data);
  if (!detected) {
    issues.fail('UnknownFormat', '', 'not a Heat template: it has neither heat_template_version (HOT) nor HeatTemplateFormatVersion/AWSTemplateFormatVersion (CFN)');
    return undefined;
  }
  const { format, version } = detected;
  if (!version) {
    issues.fail('UnknownVersion', ...detected.problem!);
    return undefined;
  }
  const syntax = SYNTAX[format];
  const sections = (syntax.sections as readonly string[]).filter((s) => s !== syntax.conditions || version.conditions);
  for (const section of Object.keys(data)) {
    if (!sections.includes(section)) {
      const hint = section === syntax.conditions ? ` (conditions need ${format === 'hot' ? 'heat_template_version 2016-10-14 or later' : 'AWSTemplateFormatVersion 2010-09-09'})` : ` (allowed: ${sections.join(', ')})`;
      issues.fail('UnknownSection', section, `unknown section '${section}'${hint}`);
    }
  }
  return { data, format, version };
}

/** The environments pass: later files win; parameter_defaults only fill parameters the template declares. */
function readEnvironments(ctx: PlanContext): void {
  for (const env of ctx.input.environments ?? []) {
    if (env.data === null) continue;
    if (!isObject(env.data)) {
      ctx.issues.fail('NotAMapping', '', `an environment must be a mapping, got ${describe(env.data)}`, env.file);
      continue;
    }
    for (const [section, value] of Object.entries(env.data)) readEnvironmentSection(ctx, section, value, env.file);
  }
}

function readEnvironmentSection(ctx: PlanContext, section: string, value: Json, file: string): void {
  const { issues } = ctx;
  if (!ENVIRONMENT_SECTIONS.includes(section)) {
    issues.fail('UnknownSection', section, `unknown environment section '${section}' (allowed: ${ENVIRONMENT_SECTIONS.join(', ')})`, file);
  } else if (section === 'event_sinks') {
    issues.warn('Ignored', section, 'event_sinks are ignored: stoke\'s events are the Temporal history', file);
  } else if (section === 'encrypted_param_names' || section === 'parameter_merge_strategies') {
    return;
  } else if (value !== null && !isObject(value)) {
    issues.fail('NotAMapping', section, `'${section}' must be a mapping`, file);
  } else if (section === 'parameters') Object.assign(ctx.envParameters, value);
  else if (section === 'parameter_defaults') Object.assign(ctx.envDefaults, value);
  else {
    for (const [alias, target] of Object.entries(value ?? {})) {
      if (typeof target === 'string') ctx.registry[alias] = { target, file };
      else if (alias === 'resources') readResourceRegistry(ctx, target, file);
      else issues.fail('InvalidRegistry', `resource_registry.${alias}`, `a registry entry maps a type name to a type or a template file, got ${describe(target)}`, file);
    }
  }
}

/** Heat's per-resource entries: `{name: {Type: target}}` maps that resource's type; `{name: {inner: {...}}}` goes down to its nested stack. */
function readResourceRegistry(ctx: PlanContext, value: Json, file: string): void {
  const at = 'resource_registry.resources';
  if (value === null) return;
  if (!isObject(value)) return ctx.issues.fail('InvalidRegistry', at, `per-resource entries map resource names to mappings, got ${describe(value)}`, file);
  for (const [name, entries] of Object.entries(value)) {
    if (!isObject(entries)) {
      ctx.issues.fail('InvalidRegistry', `${at}.${name}`, `a per-resource entry maps type names to types or template files, got ${describe(entries)}`, file);
      continue;
    }
    for (const [key, target] of Object.entries(entries)) {
      if (key === 'hooks') ctx.issues.warn('Ignored', `${at}.${name}.${key}`, 'hooks are ignored: stoke has no breakpoints, an action does not stop at them', file);
      else if (key === 'restricted_actions') ctx.issues.warn('Ignored', `${at}.${name}.${key}`, 'restricted_actions are not enforced: an update may still change or replace the resource', file);
      else if (target !== null && typeof target !== 'string' && !isObject(target)) {
        ctx.issues.fail('InvalidRegistry', `${at}.${name}.${key}`, `a per-resource entry maps a type name to a type or a template file, got ${describe(target)}`, file);
      }
    }
    ctx.resourceRegistry[name] = { entries: mergeEntries(ctx.resourceRegistry[name]?.entries ?? {}, entries), file };
  }
}

/** Environments merge as Heat's registry loads them: entry by entry, the later file winning. */
function mergeEntries(earlier: JsonObject, later: JsonObject): JsonObject {
  const merged: JsonObject = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    const before = merged[key];
    merged[key] = isObject(before) && isObject(value) ? mergeEntries(before, value) : value;
  }
  return merged;
}

/** What `template validate` shows besides the parameters. */
function summarize({ data, syntax, format, summary, input, envParameters, envDefaults, registry, resourceRegistry, hiddenParameters }: PlanContext): void {
  const description = data[syntax.description];
  if (typeof description === 'string') summary.Description = description;
  if (format === 'hot' && data.parameter_groups !== undefined) summary.ParameterGroups = data.parameter_groups;
  const masked = (values: JsonObject): JsonObject => Object.fromEntries(Object.entries(values).map(([name, v]) => [name, hiddenParameters.includes(name) ? MASK : v]));
  summary.Environment = {
    parameters: masked({ ...envParameters, ...(input.parameters ?? {}) }),
    parameter_defaults: masked(envDefaults),
    resource_registry: {
      ...Object.fromEntries(Object.entries(registry).map(([alias, { target }]) => [alias, target])),
      resources: Object.fromEntries(Object.entries(resourceRegistry).map(([name, { entries }]) => [name, entries])),
    },
    event_sinks: [],
  };
}

function checkMappings({ data, format, issues }: PlanContext): void {
  if (format === 'cfn' && data.Mappings !== undefined && !isObject(data.Mappings)) issues.fail('NotAMapping', 'Mappings', 'Mappings must be a mapping');
}

/** Without a mapping of resources nothing further can be checked. */
function checkResourcesSection({ data, syntax, issues }: PlanContext): boolean {
  const section = data[syntax.resources] ?? {};
  if (isObject(section)) return true;
  issues.fail('NotAMapping', syntax.resources, `'${syntax.resources}' must be a mapping of resource names to definitions`);
  return false;
}

/** Each resource's requirements, sorted; every cycle among them is an error. */
function checkDependencies({ resources, syntax, issues }: PlanContext): Record<string, string[]> {
  const requires = Object.fromEntries(Object.entries(resources).map(([name, r]) => [name, [...r.requiresSet].sort()]));
  for (const group of cycleGroups(requires)) {
    const sub = Object.fromEntries(group.map((n) => [n, requires[n]!.filter((d) => group.includes(d))]));
    issues.fail('DependencyCycle', `${syntax.resources}.${group[0]}`, `circular dependency among ${group.join(', ')}: ${findCycle(sub)!.join(' -> ')}`);
  }
  return requires;
}

function assemblePlan(ctx: PlanContext, requires: Record<string, string[]>): StackPlan {
  const { input, outputs, parameters } = ctx;
  const planned: Record<string, PlannedResource> = {};
  for (const [name, { requiresSet: _, ...r }] of Object.entries(ctx.resources)) {
    planned[name] = { ...r, requires: requires[name]!, attributes: [...(ctx.attributesUsed[name] ?? [])].sort() };
  }
  // Only values the plan already carries are listed, so that listing them never adds a copy.
  const carried = JSON.stringify({ planned, outputs });
  const hiddenValues = ctx.hiddenParameters.map((name) => parameters[name]).filter((v): v is Json => v !== undefined && v !== null && v !== '')
    .map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).filter((v) => carried.includes(JSON.stringify(v).slice(1, -1)));
  return {
    name: input.stackName, format: ctx.format, version: versionKey(ctx.version), resources: planned, outputs,
    timeoutMinutes: input.timeoutMinutes ?? 60, disableRollback: input.disableRollback ?? false,
    ...(hiddenValues.length > 0 ? { hiddenValues } : {}),
  };
}
