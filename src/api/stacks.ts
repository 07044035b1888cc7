/**
 * Heat's stacks: list, create, show (with the name → name/id redirect), delete, actions, outputs, what a stack
 * was made from, and build_info. Everything is read from and started through the StackClient, as the CLI does:
 * Temporal is the only store. The client the request carries sees the path's tenant's stacks alone.
 */
import { abandonData } from '../client/abandon';
import { planSource } from '../template/source';
import { adoptionOf, createRequest } from './create-body';
import { ApiError } from './faults';
import { readJsonObject, sendJson } from './http';
import { nextLinks, parseListQuery, selectPage } from './list-query';
import type { ApiRequest, Routes, Stacks } from './routes';
import { environmentView, listItem, outputView, stackPath, stackView, templateOf } from './views';

export const notFound = (message: string) => new ApiError(404, 'EntityNotFound', message);

/** Heat answers a name whose id is not this stack's as it answers an unknown stack. */
export async function stackAt(stacks: Stacks, name: string, id: string) {
  const state = await stacks.show(name);
  if (state.id !== id) throw notFound(`The Stack (${name}/${id}) could not be found.`);
  return state;
}

async function list({ res, base, query, stacks }: ApiRequest): Promise<void> {
  const wanted = parseListQuery(query);
  if (wanted.globalTenant) {
    throw new ApiError(403, 'Forbidden', 'global_tenant=true lists every tenant\'s stacks, which Heat\'s default policy (stacks:global_index) denies to everybody, and so does stoke');
  }
  const [summaries, ids] = await Promise.all([stacks.list({ deleted: wanted.showDeleted, nested: wanted.showNested }), stacks.stackIds()]);
  const tenants = new Map(summaries.map((summary) => [summary.name, summary.tenant]));
  const items = summaries.map((summary) => listItem(base, summary, ids.get(summary.name) ?? null, summary.parent === undefined ? null : ids.get(summary.parent) ?? null));
  const { page, count } = selectPage(wanted, items, (item) => tenants.get(item.stack_name));
  const links = nextLinks(`${base}/stacks`, query, page, wanted.limit);
  sendJson(res, 200, { stacks: page, ...(links.length > 0 ? { links } : {}), ...(wanted.withCount ? { count } : {}) });
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

/** Heat's stack actions, each through the client as the CLI starts it. */
const ACTIONS: Readonly<Record<string, (stacks: Stacks, name: string) => Promise<unknown>>> = {
  suspend: (stacks, name) => stacks.suspend(name),
  resume: (stacks, name) => stacks.resume(name),
  check: (stacks, name) => stacks.check(name),
  cancel_update: (stacks, name) => stacks.cancel(name, true),
  cancel_without_rollback: (stacks, name) => stacks.cancel(name, false),
};

/** `POST {stack}/actions`: exactly one action, named by the body's one key (heatclient sends `{"suspend": null}`). */
async function action({ req, res, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  const keys = Object.keys(await readJsonObject(req, {}));
  if (keys.length < 1) throw new ApiError(400, 'HTTPBadRequest', 'No action specified');
  if (keys.length > 1) throw new ApiError(400, 'HTTPBadRequest', 'Multiple actions specified');
  const start = Object.hasOwn(ACTIONS, keys[0]!) ? ACTIONS[keys[0]!] : undefined;
  if (!start) throw new ApiError(400, 'HTTPBadRequest', `Invalid action ${keys[0]} specified (actions: ${Object.keys(ACTIONS).join(', ')})`);
  await stackAt(stacks, name, id);
  await start(stacks, name);
  sendJson(res, 200, null);
}

async function outputs({ res, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  const state = await stackAt(stacks, name, id);
  sendJson(res, 200, { outputs: Object.entries(state.outputs).map(([key, output]) => outputView(key, output, false)) });
}

async function output({ res, stacks }: ApiRequest, name: string, id: string, key: string): Promise<void> {
  const state = await stackAt(stacks, name, id);
  if (!Object.hasOwn(state.outputs, key)) throw new ApiError(404, 'NotFound', `Specified output key ${key} not found.`);
  sendJson(res, 200, { output: outputView(key, state.outputs[key]!) });
}

/** What the stack was made from, as its newest create or update recorded it. */
async function madeFrom(stacks: Stacks, name: string, id: string) {
  await stackAt(stacks, name, id);
  const inputs = await stacks.current(name);
  if (!inputs?.source) throw notFound(`The stack (${name}/${id}) keeps no template: it was made by a stoke that did not record its source`);
  return inputs;
}

async function template({ res, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  sendJson(res, 200, templateOf(await madeFrom(stacks, name, id)));
}

async function environment({ res, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  sendJson(res, 200, environmentView(await madeFrom(stacks, name, id)));
}

async function files({ res, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  sendJson(res, 200, (await madeFrom(stacks, name, id)).source?.files ?? {});
}

/** Heat's export: the abandon data, the stack left as it is. */
async function exportStack({ res, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  await stackAt(stacks, name, id);
  sendJson(res, 200, abandonData(await stacks.state(name), (await stacks.current(name))?.plan));
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
  [/^\/stacks\/([^/]+)\/([^/]+)\/actions$/, { POST: action }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/outputs$/, { GET: outputs }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/outputs\/([^/]+)$/, { GET: output }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/template$/, { GET: template }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/environment$/, { GET: environment }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/files$/, { GET: files }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/export$/, { GET: exportStack }],
];
