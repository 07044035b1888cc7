/**
 * Intrinsic functions. One resolver serves both sides: the CLI evaluates everything that does not need a
 * resource (parameters, string functions over them) and keeps the rest as function nodes; the workflow
 * evaluates those once the resources they name exist. Pure: the workflow sandbox imports this file.
 */
import type { Json, JsonObject, TemplateFormat } from './types';

/** A function call the resolver could not evaluate yet because a resource it names does not exist yet. */
const deferredNodes = new WeakSet<object>();

/** Raised for malformed arguments or missing references; `path` is where in the template, Heat-style. */
export class FunctionError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
    this.name = 'FunctionError';
  }
}

export interface ResolveContext {
  readonly format: TemplateFormat;
  readonly stackName: string;
  readonly stackId: string;
  /** Parameter values, already converted to their declared types. */
  readonly parameters: Readonly<Record<string, Json>>;
  /** Names of the template's resources; a Ref to one of these is a resource reference. */
  readonly resourceNames: ReadonlySet<string>;
  /** Physical id of a created resource; undefined while it does not exist yet (the function is deferred). */
  physicalId?(resource: string): string | undefined;
  /** An attribute of a created resource; undefined while it does not exist yet. */
  attribute?(resource: string, attribute: string): Json | undefined;
}

const HOT_FUNCTIONS = ['get_param', 'get_resource', 'get_attr', 'str_replace', 'list_join'] as const;
const CFN_FUNCTIONS = ['Ref', 'Fn::GetAtt', 'Fn::Join'] as const;

/** The function name if `value` is a call (a one-key mapping whose key is a function of the format). */
export function functionName(value: Json, format: TemplateFormat): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  const known: readonly string[] = format === 'hot' ? HOT_FUNCTIONS : CFN_FUNCTIONS;
  return known.includes(key) ? key : undefined;
}

/** True when the value still holds a call that waits for a resource. */
export function isDeferred(value: Json): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (deferredNodes.has(value)) return true;
  return Array.isArray(value) ? value.some(isDeferred) : Object.values(value).some(isDeferred);
}

function defer(name: string, args: Json): Json {
  const node = { [name]: args };
  deferredNodes.add(node);
  return node;
}

/** A reference from one place of the template to a resource, for the dependency graph. */
export interface Reference {
  readonly resource: string;
  readonly attribute?: string;
  readonly path: string;
}

/** Every resource reference in `value` (get_resource, get_attr, Ref, Fn::GetAtt), with where it stands. */
export function findReferences(value: Json, format: TemplateFormat, resourceNames: ReadonlySet<string>, path: string): Reference[] {
  const found: Reference[] = [];
  const walk = (node: Json, at: string): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${at}[${i}]`));
    const fn = functionName(node, format);
    const args = fn ? node[fn]! : undefined;
    if ((fn === 'get_resource' || fn === 'Ref') && typeof args === 'string' && resourceNames.has(args)) {
      found.push({ resource: args, path: `${at}.${fn}` });
      return;
    }
    if ((fn === 'get_attr' || fn === 'Fn::GetAtt') && Array.isArray(args) && typeof args[0] === 'string') {
      found.push({ resource: args[0], attribute: typeof args[1] === 'string' ? args[1] : undefined, path: `${at}.${fn}` });
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${at}.${key}`);
  };
  walk(value, path);
  return found;
}

/** Heat converts non-string values to text this way in str_replace and list_join. */
function asText(value: Json, path: string, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  throw new FunctionError(path, `${fn}: cannot use ${typeof value} as text`);
}

function followPath(value: Json, steps: Json[], path: string, fn: string): Json {
  let current: Json = value;
  for (const step of steps) {
    if (current === null || current === undefined) return null;
    if (Array.isArray(current)) {
      const index = typeof step === 'number' ? step : Number(step);
      if (!Number.isInteger(index)) throw new FunctionError(path, `${fn}: '${String(step)}' is not an index into a list`);
      current = current[index] ?? null;
    } else if (typeof current === 'object') {
      current = (current as JsonObject)[String(step)] ?? null;
    } else {
      throw new FunctionError(path, `${fn}: cannot follow path '${String(step)}' into a ${typeof current}`);
    }
  }
  return current;
}

function strReplace(args: Json, path: string): Json {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new FunctionError(path, 'str_replace: arguments must be a mapping with "template" and "params"');
  }
  const template = args.template;
  const params = args.params;
  if (typeof template !== 'string') throw new FunctionError(`${path}.template`, 'str_replace: "template" must be a string');
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new FunctionError(`${path}.params`, 'str_replace: "params" must be a mapping');
  }
  const keys = Object.keys(params).filter((key) => key !== '').sort((a, b) => b.length - a.length);
  if (keys.length === 0) return template;
  // One pass, longest key first, as Heat does: a replacement's text is never itself replaced again.
  const pattern = new RegExp(keys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return template.replace(pattern, (match) => asText(params[match]!, `${path}.params.${match}`, 'str_replace'));
}

function listJoin(args: Json, path: string, fn: string): Json {
  if (!Array.isArray(args) || args.length < 2 || typeof args[0] !== 'string') {
    throw new FunctionError(path, `${fn}: arguments must be [delimiter, list]`);
  }
  const [delimiter, ...lists] = args as [string, ...Json[]];
  const items: string[] = [];
  lists.forEach((list, i) => {
    if (!Array.isArray(list)) throw new FunctionError(`${path}[${i + 1}]`, `${fn}: expected a list to join`);
    list.forEach((item, j) => items.push(asText(item, `${path}[${i + 1}][${j}]`, fn)));
  });
  return items.join(delimiter);
}

function getParam(args: Json, ctx: ResolveContext, path: string, fn: string): Json {
  const [name, ...steps] = Array.isArray(args) ? args : [args];
  if (typeof name !== 'string') throw new FunctionError(path, `${fn}: the parameter name must be a string`);
  if (name === 'OS::stack_name') return ctx.stackName;
  if (name === 'OS::stack_id') return ctx.stackId || defer(fn, args);
  if (!(name in ctx.parameters)) throw new FunctionError(path, `${fn}: the template has no parameter '${name}'`);
  return followPath(ctx.parameters[name]!, steps, path, fn);
}

function pseudoParameter(name: string, ctx: ResolveContext): Json | undefined {
  switch (name) {
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::StackId':
      return ctx.stackId;
    case 'AWS::Region':
      return 'RegionOne';
    default:
      return undefined;
  }
}

function getResource(args: Json, ctx: ResolveContext, path: string, fn: string): Json {
  if (typeof args !== 'string') throw new FunctionError(path, `${fn}: the argument must be a resource name`);
  if (fn === 'Ref') {
    if (args in ctx.parameters) return ctx.parameters[args]!;
    const pseudo = pseudoParameter(args, ctx);
    if (pseudo !== undefined) return pseudo;
  }
  if (!ctx.resourceNames.has(args)) {
    throw new FunctionError(path, fn === 'Ref' ? `Ref: '${args}' is neither a parameter nor a resource` : `${fn}: the template has no resource '${args}'`);
  }
  return ctx.physicalId?.(args) ?? defer(fn, args);
}

function getAttr(args: Json, ctx: ResolveContext, path: string, fn: string): Json {
  if (!Array.isArray(args) || args.length < 2 || typeof args[0] !== 'string' || typeof args[1] !== 'string') {
    throw new FunctionError(path, `${fn}: arguments must be [resource, attribute, path…]`);
  }
  const [resource, attribute, ...steps] = args as [string, string, ...Json[]];
  if (!ctx.resourceNames.has(resource)) throw new FunctionError(path, `${fn}: the template has no resource '${resource}'`);
  const value = ctx.attribute?.(resource, attribute);
  if (value === undefined) return defer(fn, args);
  return followPath(value, steps, path, fn);
}

/**
 * Evaluates every function in `value` that can be evaluated with what `ctx` knows; calls that need a
 * resource not yet created come back unevaluated (see {@link isDeferred}).
 */
export function resolve(value: Json, ctx: ResolveContext, path = ''): Json {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item, i) => resolve(item, ctx, `${path}[${i}]`));
  const fn = functionName(value, ctx.format);
  if (!fn) {
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) out[key] = resolve(child, ctx, path ? `${path}.${key}` : key);
    return out;
  }
  const rawArgs = value[fn]!;
  const at = `${path}.${fn}`;
  // Names are never functions themselves; everything else is resolved inside-out.
  if (fn === 'get_resource' || fn === 'Ref') return getResource(rawArgs, ctx, at, fn);
  const args = resolve(rawArgs, ctx, at);
  if (isDeferred(args)) return defer(fn, args);
  switch (fn) {
    case 'get_param':
      return getParam(args, ctx, at, fn);
    case 'get_attr':
    case 'Fn::GetAtt':
      return getAttr(args, ctx, at, fn);
    case 'str_replace':
      return strReplace(args, at);
    case 'list_join':
    case 'Fn::Join':
      return listJoin(args, at, fn);
    default:
      throw new FunctionError(at, `unsupported function ${fn}`);
  }
}
