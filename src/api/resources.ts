/**
 * Heat's resources of a stack: list, show, metadata, signal and mark unhealthy. Read from the stack's state as
 * `stoke stack resource list | show` read it; signals and marks go through the client as `stoke stack signal`
 * and `stoke stack resource mark-unhealthy` send them.
 */
import { resourcesDown } from '../client/nested';
import { parseSignalBody } from '../gateway/gateway';
import { identifiersOf, maskJson, redactState } from '../template/redact';
import type { Json, JsonObject, StackState } from '../template/types';
import { runsOf } from '../../workflows/legacy';
import { ApiError } from './faults';
import { readBody, readJsonObject, sendJson } from './http';
import { asObject, markRequest, resourceListing, resourceView } from './resource-views';
import type { ApiRequest, Routes, Stacks } from './routes';
import { notFound, stackAt } from './stacks';
import { templateOf } from './views';

/** Heat's ResourceNotFound, with the names the stack has. */
function checkResource(state: StackState, name: string): void {
  if (Object.hasOwn(state.resources, name)) return;
  const names = Object.keys(state.resources).sort();
  throw new ApiError(404, 'ResourceNotFound', `The Resource (${name}) could not be found in Stack ${state.name} (it has: ${names.join(', ') || 'none'}).`);
}

/** The description each resource has in the stack's template: Heat shows it with a resource's detail. */
async function descriptions(stacks: Stacks, name: string): Promise<(resource: string) => string> {
  const template = templateOf(await stacks.current(name));
  const resources = asObject((template?.resources ?? template?.Resources) as Json | undefined);
  return (resource) => {
    const definition = asObject(resources[resource]);
    const text = definition.description ?? definition.Description;
    return typeof text === 'string' ? text : '';
  };
}

/** With `nested_depth`, the resources of nested stacks follow the stack's own, as Heat lists them. */
async function list({ res, base, query, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  const listing = resourceListing(new URLSearchParams(query));
  const state = await stackAt(stacks, name, id);
  const found = await resourcesDown((stack) => stacks.show(stack), state, listing.depth, listing.names);
  const described = new Map<string, (resource: string) => string>();
  if (listing.withDetail) for (const { stack } of found) if (!described.has(stack.name)) described.set(stack.name, await descriptions(stacks, stack.name));
  const resources = found.map(({ stack, resource }) => {
    const describe = described.get(stack.name);
    return resourceView(base, stack, resource, describe && { description: describe(resource), withAttr: [] });
  });
  sendJson(res, 200, { resources });
}

async function show({ res, base, query, stacks }: ApiRequest, name: string, id: string, resource: string): Promise<void> {
  const state = await stackAt(stacks, name, id);
  checkResource(state, resource);
  const described = await descriptions(stacks, name);
  const withAttr = new URLSearchParams(query).getAll('with_attr');
  sendJson(res, 200, { resource: resourceView(base, state, resource, { description: described(resource), withAttr }) });
}

/**
 * A wait condition handle's metadata is its signals by id, as Heat keeps them; any other resource's is the
 * template's metadata section, its hidden values masked.
 */
async function metadata({ res, stacks }: ApiRequest, name: string, id: string, resource: string): Promise<void> {
  // The state itself, not the one shown: the metadata section is masked here with the stack's hidden values.
  const state = await stacks.state(name);
  if (state.id !== id) throw notFound(`The Stack (${name}/${id}) could not be found.`);
  checkResource(state, resource);
  const shown = redactState(state).resources[resource]!;
  let data: JsonObject;
  if (runsOf(shown).signals === 'handle') {
    data = Object.fromEntries(Object.entries(shown.signals ?? {}).map(([key, s]) => [key, { status: s.status, reason: s.reason, data: s.data }]));
  } else {
    const declared = (await stacks.current(name))?.plan.resources[resource]?.metadata ?? {};
    data = asObject(maskJson(declared, state.hiddenValues ?? [], identifiersOf(state)));
  }
  sendJson(res, 200, { metadata: data });
}

/**
 * The body is the signal's details, as a server sends them to a handle (none is a SUCCESS); to a scaling
 * policy, its data, and the signal starts the scale of its group.
 */
async function signal({ req, res, stacks }: ApiRequest, name: string, id: string, resource: string): Promise<void> {
  const state = await stackAt(stacks, name, id);
  checkResource(state, resource);
  const r = state.resources[resource]!;
  const takes = runsOf(r).signals;
  if (takes === 'scale') {
    const text = await readBody(req);
    await stacks.scale(name, resource, text.trim() === '' ? undefined : parseJson(text), id);
  } else if (takes === 'handle') await stacks.signal(name, parseSignalBody(resource, await readBody(req)));
  else {
    throw new ApiError(400, 'ResourceActionNotSupported', `Signal is not supported for resource ${resource} (${r.type}): stoke's resources that take signals are wait condition handles and scaling policies`);
  }
  sendJson(res, 200, null);
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new ApiError(400, 'InvalidSignal', `malformed JSON body: ${(err as Error).message}`);
  }
}

/** Heat marks a resource before it answers: so does this, waiting for the action that marks it. */
async function markUnhealthy({ req, res, stacks }: ApiRequest, name: string, id: string, resource: string): Promise<void> {
  await stackAt(stacks, name, id);
  const { healthy, reason } = markRequest(await readJsonObject(req));
  await stacks.markUnhealthy(name, resource, reason, healthy);
  await stacks.wait(name, () => undefined);
  sendJson(res, 200, null);
}

export const RESOURCE_ROUTES: Routes = [
  [/^\/stacks\/([^/]+)\/([^/]+)\/resources$/, { GET: list }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/resources\/([^/]+)$/, { GET: show, PATCH: markUnhealthy }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/resources\/([^/]+)\/metadata$/, { GET: metadata }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/resources\/([^/]+)\/signal$/, { POST: signal }],
];
