/**
 * A stack's resources and events in the JSON shapes of Heat's API (its engine's format_stack_resource and
 * format_event, filtered by the API's resources and events views), and the queries and bodies of their calls.
 */
import type { StackEvent } from '../client/events';
import { nestedStackOf } from '../client/nested';
import { resourceDetail } from '../client/resource-detail';
import type { Json, JsonObject, StackState } from '../template/types';
import { ApiError } from './faults';
import { isotime, stackPath } from './views';

const badRequest = (message: string) => new ApiError(400, 'HTTPBadRequest', message);

/** Python's repr of a list of names, as Heat's messages quote them. */
const pythonList = (names: readonly string[]) => `[${names.map((name) => `'${name}'`).join(', ')}]`;

/** Heat's param_utils.extract_bool: true or false, in any case. */
export function extractBool(name: string, value: unknown): boolean {
  const text = String(value).toLowerCase();
  if (text !== 'true' && text !== 'false') throw badRequest(`Unrecognized value "${String(value)}" for "${name}", acceptable values are: true, false.`);
  return text === 'true';
}

/** Heat's param_utils.extract_int with zero allowed: a non-negative integer written plainly. */
export function extractInt(name: string, value: string): number {
  if (!/^-?\d+$/.test(value) || String(Number(value)) !== value) throw badRequest(`Only integer is acceptable by '${name}'.`);
  if (Number(value) < 0) throw badRequest(`Only non-negative integer is acceptable by '${name}'.`);
  return Number(value);
}

type Identity = { readonly name: string; readonly id: string };

export const resourcePath = (base: string, stack: Identity, resource: string) => `${stackPath(base, stack.name, stack.id)}/resources/${encodeURIComponent(resource)}`;

/** What a resource view adds when detailed: its template description, and attributes with `with_attr`'s names added. */
export interface ResourceExtras {
  readonly description: string;
  readonly withAttr: readonly string[];
}

/**
 * A resource as Heat's list and show answer it. stoke keeps one time per resource, that of its last change, so
 * it is both times: Heat's `updated_time` is the creation time too until a resource changes. Attributes are
 * those the template reads (stoke resolves no others); a `with_attr` name it does not hold is null. A nested
 * stack's resource names the parent's resource it is part of; a resource that is a nested stack links to it.
 */
export function resourceView(base: string, state: StackState, name: string, extras?: ResourceExtras) {
  const detail = resourceDetail(state, name);
  const time = isotime(detail.updated_time);
  const nested = nestedStackOf(state, name);
  return {
    resource_name: name, logical_resource_id: name, physical_resource_id: detail.physical_resource_id,
    resource_type: detail.resource_type, resource_status: detail.resource_status, resource_status_reason: detail.resource_status_reason,
    creation_time: time, updated_time: time, required_by: detail.required_by,
    links: [
      { href: resourcePath(base, state, name), rel: 'self' }, { href: stackPath(base, state.name, state.id), rel: 'stack' },
      ...(nested?.id ? [{ href: stackPath(base, nested.name, nested.id), rel: 'nested' }] : []),
    ],
    ...(state.parent ? { parent_resource: state.parent.resource } : {}),
    ...(extras ? {
      description: extras.description,
      attributes: { ...Object.fromEntries(extras.withAttr.map((attribute) => [attribute, null])), ...detail.attributes },
    } : {}),
  };
}

/** `resource_status` joined as Heat shows it, e.g. CREATE_COMPLETE, split into the action and status Heat filters on. */
function splitStatus(joined: string): { action: string; status: string } {
  const at = joined.indexOf('_');
  return at < 0 ? { action: '', status: joined } : { action: joined.slice(0, at), status: joined.slice(at + 1) };
}

const RESOURCE_FILTERS = ['type', 'status', 'name', 'action', 'id', 'physical_resource_id'] as const;
type ResourceFilter = (typeof RESOURCE_FILTERS)[number];

export interface ResourceListing {
  readonly withDetail: boolean;
  /** How many levels of nested stacks to list the resources of too (0: the stack's own). */
  readonly depth: number;
  /** The resources of `state` the filters keep, by name. */
  readonly names: (state: StackState) => string[];
}

/**
 * `GET {stack}/resources`'s query, as Heat reads it: any key but the filters, `nested_depth` and `with_detail` is
 * refused. A repeated filter keeps any of its values; `type` matches part of the type. stoke's resources have
 * no ids of their own, so `id` keeps none. The filters apply at every level `nested_depth` reaches.
 */
export function resourceListing(params: URLSearchParams): ResourceListing {
  const invalid = [...new Set(params.keys())].filter((key) => !(RESOURCE_FILTERS as readonly string[]).includes(key) && key !== 'nested_depth' && key !== 'with_detail');
  if (invalid.length > 0) throw badRequest(`Invalid filter parameters ${pythonList(invalid)}`);
  const depth = params.get('nested_depth');
  const detail = params.get('with_detail');
  const filters = RESOURCE_FILTERS.filter((key) => params.has(key)).map((key) => [key, params.getAll(key)] as const);
  const value = (state: StackState, name: string, key: ResourceFilter): string | undefined => {
    const r = state.resources[name]!;
    if (key === 'type') return r.type;
    if (key === 'name') return name;
    if (key === 'physical_resource_id') return r.physicalId;
    if (key === 'id') return undefined;
    return splitStatus(r.status)[key];
  };
  const keeps = (state: StackState, name: string) => filters.every(([key, wanted]) => {
    const actual = value(state, name, key);
    return actual !== undefined && wanted.some((w) => (key === 'type' ? actual.includes(w) : actual === w));
  });
  return {
    withDetail: detail !== null && extractBool('with_detail', detail),
    depth: depth === null ? 0 : extractInt('nested_depth', depth),
    names: (state) => Object.keys(state.resources).sort().filter((name) => keeps(state, name)),
  };
}

/** `PATCH {stack}/resources/{name}`'s body, as Heat's mark_unhealthy reads it: `healthy` takes a mark back. */
export function markRequest(body: Record<string, unknown>): { readonly healthy: boolean; readonly reason: string } {
  const invalid = Object.keys(body).filter((key) => key !== 'mark_unhealthy' && key !== 'resource_status_reason');
  if (invalid.length > 0) throw badRequest(`Invalid keys in resource mark unhealthy {${invalid.map((key) => `'${key}'`).join(', ')}}`);
  if (!Object.hasOwn(body, 'mark_unhealthy')) throw badRequest('Missing mandatory (mark_unhealthy) key from mark unhealthy request');
  const reason = body.resource_status_reason ?? '';
  return { healthy: !extractBool('mark_unhealthy', body.mark_unhealthy), reason: typeof reason === 'string' ? reason : JSON.stringify(reason) };
}

export const eventPath = (base: string, stack: Identity, event: StackEvent) => `${resourcePath(base, stack, event.resource_name)}/events/${encodeURIComponent(event.id)}`;

/**
 * An event as Heat's list answers it; `properties`, Heat's detail (show) adds them with the type. A listing with
 * `nested_depth` links each event to the `root` stack listed too, by which heatclient knows nested events are there.
 */
export function eventView(base: string, stack: Identity, event: StackEvent, properties?: JsonObject, root?: Identity) {
  return {
    id: event.id,
    links: [
      { href: eventPath(base, stack, event), rel: 'self' },
      { href: resourcePath(base, stack, event.resource_name), rel: 'resource' },
      { href: stackPath(base, stack.name, stack.id), rel: 'stack' },
      ...(root ? [{ href: stackPath(base, root.name, root.id), rel: 'root_stack' }] : []),
    ],
    event_time: isotime(event.event_time), resource_name: event.resource_name, logical_resource_id: event.resource_name,
    resource_status: event.resource_status, resource_status_reason: event.resource_status_reason, physical_resource_id: event.physical_resource_id,
    ...(properties ? { resource_type: event.resource_type, resource_properties: properties } : {}),
  };
}

/** `nested_depth` of an events query: how many levels of nested stacks' events to list too. */
export function eventDepth(params: URLSearchParams): number {
  const depth = params.get('nested_depth');
  return depth === null ? 0 : extractInt('nested_depth', depth);
}

const EVENT_FILTERS = ['resource_status', 'resource_action', 'resource_name', 'resource_type'] as const;
/** Heat's sort keys for events; it drops any other silently. */
const EVENT_SORT_KEYS: Readonly<Record<string, keyof StackEvent>> = { event_time: 'event_time', resource_type: 'resource_type' };

/**
 * `GET {stack}/events`'s query applied to the stack's events (oldest first), as Heat's events database query
 * does: filters (`resource_status` and `resource_action` are the two halves of the joined status; a repeated
 * filter keeps any of its values), then the sort (newest first when no key is given, else ascending unless
 * `sort_dir` says otherwise; ties in recording order), then the page after `marker`, of `limit` events. Other
 * keys are ignored, as Heat ignores them (`nested_depth` is read by `eventDepth`).
 */
export function eventPage<E extends StackEvent>(events: readonly E[], params: URLSearchParams): E[] {
  const limit = params.get('limit');
  const count = limit === null ? undefined : extractInt('limit', limit);
  const direction = params.get('sort_dir');
  if (direction !== null && direction !== 'asc' && direction !== 'desc') throw badRequest(`Unknown sort direction '${direction}', must be one of: asc, desc`);
  const keys = params.getAll('sort_keys').flatMap((key) => key.split(',')).map((key) => EVENT_SORT_KEYS[key]).filter((key) => key !== undefined);
  const sign = (direction ?? (keys.length === 0 ? 'desc' : 'asc')) === 'desc' ? -1 : 1;
  const fields = (e: StackEvent): Record<(typeof EVENT_FILTERS)[number], string> => {
    const { action, status } = splitStatus(e.resource_status);
    return { resource_status: status, resource_action: action, resource_name: e.resource_name, resource_type: e.resource_type };
  };
  const filters = EVENT_FILTERS.filter((key) => params.has(key)).map((key) => [key, params.getAll(key)] as const);
  const kept = events.map((event, order) => ({ event, order })).filter(({ event }) => filters.every(([key, wanted]) => wanted.includes(fields(event)[key])));
  const sortKeys = keys.length === 0 ? ['event_time' as const] : keys;
  kept.sort((a, b) => sign * (sortKeys.reduce((found, key) => found || a.event[key].localeCompare(b.event[key]), 0) || a.order - b.order));
  const sorted = kept.map(({ event }) => event);
  const marker = params.get('marker');
  const after = marker === null ? -1 : sorted.findIndex((e) => e.id === marker);
  return sorted.slice(after + 1, count === undefined ? undefined : after + 1 + count);
}

/** A JSON value as a JSON object, for metadata and properties that are always objects in Heat. */
export const asObject = (value: Json | undefined): JsonObject => (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {});
