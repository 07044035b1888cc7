/**
 * Heat's stacks: list, create, show (with the name → name/id redirect), delete, and build_info. Everything is
 * read from and started through the StackClient, as the CLI does: Temporal is the only store.
 */
import { planSource } from '../template/source';
import { adoptionOf, createRequest } from './create-body';
import { ApiError } from './faults';
import { readJsonObject, sendJson } from './http';
import type { ApiRequest, Routes, Stacks } from './routes';
import { listItem, stackPath, stackView } from './views';

export const notFound = (message: string) => new ApiError(404, 'EntityNotFound', message);

/** Heat answers a name whose id is not this stack's as it answers an unknown stack. */
export async function stackAt(stacks: Stacks, name: string, id: string) {
  const state = await stacks.show(name);
  if (state.id !== id) throw notFound(`The Stack (${name}/${id}) could not be found.`);
  return state;
}

async function list({ res, base, stacks }: ApiRequest): Promise<void> {
  const [summaries, ids] = await Promise.all([stacks.list(), stacks.stackIds()]);
  const items = summaries.map((summary) => listItem(base, summary, ids.get(summary.name) ?? null));
  items.sort((a, b) => (b.creation_time ?? '').localeCompare(a.creation_time ?? ''));
  sendJson(res, 200, { stacks: items });
}

async function create({ req, res, base, stacks }: ApiRequest): Promise<void> {
  const request = createRequest(await readJsonObject(req));
  const { plan, source } = planSource(request.source, { stackName: request.name, disableRollback: request.disableRollback, timeoutMinutes: request.timeoutMinutes });
  const id = await stacks.create(plan, source, request.adopt && adoptionOf(plan, request.adopt));
  const href = stackPath(base, request.name, id);
  sendJson(res, 201, { stack: { id, links: [{ href, rel: 'self' }] } }, { Location: href });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Visibility lags a moment behind a start; heatclient reads a stack by id right after creating it. */
const VISIBILITY_TRIES = 10;
const VISIBILITY_PAUSE_MS = 300;

/** A stack by name, or by id as Heat also finds it, through the ids visibility holds. */
export async function identify(stacks: Stacks, nameOrId: string): Promise<{ name: string; id: string }> {
  if (!UUID.test(nameOrId)) {
    // Heat finds names among live stacks only; a deleted stack is still found by id.
    const state = await stacks.show(nameOrId);
    if (state.status === 'DELETE_COMPLETE') throw notFound(`The Stack (${nameOrId}) could not be found.`);
    return state;
  }
  for (let attempt = 1; ; attempt++) {
    const name = [...(await stacks.stackIds())].find(([, id]) => id === nameOrId)?.[0];
    if (name) return { name, id: nameOrId };
    if (attempt === VISIBILITY_TRIES) throw notFound(`The Stack (${nameOrId}) could not be found.`);
    await new Promise((resolve) => setTimeout(resolve, VISIBILITY_PAUSE_MS));
  }
}

/**
 * `/stacks/{name or id}[/{sub}]`: the canonical URL, with the query string kept (keystoneauth drops its own on
 * a redirect) and the same method, which heatclient repeats with its body.
 */
async function redirect({ res, base, query, stacks }: ApiRequest, nameOrId: string, sub?: string): Promise<void> {
  const { name, id } = await identify(stacks, nameOrId);
  res.writeHead(302, { Location: `${stackPath(base, name, id)}${sub ? `/${sub}` : ''}${query}`, 'Content-Length': 0 });
  res.end();
}

async function show({ res, base, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  const state = await stackAt(stacks, name, id);
  sendJson(res, 200, { stack: stackView(base, state, await stacks.current(name)) });
}

async function remove({ res, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  await stackAt(stacks, name, id);
  await stacks.delete(name);
  sendJson(res, 204, null);
}

async function buildInfo({ res }: ApiRequest): Promise<void> {
  sendJson(res, 200, { api: { revision: 'stoke' }, engine: { revision: 'stoke' } });
}

async function notYet(_request: ApiRequest, what: string): Promise<void> {
  throw new ApiError(404, 'HTTPNotFound', `/stacks/${what}: stoke's API does not serve this path yet (see the README's Heat API section)`);
}

export const STACK_ROUTES: Routes = [
  [/^\/build_info$/, { GET: buildInfo }],
  [/^\/stacks$/, { GET: list, POST: create }],
  // Before the name route, as in Heat's router: these are never stack names.
  [/^\/stacks\/(detail)$/, { GET: notYet, POST: notYet }],
  [/^\/stacks\/([^/]+)$/, { GET: redirect, POST: redirect, PUT: redirect, PATCH: redirect, DELETE: redirect }],
  // Heat's lookup routes come before `{name}/{id}`: these words are never stack ids.
  [/^\/stacks\/([^/]+)\/(resources|events|template|actions|environment|files|outputs)$/, { GET: redirect, POST: redirect }],
  [/^\/stacks\/([^/]+)\/([^/]+)$/, { GET: show, DELETE: remove }],
];
