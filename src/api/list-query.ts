/**
 * `GET /stacks`'s query as Heat's API reads it (heat/api/openstack/v1/stacks.py `_index`, the engine's
 * translate_filters, the database's paginate_query): filters, sort, limit and marker, applied to stoke's listing.
 */
import { ApiError } from './faults';

/** An item of the listing, as views.listItem gives it. */
export interface Listed {
  readonly id: string | null;
  readonly stack_name: string;
  readonly stack_status: string;
  readonly creation_time: string | null;
  readonly updated_time: string | null;
}

const SORT_KEYS = ['stack_name', 'stack_status', 'creation_time', 'updated_time'] as const;
type SortKey = (typeof SORT_KEYS)[number];

export interface ListQuery {
  /** Per field, the values any of which a stack must have (a repeated key means any of them). */
  readonly ids: readonly string[];
  readonly names: readonly string[];
  /** Heat keeps action and status apart: `CREATE_FAILED` filters on both, `FAILED` on the status alone. */
  readonly actions: readonly string[];
  readonly statuses: readonly string[];
  readonly tenants: readonly string[];
  readonly sortKeys: readonly SortKey[];
  readonly sortDir: 'asc' | 'desc';
  readonly limit?: number;
  readonly marker?: string;
  readonly withCount: boolean;
  readonly showDeleted: boolean;
  readonly showNested: boolean;
  /** Every tenant's stacks: Heat's default policy (stacks:global_index) denies that to everybody. */
  readonly globalTenant: boolean;
}

const badRequest = (message: string) => new ApiError(400, 'HTTPBadRequest', message);

/** Filters Heat takes that stoke has nothing to match with: refused, since ignoring one would list what it excludes. */
const UNKEPT_FILTERS = ['username', 'owner_id', 'stack_owner', 'parent', 'stack_user_project_id', 'status_reason', 'stack_status_reason',
  'disable_rollback', 'timeout_mins', 'tags', 'tags_any', 'not_tags', 'not_tags_any'];

/** Heat's extract_bool. */
export function extractBool(name: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw badRequest(`Unrecognized value "${value}" for "${name}", acceptable values are: true, false.`);
  return lower === 'true';
}

/** Heat's extract_int for a limit: zero allowed, negatives not. */
function extractLimit(value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim())) throw badRequest(`Only integer is acceptable by 'limit'.`);
  const limit = Number(value);
  if (limit < 0) throw badRequest(`Value '${value}' is invalid for 'limit' which only accepts non-negative integer.`);
  return limit;
}

/** Heat's _parse_object_status: `CREATE_FAILED` gives action CREATE and status FAILED, `FAILED` the status alone. */
function splitStatuses(values: readonly string[]): { actions: string[]; statuses: string[] } {
  const actions = new Set<string>();
  const statuses = new Set<string>();
  for (const value of values) {
    const match = /^(?:(.+)_)?(COMPLETE|FAILED|IN_PROGRESS)$/.exec(value);
    if (!match) throw badRequest(`Unknown stack status '${value}': a status is COMPLETE, FAILED or IN_PROGRESS, optionally after an action (CREATE_COMPLETE)`);
    statuses.add(match[2]!);
    if (match[1]) actions.add(match[1]);
  }
  return { actions: [...actions], statuses: [...statuses] };
}

/** `query` is the request's query string, `?` included or empty. */
export function parseListQuery(query: string): ListQuery {
  const params = new URLSearchParams(query);
  // webob hands a single-valued parameter given twice as its last value.
  const single = (key: string) => params.getAll(key).at(-1);
  const all = (...keys: string[]) => keys.flatMap((key) => params.getAll(key));
  const unkept = UNKEPT_FILTERS.find((key) => params.has(key));
  if (unkept) throw badRequest(`stoke cannot filter stacks by '${unkept}': it keeps no such field (filters: id, name, status, action, tenant)`);
  const sortKeys = all('sort_keys').flatMap((keys) => keys.split(',')).filter(Boolean);
  const unknownKey = sortKeys.find((key) => !(SORT_KEYS as readonly string[]).includes(key));
  if (unknownKey) throw badRequest(`Unknown sort key '${unknownKey}': stacks sort by ${SORT_KEYS.join(', ')}`);
  const sortDir = single('sort_dir');
  if (sortDir !== undefined && sortDir !== 'asc' && sortDir !== 'desc') throw badRequest(`Unknown sort direction '${sortDir}': it must be 'asc' or 'desc'`);
  const flag = (key: string) => {
    const value = single(key);
    return value !== undefined && extractBool(key, value);
  };
  const showNested = flag('show_nested');
  // Accepted for heatclient's sake: stoke has no hidden stacks.
  flag('show_hidden');
  const status = splitStatuses(all('status', 'stack_status'));
  const limit = single('limit');
  const marker = single('marker');
  // Heat reads with_count only when not empty.
  const withCount = single('with_count');
  return {
    ids: all('id'), names: all('name', 'stack_name'), tenants: all('tenant'),
    actions: [...new Set([...all('action', 'stack_action'), ...status.actions])], statuses: status.statuses,
    sortKeys: sortKeys as SortKey[],
    // Heat's default order is the newest first; keys given without a direction sort ascending.
    sortDir: sortDir ?? (sortKeys.length > 0 ? 'asc' : 'desc'),
    ...(limit !== undefined && limit !== '' ? { limit: extractLimit(limit) } : {}),
    ...(marker ? { marker } : {}),
    withCount: withCount ? extractBool('with_count', withCount) : false,
    showDeleted: flag('show_deleted'), showNested,
    globalTenant: flag('global_tenant'),
  };
}

const anyOf = (wanted: readonly string[], value: string | null | undefined) => wanted.length === 0 || (value != null && wanted.includes(value));

function matches(query: ListQuery, item: Listed, tenant: string | undefined): boolean {
  const [, action, status] = /^(.*)_(COMPLETE|FAILED|IN_PROGRESS)$/.exec(item.stack_status) ?? [];
  return anyOf(query.ids, item.id) && anyOf(query.names, item.stack_name) && anyOf(query.tenants, tenant)
    && anyOf(query.actions, action) && anyOf(query.statuses, status);
}

/** Sorted by the keys, then by id as Heat does so that pages never overlap; nulls first, as SQL sorts them ascending. */
function compare(query: ListQuery, a: Listed, b: Listed): number {
  const keys: readonly (SortKey | 'id')[] = [...(query.sortKeys.length > 0 ? query.sortKeys : ['creation_time' as const]), 'id'];
  for (const key of keys) {
    const [x, y] = [a[key] ?? '', b[key] ?? ''];
    if (x !== y) return (x < y ? -1 : 1) * (query.sortDir === 'asc' ? 1 : -1);
  }
  return 0;
}

/**
 * The page the query asks for, and the count of every match (`with_count`). The marker is the id of the last
 * stack of the page before; one that is not in the listing is refused, where Heat would silently start over.
 */
export function selectPage<T extends Listed>(query: ListQuery, items: readonly T[], tenantOf: (item: T) => string | undefined): { page: T[]; count: number } {
  const selected = items.filter((item) => matches(query, item, tenantOf(item))).sort((a, b) => compare(query, a, b));
  let start = 0;
  if (query.marker !== undefined) {
    const at = selected.findIndex((item) => item.id === query.marker);
    if (at < 0) throw badRequest(`marker '${query.marker}' is not the id of a stack in this listing`);
    start = at + 1;
  }
  return { page: selected.slice(start, query.limit === undefined ? undefined : start + query.limit), count: selected.length };
}

/** Heat's `links: [{rel: next}]` when a limit was given and the page is full: the same query, the marker moved on. */
export function nextLinks(pathUrl: string, query: string, page: readonly Listed[], limit: number | undefined): { href: string; rel: 'next' }[] {
  const last = page.at(-1);
  if (!limit || page.length !== limit || !last?.id) return [];
  const params = new URLSearchParams(query);
  params.set('marker', last.id);
  return [{ href: `${pathUrl}?${params.toString()}`, rel: 'next' }];
}
