/**
 * The passes of {@link planStack} over resources and outputs: conditions, each resource's type, its
 * dependencies and properties, the outputs, and the references between them all.
 */
import type { ResourceType } from '../resources/plugin';
import { canAdopt, implementationOf, RESOURCE_TYPES } from '../resources/registry';
import { TEMPLATE_RESOURCE } from '../resources/stacks';
import { constraintsOf, type PropertySchema } from '../resources/schema';
import { noLocalMeaning } from '../resources/unsupported';
import { propertyViolation } from './constraints';
import { findReferences, FunctionError, isDeferred, resolve, UnknownReferenceError } from './functions';
import { isObject, parseFile } from './parse';
import { inlineTemplate, planChild } from './plan-nested';
import { conditionOf, describe, ok, problem, resolveAt, type Checked, type PlanContext } from './plan-context';
import type { Json, JsonObject } from './types';

/** Heat's boolean spellings (oslo strutils, strict). */
const TRUE_WORDS = ['true', 't', 'yes', 'y', 'on', '1'];
const FALSE_WORDS = ['false', 'f', 'no', 'n', 'off', '0'];

/** A problem inside a list or map property: `at` is the path below the property (`[0].path_on_host`). */
type CheckedProperty = Checked | { ok: false; problem: string; at: string };

const inner = (sub: string, result: CheckedProperty): CheckedProperty =>
  result.ok ? result : { ok: false, problem: result.problem, at: `${sub}${'at' in result ? result.at : ''}` };

/**
 * Checks a property value against its schema, returning the value Heat would use (numbers from strings,
 * defaults of nested keys filled in…).
 */
export function checkProperty(schema: PropertySchema, value: Json): CheckedProperty {
  if (isDeferred(value)) return ok(value);
  const converted = convertProperty(schema, value);
  if (!converted.ok) return converted;
  for (const constraint of constraintsOf(schema)) {
    const why = propertyViolation(constraint, converted.value);
    if (why) return problem(why);
  }
  return converted;
}

/** The value in the schema's type, before its constraints are checked. */
function convertProperty(schema: PropertySchema, value: Json): CheckedProperty {
  switch (schema.type) {
    case 'string':
      if (typeof value === 'number' || typeof value === 'boolean') return ok(String(value));
      return typeof value === 'string' ? ok(value) : problem(`expected a string, got ${describe(value)}`);
    case 'integer':
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n) || (schema.type === 'integer' && !Number.isInteger(n))) {
        return problem(`expected ${schema.type === 'integer' ? 'an integer' : 'a number'}, got ${describe(value)}`);
      }
      return ok(n);
    }
    case 'boolean':
      if (typeof value === 'string' && TRUE_WORDS.includes(value.toLowerCase())) return ok(true);
      if (typeof value === 'string' && FALSE_WORDS.includes(value.toLowerCase())) return ok(false);
      return typeof value === 'boolean' ? ok(value) : problem(`expected a boolean, got ${describe(value)}`);
    case 'list':
      if (!Array.isArray(value)) return problem(`expected a list, got ${describe(value)}`);
      return schema.items ? convertItems(schema.items, value) : ok(value);
    case 'map':
      if (!isObject(value)) return problem(`expected a mapping, got ${describe(value)}`);
      return schema.keys ? convertKeys(schema.keys, value) : ok(value);
  }
  return ok(value);
}

function convertItems(schema: PropertySchema, value: Json[]): CheckedProperty {
  const items: Json[] = [];
  for (const [i, item] of value.entries()) {
    const checked = inner(`[${i}]`, checkProperty(schema, item));
    if (!checked.ok) return checked;
    items.push(checked.value);
  }
  return ok(items);
}

function convertKeys(keys: Readonly<Record<string, PropertySchema>>, value: JsonObject): CheckedProperty {
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    if (!(key in keys)) return inner(`.${key}`, problem(`unknown key '${key}' (allowed: ${Object.keys(keys).join(', ')})`));
  }
  for (const [key, keySchema] of Object.entries(keys)) {
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

/** Evaluates every condition once, so that each one's errors are reported even when nothing uses it. */
export function evaluateConditions(ctx: PlanContext): void {
  const { syntax, issues } = ctx;
  const conditions = ctx.conditionDefinitions;
  if (!isObject(conditions)) issues.fail('NotAMapping', syntax.conditions, `'${syntax.conditions}' must be a mapping`);
  else for (const name of Object.keys(conditions)) issues.attempt(() => ctx.resolver.condition!(name));
}

/** A type name that names a template file rather than a plugin: Heat's nested (provider) stacks. */
const isTemplateFile = (type: string) => /\.(ya?ml|template|json)$/.test(type) || type.includes('/');

/** Checks each resource's keys and condition, and finds the schema of its type (through the environments' registry). */
export function resolveTypes(ctx: PlanContext): void {
  const { syntax, issues } = ctx;
  const allowed = (syntax.resourceKeys as readonly string[]).filter((k) => ctx.version.conditions || (k !== 'condition' && k !== 'Condition' && k !== 'external_id'));
  for (const [name, definition] of Object.entries(ctx.resourceDefinitions)) {
    const path = `${syntax.resources}.${name}`;
    if (!isObject(definition)) {
      issues.fail('NotAMapping', path, `a resource must be a mapping with a '${syntax.type}'`);
      continue;
    }
    for (const key of Object.keys(definition)) {
      if (!allowed.includes(key)) issues.fail('UnknownKey', `${path}.${key}`, `unknown resource key '${key}' (allowed: ${allowed.join(', ')})`);
    }
    if (!conditionOf(ctx, definition, path)) ctx.disabled.add(name);
    const rawType = definition[syntax.type];
    const typeName = rawType === undefined ? undefined : resolveAt(ctx, rawType, `${path}.${syntax.type}`);
    if (typeof typeName !== 'string') {
      if (typeName !== undefined || rawType === undefined) issues.fail('MissingType', path, `the resource has no '${syntax.type}' string`);
      continue;
    }
    const target = registered(ctx, name, typeName)?.target ?? typeName;
    const schema = RESOURCE_TYPES[target];
    if (schema) ctx.schemas[name] = schema;
    else if (isTemplateFile(target)) templateType(ctx, name, typeName, target);
    else unknownType(ctx, name, typeName, target);
  }
}

/** What the environments map a resource's type to: its own per-resource entry first, as in Heat, then the type's. */
function registered(ctx: PlanContext, name: string, typeName: string): { target: string; file: string } | undefined {
  const own = ctx.resourceRegistry[name];
  const target = own?.entries[typeName];
  if (typeof target === 'string') return { target, file: `${own!.file} for '${name}'` };
  return ctx.registry[typeName];
}

/** Where the environments' registry mapped a resource's type, which file did it. */
function mappedBy(ctx: PlanContext, name: string, typeName: string): string {
  const entry = registered(ctx, name, typeName);
  return entry ? ` (mapped from '${typeName}' by ${entry.file})` : '';
}

/** A template file as a resource type (Heat's template resource): read, parsed and planned as a child stack. */
function templateType(ctx: PlanContext, name: string, typeName: string, target: string): void {
  const { input, issues } = ctx;
  const at = `${ctx.syntax.resources}.${name}.${ctx.syntax.type}`;
  const via = mappedBy(ctx, name, typeName);
  // heatclient sends a template file as a `file://` URL, its content in `files`: read as get_file reads one.
  const local = target.replace(/^file:\/\//, '');
  if (/^[a-z]+:\/\//.test(local)) return issues.fail('FileUnreadable', at, `the nested template '${target}' is a URL: stoke reads templates from files only${via}`);
  const read = input.readFile ? input.readFile(local) : undefined;
  if (typeof read !== 'string') {
    // `template validate` without the files at hand checks what it can.
    if (ctx.validateOnly && !input.readFile) return void (ctx.schemas[name] = 'template');
    return issues.fail('FileUnreadable', at, read ? `the nested template ${read.refused}${via}` : `cannot read the nested template '${target}'${via}`);
  }
  const nested = input.parseFile?.(local) ?? parseFile(read, local);
  if (nested.errors.length > 0) return issues.fail('NestedTemplateInvalid', at, `the nested template '${target}' does not parse: ${nested.errors[0]!.message}`);
  if (isObject(nested.data)) {
    const params = nested.data.parameters ?? nested.data.Parameters ?? {};
    if (isObject(params)) ctx.nestedParameters[name] = { file: target, parameters: params };
  }
  const source = planChild(ctx, name, at, local, nested, read);
  if (source) ctx.nested[name] = source;
  ctx.schemas[name] = 'template';
}

/** A stack type's own template (a TemplateURL, OS::Heat::Stack's template), read and planned as a child stack. */
function typeTemplate(ctx: PlanContext, name: string, schema: ResourceType, properties: JsonObject, propertiesPath: string): void {
  const found = schema.nested?.source?.(properties);
  // A value still waiting for a parameter or another resource: the child is checked when it is made.
  if (!found || ('template' in found ? isDeferred(found.template) : isDeferred(found.file))) return;
  if ('template' in found) {
    const { parsed, text } = inlineTemplate(found.template, `${ctx.input.template.file} (${propertiesPath})`);
    if (parsed.errors.length > 0) return ctx.issues.fail('NestedTemplateInvalid', propertiesPath, `the nested template does not parse: ${parsed.errors[0]!.message}`);
    const source = planChild(ctx, name, propertiesPath, 'inline template', parsed, text);
    if (source) ctx.nested[name] = source;
    return;
  }
  const local = found.file.replace(/^file:\/\//, '');
  const read = /^[a-z]+:\/\//.test(local) ? { refused: `'${found.file}' is a URL: stoke reads templates from files only` } : ctx.input.readFile?.(local);
  const parsed = typeof read === 'string' ? ctx.input.parseFile?.(local) ?? parseFile(read, local) : undefined;
  if (typeof read !== 'string' || !parsed) {
    return ctx.issues.fail('FileUnreadable', propertiesPath, typeof read === 'object' ? `the nested template ${read.refused}` : `cannot read the nested template '${found.file}'`);
  }
  if (parsed.errors.length > 0) return ctx.issues.fail('NestedTemplateInvalid', propertiesPath, `the nested template '${found.file}' does not parse: ${parsed.errors[0]!.message}`);
  const source = planChild(ctx, name, propertiesPath, local, parsed, read);
  if (source) ctx.nested[name] = source;
}

function unknownType(ctx: PlanContext, name: string, typeName: string, target: string): void {
  const refused = noLocalMeaning(target);
  if (refused) return ctx.issues.fail('UnsupportedResourceType', `${ctx.syntax.resources}.${name}.${ctx.syntax.type}`, `${refused}${mappedBy(ctx, name, typeName)}`);
  const namespace = target.split('::').slice(0, 2).join('::');
  const near = Object.keys(RESOURCE_TYPES).filter((t) => t.startsWith(`${namespace}::`)).sort();
  const hint = near.length > 0 ? `; ${namespace} types stoke has: ${near.join(', ')}` : '; see `stoke resource type list`';
  ctx.issues.fail('UnknownResourceType', `${ctx.syntax.resources}.${name}.${ctx.syntax.type}`, `unknown resource type '${target}'${mappedBy(ctx, name, typeName)}${hint}`);
}

/** Checks the resources and attributes a value refers to, adding the resources to `into` and the attributes to those the plan returns. */
function checkReferences(ctx: PlanContext, value: Json, path: string, into?: Set<string>): void {
  for (const ref of findReferences(value, ctx.format, ctx.names, path)) {
    if (ctx.disabled.has(ref.resource)) continue;
    into?.add(ref.resource);
    if (ref.attribute === undefined) continue;
    const target = ctx.schemas[ref.resource];
    const used = (ctx.attributesUsed[ref.resource] ??= new Set());
    if (ref.attribute === '') {
      if (target && target !== 'template') Object.keys(target.attributes).forEach((a) => used.add(a));
    } else if (target && target !== 'template' && !target.anyProperties && !target.dynamicAttributes && !(ref.attribute in target.attributes) && ref.attribute !== 'show') {
      ctx.issues.fail('UnknownAttribute', ref.path, `${target.name} '${ref.resource}' has no attribute '${ref.attribute}' (it has: ${Object.keys(target.attributes).join(', ') || 'none'})`);
    } else used.add(ref.attribute);
    // A group's `attributes` is a map of each member's attribute named next: its child must output that one.
    if (ref.attribute === 'attributes' && ref.key !== undefined && target && target !== 'template' && target.runs?.where === 'stack') used.add(`attributes.${ref.key}`);
  }
}

/** Plans every enabled resource; one of an unknown type is still checked for everything but its properties' schema. */
export function planResources(ctx: PlanContext): void {
  for (const [name, definition] of Object.entries(ctx.resourceDefinitions)) {
    if (isObject(definition) && !ctx.disabled.has(name)) planResource(ctx, name, definition);
  }
}

function planResource(ctx: PlanContext, name: string, definition: JsonObject): void {
  const { syntax } = ctx;
  const path = `${syntax.resources}.${name}`;
  const requires = dependencies(ctx, name, definition, path);
  const externalId = externalIdOf(ctx, name, definition, path);
  // As in Heat, nothing deletes an external object: its delete is a Retain's, whatever the policy says.
  const policy = deletionPolicyOf(ctx, definition, path, ctx.schemas[name]);
  const deletionPolicy = externalId !== undefined ? 'Retain' : policy;
  const extras = extraSections(ctx, definition, path, requires);
  // An invalid id is reported once: the properties it came with are not also held to what a made resource needs.
  const properties = planProperties(ctx, name, definition, path, requires, hasExternalId(ctx, definition));
  const schema = ctx.schemas[name];
  if (properties === undefined || schema === undefined) return;
  const type = schema === 'template' ? String(definition[syntax.type]) : schema.name;
  if (schema !== 'template' && schema.runs?.where === 'stack') typeTemplate(ctx, name, schema, properties, `${path}.${syntax.properties}`);
  const nested = ctx.nested[name];
  ctx.resources[name] = {
    type, ...implementationOf(schema === 'template' ? TEMPLATE_RESOURCE : type), properties, requires: [], requiresSet: requires, attributes: [],
    deletionPolicy, ...extras, ...(nested ? { nested } : {}), ...(externalId !== undefined ? { externalId } : {}),
  };
}

/** Elsewhere (CFN, HOT before 2016-10-14) resolveTypes refused the key already. */
const hasExternalId = (ctx: PlanContext, definition: JsonObject) => 'external_id' in definition && ctx.format === 'hot' && ctx.version.conditions;

/**
 * Heat's external_id (HOT 2016-10-14 on): the physical id of an object made outside the stack, known when the
 * stack is planned. Only a type that can take over an existing object (an adopt hook) accepts it, and, as in
 * Heat, such a resource depends on nothing by depends_on: it is not made, so nothing need come before it.
 */
function externalIdOf(ctx: PlanContext, name: string, definition: JsonObject, path: string): string | undefined {
  if (!hasExternalId(ctx, definition)) return undefined;
  const at = `${path}.external_id`;
  const value = resolveAt(ctx, definition.external_id!, at);
  if (value === undefined) return undefined;
  if (isDeferred(value)) {
    ctx.issues.fail('InvalidExternalId', at, 'external_id must be known when the stack is planned (a string or a parameter), not a value of another resource');
    return undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    ctx.issues.fail('InvalidExternalId', at, `external_id must be the id of an existing object, got ${describe(value)}`);
    return undefined;
  }
  const schema = ctx.schemas[name];
  const type = schema === 'template' ? String(definition[ctx.syntax.type]) : schema?.name;
  if (schema === 'template' || (schema !== undefined && !canAdopt(schema.name))) {
    const able = Object.keys(RESOURCE_TYPES).filter(canAdopt).sort();
    ctx.issues.fail('ExternalIdUnsupported', at, `${type} cannot take over an existing object, so it takes no external_id (types that can: ${able.join(', ')})`);
  }
  if (ctx.syntax.dependsOn in definition) ctx.issues.fail('InvalidExternalDependency', `${path}.${ctx.syntax.dependsOn}`, 'a resource with external_id cannot depend on other resources: it is not made, only taken over');
  return value;
}

/** The resources named in depends_on that are enabled. */
function dependencies(ctx: PlanContext, name: string, definition: JsonObject, path: string): Set<string> {
  const { syntax } = ctx;
  const requires = new Set<string>();
  const dependsOn = definition[syntax.dependsOn] ?? [];
  const dependsList = typeof dependsOn === 'string' ? [dependsOn] : dependsOn;
  if (!Array.isArray(dependsList)) {
    ctx.issues.fail('InvalidDependsOn', `${path}.${syntax.dependsOn}`, `'${syntax.dependsOn}' must be a resource name or a list of them`);
    return requires;
  }
  dependsList.forEach((dep, i) => {
    const at = typeof dependsOn === 'string' ? `${path}.${syntax.dependsOn}` : `${path}.${syntax.dependsOn}[${i}]`;
    if (typeof dep === 'string' && ctx.names.has(dep) && dep !== name) {
      if (!ctx.disabled.has(dep)) requires.add(dep);
    } else ctx.issues.fail('UnknownResourceRef', at, `'${String(dep)}' is not another resource of this template`);
  });
  return requires;
}

/** Snapshot is carried out as Retain by a type that keeps what a snapshot would save (a volume), else as Delete. */
function deletionPolicyOf(ctx: PlanContext, definition: JsonObject, path: string, schema: PlanContext['schemas'][string] | undefined): 'Delete' | 'Retain' {
  const { syntax } = ctx;
  const at = `${path}.${syntax.deletionPolicy}`;
  const rawPolicy = definition[syntax.deletionPolicy];
  const policy = rawPolicy === undefined ? 'Delete' : resolveAt(ctx, rawPolicy, at);
  const policies = ['Delete', 'Retain', 'Snapshot', ...(ctx.version.conditions && ctx.format === 'hot' ? ['delete', 'retain', 'snapshot'] : [])];
  if (policy !== undefined && (typeof policy !== 'string' || !policies.includes(policy))) {
    ctx.issues.fail('InvalidDeletionPolicy', at, `deletion policy must be one of ${policies.join(', ')}, got ${describe(policy)}`);
  } else if (typeof policy === 'string' && policy.toLowerCase() === 'snapshot') {
    if (typeof schema === 'object' && schema.snapshotKeeps) return 'Retain';
    ctx.issues.warn('SnapshotAsDelete', at, 'deletion policy Snapshot is carried out as Delete: stoke takes no snapshots');
  }
  return typeof policy === 'string' && policy.toLowerCase() === 'retain' ? 'Retain' : 'Delete';
}

/** The metadata and update_policy sections, resolved like properties. */
function extraSections(ctx: PlanContext, definition: JsonObject, path: string, requires: Set<string>): { metadata?: JsonObject; updatePolicy?: JsonObject } {
  const extras: { metadata?: JsonObject; updatePolicy?: JsonObject } = {};
  for (const [key, field] of [[ctx.syntax.metadata, 'metadata'], [ctx.syntax.updatePolicy, 'updatePolicy']] as const) {
    if (definition[key] === undefined) continue;
    checkReferences(ctx, definition[key]!, `${path}.${key}`, requires);
    const value = resolveAt(ctx, definition[key]!, `${path}.${key}`);
    if (value !== undefined && value !== null && !isObject(value)) ctx.issues.fail('NotAMapping', `${path}.${key}`, `${key} must be a mapping`);
    else if (isObject(value)) extras[field] = value;
  }
  return extras;
}

/** The resource's properties resolved and checked against its type; undefined when they are not a mapping. */
/** `external`: the resource takes over an existing object, so, as in Heat, nothing is built from its properties and none is required. */
function planProperties(ctx: PlanContext, name: string, definition: JsonObject, path: string, requires: Set<string>, external: boolean): JsonObject | undefined {
  const rawProperties = definition[ctx.syntax.properties] ?? {};
  const propertiesPath = `${path}.${ctx.syntax.properties}`;
  if (!isObject(rawProperties)) {
    ctx.issues.fail('NotAMapping', propertiesPath, 'properties must be a mapping');
    return undefined;
  }
  checkReferences(ctx, rawProperties, propertiesPath, requires);
  const schema = ctx.schemas[name];
  return schema === undefined || schema === 'template'
    ? nestedProperties(ctx, ctx.nestedParameters[name], rawProperties, propertiesPath)
    : schemaProperties(ctx, schema, rawProperties, propertiesPath, external);
}

/** A nested template's properties are its parameters; without the template at hand they are only resolved. */
function nestedProperties(ctx: PlanContext, nested: PlanContext['nestedParameters'][string] | undefined, rawProperties: JsonObject, propertiesPath: string): JsonObject {
  const properties: JsonObject = {};
  for (const [key, raw] of Object.entries(rawProperties)) {
    if (nested && !(key in nested.parameters)) {
      ctx.issues.fail('UnknownProperty', `${propertiesPath}.${key}`, `the nested template '${nested.file}' has no parameter '${key}' (it has: ${Object.keys(nested.parameters).join(', ') || 'none'})`);
      continue;
    }
    const value = resolveAt(ctx, raw, `${propertiesPath}.${key}`);
    if (value !== undefined) properties[key] = value;
  }
  for (const [key, spec] of Object.entries(nested?.parameters ?? {})) {
    const hasDefault = isObject(spec) && (spec.default ?? spec.Default ?? null) !== null;
    if (!(key in rawProperties) && !hasDefault) ctx.issues.fail('MissingProperty', propertiesPath, `the nested template '${nested!.file}' requires the parameter '${key}'`);
  }
  return properties;
}

function schemaProperties(ctx: PlanContext, schema: ResourceType, rawProperties: JsonObject, propertiesPath: string, external = false): JsonObject {
  const { issues } = ctx;
  const properties: JsonObject = {};
  for (const [key, raw] of Object.entries(rawProperties)) {
    const propSchema = schema.properties[key];
    if (!propSchema && !schema.anyProperties) {
      issues.fail('UnknownProperty', `${propertiesPath}.${key}`, `${schema.name} has no property '${key}' (it has: ${Object.keys(schema.properties).join(', ')})`);
      continue;
    }
    const value = resolveAt(ctx, raw, `${propertiesPath}.${key}`);
    if (value === undefined || value === null) continue;
    const checked = propSchema ? checkProperty(propSchema, value) : ok(value);
    if (checked.ok) properties[key] = checked.value;
    else issues.fail('InvalidProperty', `${propertiesPath}.${key}${'at' in checked ? checked.at : ''}`, checked.problem);
  }
  for (const [key, propSchema] of Object.entries(schema.properties)) {
    if (Object.hasOwn(rawProperties, key)) continue;
    if (propSchema.required && !external) issues.fail('MissingProperty', propertiesPath, `${schema.name} requires the property '${key}'`);
    else if (propSchema.default !== undefined) properties[key] = propSchema.default as Json;
  }
  if (external) return properties;
  for (const issue of schema.validate?.(properties) ?? []) issues.fail('InvalidProperty', `${propertiesPath}${issue.path}`, issue.message);
  return properties;
}

/** Plans the outputs; as in Heat, one whose condition is false stays, with the value null, its value not evaluated. */
export function planOutputs(ctx: PlanContext): void {
  const { syntax, issues } = ctx;
  const section = ctx.data[syntax.outputs] ?? {};
  if (!isObject(section)) return issues.fail('NotAMapping', syntax.outputs, `'${syntax.outputs}' must be a mapping`);
  const allowed = (syntax.outputKeys as readonly string[]).filter((k) => ctx.version.conditions || k.toLowerCase() !== 'condition');
  for (const [name, definition] of Object.entries(section)) {
    const path = `${syntax.outputs}.${name}`;
    if (!isObject(definition) || !(syntax.value in definition)) {
      issues.fail('MissingValue', path, `an output must be a mapping with a '${syntax.value}'`);
      continue;
    }
    for (const key of Object.keys(definition)) if (!allowed.includes(key)) issues.fail('UnknownKey', `${path}.${key}`, `unknown output key '${key}' (allowed: ${allowed.join(', ')})`);
    const description = definition[syntax.description];
    const described = typeof description === 'string' ? { description } : {};
    if (!conditionOf(ctx, definition, path)) {
      ctx.outputs[name] = { value: null, ...described };
      continue;
    }
    checkReferences(ctx, definition[syntax.value]!, `${path}.${syntax.value}`);
    const output = resolveOutput(ctx, definition[syntax.value]!, `${path}.${syntax.value}`);
    if (output) ctx.outputs[name] = { ...output, ...described };
  }
}

/**
 * An output's value. Heat accepts a template whose output refers to a resource it does not have (get_resource,
 * Ref): that output alone has no value, and shows the error. Any other problem fails the template.
 */
function resolveOutput(ctx: PlanContext, value: Json, path: string): { value: Json; error?: string } | undefined {
  try {
    return { value: resolve(value, ctx.resolver, path) };
  } catch (err) {
    if (err instanceof UnknownReferenceError) {
      ctx.issues.warn('OutputError', err.path, `${err.message}: the output will have no value`);
      return { value: null, error: err.message };
    }
    if (!(err instanceof FunctionError)) throw err;
    ctx.issues.fail('InvalidFunction', err.path, err.message);
    return undefined;
  }
}
