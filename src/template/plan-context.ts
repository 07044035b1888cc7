/**
 * What the passes of {@link planStack} share: the template's syntax, the one issue collector, and the
 * context every pass reads what earlier passes found from and adds its own to.
 */
import type { ResourceType } from '../resources/plugin';
import { evaluateCondition, FunctionError, resolve, type ResolveContext } from './functions';
import { isObject, type ParsedFile, type TemplateIssue } from './parse';
import type { PlanInput, TemplateSummary } from './plan';
import type { Json, JsonObject, NestedSource, PlannedResource, StackPlan, TemplateFormat } from './types';
import { versionKey, type TemplateVersion } from './versions';

/** Section and key names differ between the two formats; everything else is shared. */
export const SYNTAX = {
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

export type Syntax = (typeof SYNTAX)[TemplateFormat];

export function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} '${String(value)}'`;
}

export type Checked = { ok: true; value: Json } | { ok: false; problem: string };
export const ok = (value: Json): Checked => ({ ok: true, value });
export const problem = (text: string): Checked => ({ ok: false, problem: text });

/** Every error and warning of one planning, each with its path; all are reported at once. */
export class Issues {
  readonly errors: TemplateIssue[];
  readonly warnings: TemplateIssue[];

  constructor(private readonly input: PlanInput) {
    // The files' own syntax errors come first: planning stops at them.
    const files = [input.template, ...(input.environments ?? [])];
    this.errors = files.flatMap((f) => f.errors);
    this.warnings = files.flatMap((f) => f.warnings);
  }

  fail(code: string, path: string, message: string, file = this.input.template.file): void {
    this.errors.push({ code, path, message, file });
  }

  warn(code: string, path: string, message: string, file = this.input.template.file): void {
    this.warnings.push({ code, path, message, file });
  }

  /** Runs a template function, reporting its error rather than throwing it. */
  attempt<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (err instanceof FunctionError) this.fail('InvalidFunction', err.path, err.message);
      else throw err;
      return undefined;
    }
  }

  /** The issues in file order, each with the line and column of its path where the file has one. */
  located(): { errors: TemplateIssue[]; warnings: TemplateIssue[] } {
    return { errors: byPosition(locate(this.errors, this.input)), warnings: byPosition(locate(this.warnings, this.input)) };
  }
}

function byPosition(issues: TemplateIssue[]): TemplateIssue[] {
  return [...issues].sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/**
 * Adds file, line and column to issues that carry only a path: the position of the path or of its
 * nearest ancestor in the file. A path none of whose ancestors is in the file (a section the template
 * lacks, the whole file) gets no line rather than an invented one.
 */
function locate(issues: TemplateIssue[], input: PlanInput): TemplateIssue[] {
  const files = [input.template, ...(input.environments ?? [])];
  return issues.map((issue) => {
    if (issue.line !== undefined) return issue;
    const source = files.find((f) => f.file === (issue.file ?? input.template.file)) ?? input.template;
    const pos = nearestPosition(source, issue.path);
    return pos ? { ...issue, file: source.file, line: pos.line, column: pos.column } : { ...issue, file: source.file };
  });
}

function nearestPosition(source: ParsedFile, path: string): { line: number; column: number } | undefined {
  for (let at = path; at !== ''; at = at.slice(0, Math.max(at.lastIndexOf('.'), at.lastIndexOf('['), 0))) {
    const pos = source.positions.get(at);
    if (pos) return pos;
  }
  return undefined;
}

/** `template validate`'s answer before anything is known of the template. */
export const emptySummary = (): TemplateSummary => ({
  Description: '', Parameters: {}, Environment: { parameters: {}, parameter_defaults: {}, resource_registry: { resources: {} }, event_sinks: [] },
});

/** A planned resource while its references are still being collected. */
export type PlanningResource = PlannedResource & { requiresSet: Set<string> };

/** What the passes share; each reads what earlier passes found and adds its own. */
export interface PlanContext {
  readonly input: PlanInput;
  /** `template validate`: parameters may lack values, template files may be resource types. */
  readonly validateOnly: boolean;
  readonly issues: Issues;
  readonly data: JsonObject;
  readonly format: TemplateFormat;
  readonly version: TemplateVersion;
  readonly syntax: Syntax;
  readonly summary: TemplateSummary;
  /** Parameter names declared hidden: their values must never be printed. */
  readonly hiddenParameters: string[];
  /** The environments' `parameters` and `parameter_defaults`, later files winning. */
  readonly envParameters: Record<string, Json>;
  readonly envDefaults: Record<string, Json>;
  /** The environments' resource_registry: type name to the type or template file it stands for. */
  readonly registry: Record<string, { target: string; file: string }>;
  /**
   * resource_registry.resources, by resource name (later environments merged over earlier): a type name maps
   * that resource's type only; a mapping is for the resource of that name in the nested stack below.
   */
  readonly resourceRegistry: Record<string, { entries: JsonObject; file: string }>;
  /** Parameter values, converted to their declared types. */
  readonly parameters: Record<string, Json>;
  /** Parameters without a value (validation without values, or an invalid value reported already). */
  readonly unsetParameters: Set<string>;
  /** The resources section when it is a mapping (the resources pass reports when it is not). */
  readonly resourceDefinitions: JsonObject;
  /** Every resource's name, so that references can be checked in any order. */
  readonly names: ReadonlySet<string>;
  /** The conditions section, or nothing before versions that have one. */
  readonly conditionDefinitions: Json;
  /** Resources whose condition is false. */
  readonly disabled: Set<string>;
  /** Resolves functions with the values above; conditions are evaluated once, on demand. */
  readonly resolver: ResolveContext;
  readonly schemas: Record<string, ResourceType | 'template'>;
  /** A nested template's parameters are the properties its resource takes. */
  readonly nestedParameters: Record<string, { file: string; parameters: JsonObject }>;
  /** What each nested stack's resource is planned from at run time. */
  readonly nested: Record<string, NestedSource>;
  /** Per resource, the attributes the template reads. */
  readonly attributesUsed: Record<string, Set<string>>;
  readonly resources: Record<string, PlanningResource>;
  readonly outputs: StackPlan['outputs'];
}

/** The context for a template whose format and version are known; the passes fill the rest. */
export function createContext(input: PlanInput, issues: Issues, data: JsonObject, format: TemplateFormat, version: TemplateVersion): PlanContext {
  const syntax = SYNTAX[format];
  const section = data[syntax.resources];
  const resourceDefinitions = isObject(section) ? section : {};
  const base: Omit<PlanContext, 'resolver'> = {
    input, validateOnly: input.mode === 'validate', issues, data, format, version, syntax, summary: emptySummary(), hiddenParameters: [],
    envParameters: {}, envDefaults: {}, registry: {}, resourceRegistry: {}, parameters: {}, unsetParameters: new Set(),
    resourceDefinitions, names: new Set(Object.keys(resourceDefinitions)), disabled: new Set(),
    conditionDefinitions: version.conditions ? data[syntax.conditions] ?? {} : {},
    schemas: {}, nestedParameters: {}, nested: {}, attributesUsed: {}, resources: {}, outputs: {},
  };
  return { ...base, resolver: resolverFor(base) };
}

/** A resolve context whose conditions are each evaluated once, on demand, with loops reported instead of followed. */
function resolverFor(ctx: Omit<PlanContext, 'resolver'>): ResolveContext {
  const { data, format, version, syntax, conditionDefinitions: conditions } = ctx;
  const values = new Map<string, boolean>();
  const evaluating: string[] = [];
  const mappings = format === 'cfn' && isObject(data.Mappings) ? data.Mappings : {};
  const resolver: ResolveContext = {
    format, version: versionKey(version), stackName: ctx.input.stackName, stackId: '', parameters: ctx.parameters, unsetParameters: ctx.unsetParameters,
    resourceNames: ctx.names, disabledResources: ctx.disabled, mappings, readFile: ctx.input.readFile,
    condition: (name) => {
      if (!isObject(conditions) || !(name in conditions)) return undefined;
      const known = values.get(name);
      if (known !== undefined) return known;
      const path = `${syntax.conditions}.${name}`;
      if (evaluating.includes(name)) throw new FunctionError(path, `conditions refer to each other in a loop: ${[...evaluating.slice(evaluating.indexOf(name)), name].join(' -> ')}`);
      evaluating.push(name);
      try {
        const value = evaluateCondition(conditions[name]!, resolver, path);
        values.set(name, value);
        return value;
      } finally {
        evaluating.pop();
      }
    },
  };
  return resolver;
}

/** A value with its functions resolved, or undefined after reporting why it cannot be. */
export function resolveAt(ctx: PlanContext, value: Json, path: string): Json | undefined {
  return ctx.issues.attempt(() => resolve(value, ctx.resolver, path));
}

/** Whether a resource or output is enabled by its condition; an invalid condition is reported and counts as true. */
export function conditionOf(ctx: PlanContext, definition: JsonObject, path: string): boolean {
  const key = ctx.syntax.condition;
  if (!(key in definition)) return true;
  return ctx.issues.attempt(() => evaluateCondition(definition[key]!, ctx.resolver, `${path}.${key}`)) ?? true;
}
