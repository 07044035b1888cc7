/**
 * Nested stacks in the planner: a template used as a resource type, a TemplateURL, OS::Heat::Stack's template.
 * Each child is planned here too (in validate mode: its parameters may wait for other resources), so that
 * every error in any level is reported with its own file and line before anything is created, and what the
 * child reads is carried in the plan for the worker, which plans the child again with its real values.
 */
import * as path from 'node:path';
import type { FileText } from './functions';
import { isObject, parsedData, parseFile, type ParsedFile } from './parse';
import { planStack } from './plan';
import type { PlanContext } from './plan-context';
import type { Json, JsonObject, NestedSource, SourceFile } from './types';

/** Heat's max_nested_stack_depth: how many levels of stacks a root stack may have below it. */
export const MAX_NESTED_DEPTH = 5;

const isUrl = (name: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(name);

/** `name` as read from a template named `ref`: relative to that template's folder, unless absolute. */
export function relativeTo(ref: string, name: string): string {
  const local = name.replace(/^file:\/\//, '');
  if (local.startsWith('/') || isUrl(local)) return local;
  const base = ref.replace(/^file:\/\//, '');
  return path.posix.normalize(path.posix.join(path.posix.dirname(base), local));
}

/** A child's reader: names relative to its template, each text read recorded by the name the child used. */
function childReader(readFile: ((name: string) => FileText) | undefined, ref: string) {
  const files: Record<string, string> = {};
  const read = (name: string): FileText => {
    const text = readFile?.(relativeTo(ref, name));
    if (typeof text === 'string') files[name] = text;
    return text;
  };
  return { files, read, parse: (name: string): ParsedFile | undefined => {
    const text = read(name);
    return typeof text === 'string' ? parseFile(text, relativeTo(ref, name)) : undefined;
  } };
}

/** A registry target as the child reads it: a template file named relative to the child's own folder. */
function relocated(target: string, childDir: string): string {
  const file = /\.(ya?ml|template|json)$/.test(target) && !target.startsWith('/') && !isUrl(target.replace(/^file:\/\//, ''));
  return file ? path.posix.relative(childDir, target.replace(/^file:\/\//, '')) || target : target;
}

/** Heat's fnmatch of a per-resource entry's name (`*`, `?`, `[...]`) against a resource's name. */
function matchesName(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.').replace(/\[!/g, '[^');
  try {
    return new RegExp(`^${source}$`).test(name);
  } catch {
    return pattern === name;
  }
}

/**
 * The per-resource entries the nested stack of `resource` gets, as Heat's remove_resources_except leaves them:
 * the mappings under every entry whose name matches it, their template files relocated for the child.
 */
function inheritedResources(ctx: PlanContext, resource: string, childDir: string): JsonObject {
  const relocate = (entries: JsonObject): JsonObject => Object.fromEntries(Object.entries(entries).map(([key, value]): [string, Json] => {
    if (typeof value === 'string') return [key, key === 'hooks' ? value : relocated(value, childDir)];
    return [key, isObject(value) ? relocate(value) : value];
  }));
  const inherited: JsonObject = {};
  for (const [pattern, { entries }] of Object.entries(ctx.resourceRegistry)) {
    if (!matchesName(pattern, resource)) continue;
    for (const [inner, value] of Object.entries(entries)) if (isObject(value)) inherited[inner] = relocate(value);
  }
  return inherited;
}

/**
 * What the child of `resource` inherits of its parent's environment, as Heat passes it down: parameter_defaults,
 * and the registry, whose template files are named relative to the child's own folder.
 */
function inheritedEnvironment(ctx: PlanContext, ref: string, resource: string): JsonObject {
  const childDir = path.posix.dirname(ref.replace(/^file:\/\//, ''));
  const registry: JsonObject = {};
  for (const [alias, { target }] of Object.entries(ctx.registry)) registry[alias] = relocated(target, childDir);
  const resources = inheritedResources(ctx, resource, childDir);
  if (Object.keys(resources).length > 0) registry.resources = resources;
  return { parameter_defaults: ctx.envDefaults, resource_registry: registry };
}

/**
 * Checks a child template (recursively, through its own children) and returns what the worker needs to plan
 * it; reports its errors with the child's file and line. `ref` names the template as the parent reads it.
 */
export function planChild(ctx: PlanContext, name: string, at: string, ref: string, template: ParsedFile, text: string | undefined): NestedSource | undefined {
  const depth = (ctx.input.depth ?? 0) + 1;
  if (depth > MAX_NESTED_DEPTH) {
    ctx.issues.fail('NestingTooDeep', at, `nested stacks go more than ${MAX_NESTED_DEPTH} levels deep (Heat's max_nested_stack_depth): is '${ref}' used inside itself?`);
    return undefined;
  }
  const reader = childReader(ctx.input.readFile, ref);
  const environment = inheritedEnvironment(ctx, ref, name);
  const result = planStack({
    stackName: `${ctx.input.stackName}-${name}`, template, mode: 'validate', depth,
    environments: [parsedData(`the environment '${ref}' inherits`, environment)],
    readFile: reader.read, parseFile: reader.parse,
  });
  ctx.issues.errors.push(...result.errors.filter((e) => !e.file?.startsWith('the environment ')));
  ctx.issues.warnings.push(...result.warnings.filter((w) => !w.file?.startsWith('the environment ')));
  const source: SourceFile | undefined = text === undefined ? undefined : { name: ref, text };
  return { ...(source ? { template: source } : {}), files: reader.files, environment };
}

/** A template given inline (OS::Heat::Stack's `template`) as the parsed file planChild takes. */
export function inlineTemplate(template: string | JsonObject, name: string): { parsed: ParsedFile; text: string } {
  const text = typeof template === 'string' ? template : JSON.stringify(template);
  return { parsed: typeof template === 'string' ? parseFile(template, name) : parsedData(name, template), text };
}
