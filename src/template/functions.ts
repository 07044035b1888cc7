/**
 * Intrinsic functions. One resolver serves both sides: the CLI evaluates everything that does not need a
 * resource (parameters, conditions, files, string and list functions over them) and keeps the rest as
 * function nodes; the workflow evaluates those once the resources they name exist. Pure: the workflow
 * sandbox imports this file.
 */
import { StokeError } from '../errors';
import { DIGESTS } from './digest';
import type { Json, JsonObject, TemplateFormat } from './types';
import { KNOWN_FUNCTIONS, unavailableReason, versionByKey, type TemplateVersion } from './versions';

/** A function call the resolver could not evaluate yet because a resource it names does not exist yet. */
const deferredNodes = new WeakSet<object>();

/** Raised for malformed arguments or missing references; `path` is where in the template, Heat-style. */
export class FunctionError extends StokeError {
  constructor(readonly path: string, message: string) {
    super('InvalidFunction', message);
    this.name = 'FunctionError';
  }
}

/** A reference to a name the template does not define: Heat rejects it in a resource, and only in a resource. */
export class UnknownReferenceError extends FunctionError {}

/** A file read for get_file: its text, undefined when it cannot be read, or why reading it was refused. */
export type FileText = string | { readonly refused: string } | undefined;

export interface ResolveContext {
  readonly format: TemplateFormat;
  /**
   * The template version (see versions.ts `versionKey`): only its functions are allowed. Without it,
   * every function of the format is accepted (the workflow resolves what the client already checked).
   */
  readonly version?: string;
  readonly stackName: string;
  readonly stackId: string;
  /** Parameter values, already converted to their declared types. */
  readonly parameters: Readonly<Record<string, Json>>;
  /** Parameters that have no value yet (`template validate` without them): get_param stays unevaluated. */
  readonly unsetParameters?: ReadonlySet<string>;
  /** Names of the template's resources; a Ref to one of these is a resource reference. */
  readonly resourceNames: ReadonlySet<string>;
  /** Resources whose condition is false: references to them resolve to null, as in Heat. */
  readonly disabledResources?: ReadonlySet<string>;
  /** A condition's value; undefined when the template has no such condition. */
  condition?(name: string): boolean | undefined;
  /** CFN Mappings, for Fn::FindInMap. */
  readonly mappings?: JsonObject;
  /** get_file: the file's text, relative to the template; undefined when it cannot be read, or why it is refused. */
  readFile?(name: string): FileText;
  /** Physical id of a created resource; undefined while it does not exist yet (the function is deferred). */
  physicalId?(resource: string): string | undefined;
  /** An attribute of a created resource; undefined while it does not exist yet. */
  attribute?(resource: string, attribute: string): Json | undefined;
  /** Every attribute of a created resource (get_attr with only a resource name); undefined while it does not exist. */
  allAttributes?(resource: string): JsonObject | undefined;
}

const isMapping = (value: Json | undefined): value is JsonObject => value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);

/** The function name if `value` is a call: a one-key mapping whose key is a function of the format in some version. */
export function functionName(value: Json, format: TemplateFormat): string | undefined {
  if (!isMapping(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  return KNOWN_FUNCTIONS[format].has(keys[0]!) ? keys[0] : undefined;
}

/** True when the value still holds a call that waits for a resource. */
export function isDeferred(value: Json): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (deferredNodes.has(value)) return true;
  return Array.isArray(value) ? value.some(isDeferred) : Object.values(value).some(isDeferred);
}

/** True when the value itself is a call waiting for a resource, not merely holding one. */
export function isDeferredCall(value: Json): boolean {
  return value !== null && typeof value === 'object' && deferredNodes.has(value);
}

function defer(name: string, args: Json): Json {
  const node = { [name]: args };
  deferredNodes.add(node);
  return node;
}

/** A reference from one place of the template to a resource, for the dependency graph. */
export interface Reference {
  readonly resource: string;
  /** The attribute get_attr reads; '' for the all-attributes form; undefined for get_resource/Ref. */
  readonly attribute?: string;
  /** The key get_attr reads next in the attribute's value, when it names one. */
  readonly key?: string;
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
      found.push({
        resource: args[0], attribute: args.length === 1 ? '' : typeof args[1] === 'string' ? args[1] : undefined,
        ...(typeof args[2] === 'string' ? { key: args[2] } : {}), path: `${at}.${fn}`,
      });
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${at}.${key}`);
  };
  walk(value, path);
  return found;
}

/** Heat converts non-string values to text this way in str_replace and list_join (JSON for collections). */
function asText(value: Json, path: string, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  throw new FunctionError(path, `${fn}: cannot use ${typeof value} as text`);
}

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} '${String(value)}'`;
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
      throw new FunctionError(path, `${fn}: cannot follow path '${String(step)}' into ${describe(current)}`);
    }
  }
  return current;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function expectList(args: Json, path: string, message: string, min = 0): Json[] {
  if (!Array.isArray(args) || args.length < min) throw new FunctionError(path, message);
  return args;
}

function expectMapping(args: Json, path: string, message: string): JsonObject {
  if (!isMapping(args)) throw new FunctionError(path, message);
  return args;
}

function strReplace(args: Json, path: string, fn: string): Json {
  const { template, params } = expectMapping(args, path, `${fn}: arguments must be a mapping with "template" and "params"`);
  if (typeof template !== 'string') throw new FunctionError(`${path}.template`, `${fn}: "template" must be a string`);
  const mapping = expectMapping(params ?? null, `${path}.params`, `${fn}: "params" must be a mapping`);
  const keys = Object.keys(mapping).filter((key) => key !== '').sort((a, b) => b.length - a.length);
  if (fn !== 'str_replace') {
    const missing = keys.filter((key) => !template.includes(key));
    if (missing.length > 0) throw new FunctionError(`${path}.params`, `${fn}: ${missing.map((k) => `'${k}'`).join(', ')} not found in the template`);
  }
  if (fn === 'str_replace_vstrict') {
    const empty = keys.filter((key) => mapping[key] === null || mapping[key] === '');
    if (empty.length > 0) throw new FunctionError(`${path}.params`, `${fn}: ${empty.map((k) => `'${k}'`).join(', ')} would be replaced by an empty value`);
  }
  if (keys.length === 0) return template;
  // One pass, longest key first, as Heat does: a replacement's text is never itself replaced again.
  const pattern = new RegExp(keys.map(escapeRegExp).join('|'), 'g');
  return template.replace(pattern, (match) => asText(mapping[match]!, `${path}.params.${match}`, fn));
}

function listJoin(args: Json, path: string, fn: string): Json {
  const list = expectList(args, path, `${fn}: arguments must be [delimiter, list…]`, 2);
  const [delimiter, ...lists] = list;
  if (typeof delimiter !== 'string') throw new FunctionError(`${path}[0]`, `${fn}: the delimiter must be a string`);
  const items: string[] = [];
  lists.forEach((inner, i) => {
    if (!Array.isArray(inner)) throw new FunctionError(`${path}[${i + 1}]`, `${fn}: expected a list to join, got ${describe(inner)}`);
    inner.forEach((item, j) => items.push(asText(item, `${path}[${i + 1}][${j}]`, fn)));
  });
  return items.join(delimiter);
}

function getParam(args: Json, ctx: ResolveContext, path: string, fn: string): Json {
  const [name, ...steps] = Array.isArray(args) ? args : [args];
  if (typeof name !== 'string') throw new FunctionError(path, `${fn}: the parameter name must be a string`);
  if (name === 'OS::stack_name') return ctx.stackName;
  if (name === 'OS::stack_id') return ctx.stackId || defer(fn, args);
  if (name === 'OS::project_id') return 'stoke';
  if (ctx.unsetParameters?.has(name)) return defer(fn, args);
  if (!(name in ctx.parameters)) throw new FunctionError(path, `${fn}: the template has no parameter '${name}'`);
  return followPath(ctx.parameters[name]!, steps, path, fn);
}

function pseudoParameter(name: string, ctx: ResolveContext): Json | undefined {
  switch (name) {
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::StackId':
      return ctx.stackId || undefined;
    case 'AWS::Region':
      // Heat's own value: CFN templates read it to pick from per-region mappings, which name AWS's regions only.
      return 'ap-southeast-1';
    default:
      return undefined;
  }
}

function getResource(args: Json, ctx: ResolveContext, path: string, fn: string): Json {
  if (typeof args !== 'string') throw new FunctionError(path, `${fn}: the argument must be a ${fn === 'Ref' ? 'parameter or resource' : 'resource'} name`);
  if (fn === 'Ref') {
    if (ctx.unsetParameters?.has(args)) return defer(fn, args);
    if (args in ctx.parameters) return ctx.parameters[args]!;
    if (args === 'AWS::StackId' && !ctx.stackId) return defer(fn, args);
    const pseudo = pseudoParameter(args, ctx);
    if (pseudo !== undefined) return pseudo;
  }
  if (!ctx.resourceNames.has(args)) {
    throw new UnknownReferenceError(path, fn === 'Ref' ? `Ref: '${args}' is neither a parameter nor a resource` : `${fn}: the template has no resource '${args}'`);
  }
  if (ctx.disabledResources?.has(args)) return null;
  return ctx.physicalId?.(args) ?? defer(fn, args);
}

function getAttr(args: Json, ctx: ResolveContext, path: string, fn: string, allowAll: boolean): Json {
  const list = expectList(args, path, `${fn}: arguments must be [resource, attribute, path…]`, allowAll ? 1 : 2);
  const [resource, attribute, ...steps] = list;
  if (typeof resource !== 'string') throw new FunctionError(path, `${fn}: the resource name must be a string`);
  if (!ctx.resourceNames.has(resource)) throw new FunctionError(path, `${fn}: the template has no resource '${resource}'`);
  if (ctx.disabledResources?.has(resource)) return null;
  if (attribute === undefined) return ctx.allAttributes?.(resource) ?? defer(fn, args);
  if (typeof attribute !== 'string') throw new FunctionError(path, `${fn}: the attribute name must be a string, got ${describe(attribute)}`);
  const value = ctx.attribute?.(resource, attribute);
  if (value === undefined) return defer(fn, args);
  return followPath(value, steps, path, fn);
}

/**
 * The most list items one repeat may produce, counting those of the lists inside its template: a repeat
 * over a template that holds another repeat multiplies the two, so nesting cannot escape the bound.
 */
export const MAX_REPEAT_ITEMS = 10_000;

/** Every list item in a value, at any depth: what one more copy of it adds. */
function listItems(value: Json): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + 1 + listItems(item), 0);
  if (isMapping(value)) return Object.values(value).reduce<number>((sum, item) => sum + listItems(item), 0);
  return 0;
}

function cartesian(lists: Json[][]): Json[][] {
  return lists.reduce<Json[][]>((acc, list) => acc.flatMap((prefix) => list.map((item) => [...prefix, item])), [[]]);
}

function replaceIn(template: Json, keys: string[], values: Json[], path: string): Json {
  if (typeof template === 'string') return keys.reduce((text, key, i) => text.split(key).join(asText(values[i]!, path, 'repeat')), template);
  if (Array.isArray(template)) return template.map((item) => replaceIn(item, keys, values, path));
  if (isMapping(template)) {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [replaceIn(k, keys, values, path) as string, replaceIn(v, keys, values, path)]));
  }
  return template;
}

/** `date` is the template version's; undefined accepts every form (the workflow re-resolving a checked plan). */
function repeat(args: Json, path: string, date: string | undefined): Json {
  const spec = expectMapping(args, path, 'repeat: arguments must be a mapping with "for_each" and "template"');
  const forEach = expectMapping(spec.for_each ?? null, `${path}.for_each`, 'repeat: "for_each" must be a mapping of placeholders to lists');
  if (!('template' in spec)) throw new FunctionError(path, 'repeat: "template" is missing');
  const keys = Object.keys(forEach);
  const lists = keys.map((key) => {
    const list = forEach[key]!;
    if (isMapping(list) && date !== undefined && date < '2016-10-14') throw new FunctionError(`${path}.for_each.${key}`, 'repeat: a mapping in for_each needs heat_template_version 2016-10-14 or later');
    if (isMapping(list)) return Object.keys(list);
    if (!Array.isArray(list)) throw new FunctionError(`${path}.for_each.${key}`, `repeat: "${key}" must be a list, got ${describe(list)}`);
    return list;
  });
  if ('permutations' in spec && date !== undefined && date < '2017-09-01') throw new FunctionError(`${path}.permutations`, 'repeat: "permutations" needs heat_template_version 2017-09-01 or later');
  const permutations = spec.permutations ?? true;
  if (typeof permutations !== 'boolean') throw new FunctionError(`${path}.permutations`, 'repeat: "permutations" must be true or false');
  const count = permutations ? lists.reduce((product, list) => product * list.length, 1) : lists[0]?.length ?? 0;
  const inner = listItems(spec.template!);
  if (count * Math.max(1, inner) > MAX_REPEAT_ITEMS) {
    const what = inner > 1 ? `${count} combinations of a template holding ${inner} list items make ${count * inner}` : `${count} combinations`;
    throw new FunctionError(path, `repeat: ${what}, more than the ${MAX_REPEAT_ITEMS} one repeat may produce`);
  }
  let rows: Json[][];
  if (permutations) rows = cartesian(lists);
  else {
    if (lists.some((list) => list.length !== lists[0]!.length)) throw new FunctionError(`${path}.for_each`, 'repeat: with permutations false every list must have the same length');
    rows = (lists[0] ?? []).map((_, i) => lists.map((list) => list[i]!));
  }
  return rows.map((row) => replaceIn(spec.template!, keys, row, path));
}

function makeUrl(args: Json, path: string): Json {
  const spec = expectMapping(args, path, 'make_url: arguments must be a mapping (scheme, username, password, host, port, path, query, fragment)');
  const allowed = ['scheme', 'username', 'password', 'host', 'port', 'path', 'query', 'fragment'];
  const unknown = Object.keys(spec).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new FunctionError(path, `make_url: unknown argument ${unknown.map((k) => `'${k}'`).join(', ')} (allowed: ${allowed.join(', ')})`);
  const text = (key: string) => (spec[key] === undefined || spec[key] === null ? '' : asText(spec[key]!, `${path}.${key}`, 'make_url'));
  if (!text('scheme')) throw new FunctionError(path, 'make_url: "scheme" is required');
  let host = text('host');
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  const port = spec.port;
  if (port !== undefined && port !== null && port !== '') {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new FunctionError(`${path}.port`, `make_url: invalid port '${String(port)}'`);
  }
  const user = text('username') ? `${encodeURIComponent(text('username'))}${text('password') ? `:${encodeURIComponent(text('password'))}` : ''}@` : '';
  const rawPath = text('path');
  const urlPath = encodeURI(rawPath && !rawPath.startsWith('/') ? `/${rawPath}` : rawPath);
  const query = spec.query === undefined || spec.query === null ? '' : Object.entries(expectMapping(spec.query, `${path}.query`, 'make_url: "query" must be a mapping'))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(asText(v, `${path}.query.${k}`, 'make_url'))}`).join('&');
  return `${text('scheme')}://${user}${host}${port !== undefined && port !== null && port !== '' ? `:${String(port)}` : ''}${urlPath}${query ? `?${query}` : ''}${text('fragment') ? `#${text('fragment')}` : ''}`;
}

function select(args: Json, path: string): Json {
  const [index, collection] = expectList(args, path, 'Fn::Select: arguments must be [index, list or mapping]', 2);
  let target: Json = collection ?? null;
  if (typeof target === 'string') {
    try {
      target = JSON.parse(target) as Json;
    } catch {
      throw new FunctionError(path, 'Fn::Select: the collection must be a list or a mapping');
    }
  }
  if (target === null) return '';
  if (Array.isArray(target)) {
    const i = typeof index === 'number' ? index : Number(index);
    if (!Number.isInteger(i)) throw new FunctionError(`${path}[0]`, `Fn::Select: index '${String(index)}' is not an integer`);
    return target[i] ?? '';
  }
  if (isMapping(target)) return target[String(index)] ?? '';
  throw new FunctionError(path, `Fn::Select: cannot select from ${describe(target)}`);
}

function memberListToMap(args: Json, path: string): Json {
  const [keyName, valueName, members] = expectList(args, path, 'Fn::MemberListToMap: arguments must be [key name, value name, list]', 3);
  if (typeof keyName !== 'string' || typeof valueName !== 'string' || !Array.isArray(members)) {
    throw new FunctionError(path, 'Fn::MemberListToMap: arguments must be [key name, value name, list]');
  }
  const entries: Record<string, Record<string, string>> = {};
  members.forEach((member, i) => {
    const match = typeof member === 'string' ? /^(?:.*\.)?member\.(\d+)\.(\w+)=(.*)$/s.exec(member) : null;
    if (!match) throw new FunctionError(`${path}[2][${i}]`, `Fn::MemberListToMap: '${String(member)}' is not of the form member.N.Name=value`);
    (entries[match[1]!] ??= {})[match[2]!] = match[3]!;
  });
  const out: JsonObject = {};
  for (const entry of Object.values(entries)) if (entry[keyName] !== undefined) out[entry[keyName]!] = entry[valueName] ?? null;
  return out;
}

function findInMap(args: Json, ctx: ResolveContext, path: string): Json {
  const [mapName, topKey, secondKey] = expectList(args, path, 'Fn::FindInMap: arguments must be [map, key, key]', 3);
  const map = ctx.mappings?.[String(mapName)];
  if (!isMapping(map)) throw new FunctionError(path, `Fn::FindInMap: the template has no mapping '${String(mapName)}'`);
  const top = map[String(topKey)];
  if (!isMapping(top)) throw new FunctionError(path, `Fn::FindInMap: mapping '${String(mapName)}' has no key '${String(topKey)}'`);
  if (!(String(secondKey) in top)) throw new FunctionError(path, `Fn::FindInMap: '${String(mapName)}.${String(topKey)}' has no key '${String(secondKey)}'`);
  return top[String(secondKey)]!;
}

function getFile(args: Json, ctx: ResolveContext, path: string): Json {
  if (typeof args !== 'string') throw new FunctionError(path, 'get_file: the argument must be a file name');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(args) && !args.startsWith('file://')) {
    throw new FunctionError(path, `get_file: only local files can be read, not '${args}'`);
  }
  const text = ctx.readFile?.(args.replace(/^file:\/\//, ''));
  if (text === undefined) throw new FunctionError(path, `get_file: cannot read '${args}' (relative to the template's folder)`);
  if (typeof text !== 'string') throw new FunctionError(path, `get_file: ${text.refused}`);
  return text;
}

const deepEqual = (a: Json, b: Json): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
function canonical(value: Json): Json {
  if (Array.isArray(value)) return value.map(canonical);
  if (isMapping(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k]!)]));
  return value;
}

function versionOf(ctx: ResolveContext): TemplateVersion | undefined {
  return ctx.version === undefined ? undefined : versionByKey(ctx.version);
}

function checkAvailable(fn: string, ctx: ResolveContext, path: string, inCondition: boolean): void {
  const version = versionOf(ctx);
  if (!version) return;
  const table = inCondition ? version.conditionFunctions : version.functions;
  if (!table.has(fn)) throw new FunctionError(path, unavailableReason(fn, version, inCondition));
}

/**
 * The value of a condition expression: a boolean, the name of a condition, or a condition function
 * (equals, not, and, or, contains; CFN Fn::Equals…). Conditions never depend on resources.
 */
export function evaluateCondition(expr: Json, ctx: ResolveContext, path: string): boolean {
  if (typeof expr === 'boolean') return expr;
  if (typeof expr === 'string') {
    const value = ctx.condition?.(expr);
    if (value === undefined) throw new FunctionError(path, `the template has no condition '${expr}'`);
    return value;
  }
  const fn = functionName(expr, ctx.format);
  if (!fn) throw new FunctionError(path, `a condition must be a condition name, true/false or a condition function, got ${describe(expr)}`);
  const at = `${path}.${fn}`;
  checkAvailable(fn, ctx, at, true);
  const raw = (expr as JsonObject)[fn]!;
  switch (fn) {
    case 'equals':
    case 'Fn::Equals': {
      const [a, b] = expectList(raw, at, `${fn}: arguments must be [value, value]`, 2).map((arg, i) => resolveIn(arg, ctx, `${at}[${i}]`, true));
      // A parameter without a value (validation only): take the branch that validates the most.
      if (isDeferred(a!) || isDeferred(b!)) return true;
      return deepEqual(a!, b!);
    }
    case 'not':
    case 'Fn::Not': {
      const arg = fn === 'Fn::Not' ? expectList(raw, at, 'Fn::Not: argument must be [condition]', 1)[0]! : raw;
      return !evaluateCondition(arg, ctx, at);
    }
    case 'and':
    case 'or':
    case 'Fn::And':
    case 'Fn::Or': {
      const list = expectList(raw, at, `${fn}: arguments must be a list of at least two conditions`, 2);
      const values = list.map((item, i) => evaluateCondition(item, ctx, `${at}[${i}]`));
      return fn.toLowerCase().endsWith('and') ? values.every(Boolean) : values.some(Boolean);
    }
    case 'contains': {
      const [value, sequence] = expectList(raw, at, 'contains: arguments must be [value, list]', 2).map((arg, i) => resolveIn(arg, ctx, `${at}[${i}]`, true));
      if (isDeferred(value!) || isDeferred(sequence!)) return true;
      if (!Array.isArray(sequence)) throw new FunctionError(`${at}[1]`, `contains: expected a list, got ${describe(sequence!)}`);
      return sequence.some((item) => deepEqual(item, value!));
    }
    case 'yaql':
      throw new FunctionError(at, 'yaql is not supported by stoke');
    default: {
      const value = resolveIn(expr, ctx, path, true);
      if (typeof value === 'boolean') return value;
      if (isDeferred(value)) return true;
      throw new FunctionError(at, `${fn} must give true or false here, got ${describe(value)}`);
    }
  }
}

/**
 * Evaluates every function in `value` that can be evaluated with what `ctx` knows; calls that need a
 * resource not yet created come back unevaluated (see {@link isDeferred}).
 */
export function resolve(value: Json, ctx: ResolveContext, path = ''): Json {
  return resolveIn(value, ctx, path, false);
}

function resolveIn(value: Json, ctx: ResolveContext, path: string, inCondition: boolean): Json {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item, i) => resolveIn(item, ctx, `${path}[${i}]`, inCondition));
  const fn = functionName(value, ctx.format);
  if (!fn) {
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) out[key] = resolveIn(child, ctx, path ? `${path}.${key}` : key, inCondition);
    return out;
  }
  const rawArgs = value[fn]!;
  const at = `${path}.${fn}`;
  checkAvailable(fn, ctx, at, inCondition);
  // Names are never functions themselves, and `if` evaluates only the branch its condition picks.
  if (fn === 'get_resource' || fn === 'Ref') return getResource(rawArgs, ctx, at, fn);
  if (fn === 'if' || fn === 'Fn::If') {
    const [condition, whenTrue, whenFalse] = expectList(rawArgs, at, `${fn}: arguments must be [condition, value if true, value if false]`, 3);
    return evaluateCondition(condition!, ctx, `${at}[0]`) ? resolveIn(whenTrue!, ctx, `${at}[1]`, inCondition) : resolveIn(whenFalse!, ctx, `${at}[2]`, inCondition);
  }
  if (['equals', 'not', 'and', 'or', 'contains', 'Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or'].includes(fn)) return evaluateCondition(value, ctx, path);
  if (fn === 'get_file') return getFile(rawArgs, ctx, at);
  if (fn === 'yaql') throw new FunctionError(at, 'yaql is not supported by stoke');
  if (fn === 'resource_facade' || fn === 'Fn::ResourceFacade') throw new FunctionError(at, `${fn} is only meaningful inside a nested stack, which stoke does not support yet`);
  const args = resolveIn(rawArgs, ctx, at, inCondition);
  return isDeferred(args) ? defer(fn, args) : applyFunction(fn, args, ctx, at);
}

/** A function whose arguments are resolved already. */
function applyFunction(fn: string, args: Json, ctx: ResolveContext, at: string): Json {
  switch (fn) {
    case 'get_param':
      return getParam(args, ctx, at, fn);
    case 'get_attr':
    case 'Fn::GetAtt': {
      const version = versionOf(ctx);
      return getAttr(args, ctx, at, fn, fn === 'get_attr' && (!version || version.date >= '2015-10-15'));
    }
    case 'str_replace':
    case 'str_replace_strict':
    case 'str_replace_vstrict':
      return strReplace(args, at, fn);
    case 'Fn::Replace': {
      const [params, template] = expectList(args, at, 'Fn::Replace: arguments must be [mapping, string]', 2);
      return strReplace({ template: template!, params: params! }, at, 'str_replace');
    }
    case 'list_join':
    case 'Fn::Join': {
      const version = versionOf(ctx);
      const several = fn === 'list_join' && (!version || version.date >= '2015-10-15');
      if (!several && Array.isArray(args) && args.length > 2) {
        throw new FunctionError(at, `${fn}: arguments must be [delimiter, list]${fn === 'list_join' ? ' (joining several lists needs heat_template_version 2015-10-15 or later)' : ''}`);
      }
      return listJoin(args, at, fn);
    }
    case 'digest': {
      const [algorithm, text] = expectList(args, at, 'digest: arguments must be [algorithm, value]', 2);
      const hash = DIGESTS[String(algorithm)];
      if (!hash) throw new FunctionError(`${at}[0]`, `digest: unknown algorithm '${String(algorithm)}' (known: ${Object.keys(DIGESTS).join(', ')})`);
      if (typeof text !== 'string') throw new FunctionError(`${at}[1]`, `digest: the value must be a string, got ${describe(text!)}`);
      return hash(text);
    }
    case 'repeat':
      return repeat(args, at, versionOf(ctx)?.date);
    case 'map_merge': {
      const maps = expectList(args, at, 'map_merge: arguments must be a list of mappings');
      return Object.assign({}, ...maps.map((m, i) => {
        if (m === null) return {};
        return expectMapping(m, `${at}[${i}]`, `map_merge: expected a mapping, got ${describe(m)}`);
      })) as JsonObject;
    }
    case 'map_replace':
      return mapReplace(args, at);
    case 'str_split':
    case 'Fn::Split':
      return strSplit(args, at, fn);
    case 'list_concat':
    case 'list_concat_unique': {
      const lists = expectList(args, at, `${fn}: arguments must be a list of lists`);
      const items = lists.flatMap((list, i) => {
        if (list === null) return [];
        if (!Array.isArray(list)) throw new FunctionError(`${at}[${i}]`, `${fn}: expected a list, got ${describe(list)}`);
        return list;
      });
      return fn === 'list_concat' ? items : items.filter((item, i) => items.findIndex((other) => deepEqual(other, item)) === i);
    }
    case 'filter': {
      const [remove, list] = expectList(args, at, 'filter: arguments must be [values to remove, list]', 2);
      if (!Array.isArray(remove)) throw new FunctionError(`${at}[0]`, 'filter: the values to remove must be a list');
      if (!Array.isArray(list)) throw new FunctionError(`${at}[1]`, `filter: expected a list, got ${describe(list!)}`);
      return list.filter((item) => !remove.some((r) => deepEqual(r, item)));
    }
    case 'make_url':
      return makeUrl(args, at);
    case 'Fn::Select':
      return select(args, at);
    case 'Fn::Base64':
      // Heat passes the text through unchanged: the name is CloudFormation's, the encoding is not done.
      if (typeof args !== 'string') throw new FunctionError(at, `Fn::Base64: the argument must be a string, got ${describe(args)}`);
      return args;
    case 'Fn::GetAZs':
      return ['nova'];
    case 'Fn::MemberListToMap':
      return memberListToMap(args, at);
    case 'Fn::FindInMap':
      return findInMap(args, ctx, at);
    default:
      throw new FunctionError(at, `unsupported function ${fn}`);
  }
}

function mapReplace(args: Json, at: string): JsonObject {
  const [map, replacements] = expectList(args, at, 'map_replace: arguments must be [mapping, {keys: …, values: …}]', 2);
  const source = expectMapping(map!, `${at}[0]`, 'map_replace: the first argument must be a mapping');
  const { keys = {}, values = {}, ...extra } = expectMapping(replacements!, `${at}[1]`, 'map_replace: the second argument must be a mapping with keys and/or values');
  if (Object.keys(extra).length > 0) throw new FunctionError(`${at}[1]`, `map_replace: unknown key ${Object.keys(extra).join(', ')} (allowed: keys, values)`);
  const keyMap = expectMapping(keys ?? {}, `${at}[1].keys`, 'map_replace: "keys" must be a mapping');
  const valueMap = expectMapping(values ?? {}, `${at}[1].values`, 'map_replace: "values" must be a mapping');
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(source)) {
    const newKey = k in keyMap ? asText(keyMap[k]!, `${at}[1].keys.${k}`, 'map_replace') : k;
    if (newKey in out) throw new FunctionError(`${at}[1].keys`, `map_replace: key '${newKey}' would appear twice`);
    const replaced = typeof v === 'string' || typeof v === 'number' ? valueMap[String(v)] : undefined;
    out[newKey] = replaced !== undefined ? replaced : v;
  }
  return out;
}

function strSplit(args: Json, at: string, fn: string): Json {
  const [delimiter, text, index] = expectList(args, at, `${fn}: arguments must be [delimiter, string${fn === 'str_split' ? ', index' : ''}]`, 2);
  if (typeof delimiter !== 'string' || delimiter === '') throw new FunctionError(`${at}[0]`, `${fn}: the delimiter must be a non-empty string`);
  // A CFN CommaDelimitedList parameter is already a list: Heat's own provider templates split it again.
  if (fn === 'Fn::Split' && Array.isArray(text)) return text;
  if (typeof text !== 'string') throw new FunctionError(`${at}[1]`, `${fn}: expected a string to split, got ${describe(text!)}`);
  const parts = text.split(delimiter);
  if (index === undefined || fn === 'Fn::Split') return parts;
  const i = Number(index);
  if (!Number.isInteger(i) || i < 0 || i >= parts.length) throw new FunctionError(`${at}[2]`, `${fn}: index ${String(index)} is out of range (0..${parts.length - 1})`);
  return parts[i]!;
}
