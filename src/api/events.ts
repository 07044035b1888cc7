/**
 * Heat's events of a stack and of one resource, read from the stack's workflow histories as `stoke stack event
 * list | show` read them: an event's id is its action's run and its place there, the same on every call.
 */
import { EventReader, findEvent, NestedEventReader } from '../client/events';
import { StokeError } from '../errors';
import { ApiError } from './faults';
import { sendJson } from './http';
import { eventDepth, eventPage, eventView } from './resource-views';
import type { ApiRequest, Routes } from './routes';
import { stackAt } from './stacks';

/** A stack's events, or one resource's; `nested_depth` adds the events of nested stacks, each linked to its own stack. */
async function list({ res, base, query, stacks }: ApiRequest, name: string, id: string, resource?: string): Promise<void> {
  const params = new URLSearchParams(query);
  const depth = eventDepth(params);
  const state = await stackAt(stacks, name, id);
  if (resource === undefined && depth > 0) {
    const { events } = await new NestedEventReader(stacks, name, depth).next();
    const page = eventPage(events, params);
    sendJson(res, 200, { events: page.map((event) => eventView(base, { name: event.stack_name, id: event.stack_id }, event, undefined, state)) });
    return;
  }
  const { events } = await new EventReader(stacks.events(name), resource).next();
  const page = eventPage(events, params);
  if (resource !== undefined && page.length === 0) throw new ApiError(404, 'HTTPNotFound', `No events found for resource ${resource}`);
  sendJson(res, 200, { events: page.map((event) => eventView(base, state, event)) });
}

/** The detail adds the resource's properties as the stack holds them now (hidden values masked): stoke's events keep none. */
async function show({ res, base, stacks }: ApiRequest, name: string, id: string, resource: string, eventId: string): Promise<void> {
  const state = await stackAt(stacks, name, id);
  const event = await findEvent(stacks.events(name), name, resource, eventId).catch((err: unknown) => {
    if (StokeError.isStokeError(err) && err.code === 'EventNotFound') throw new ApiError(404, 'HTTPNotFound', `No event ${eventId} found`);
    throw err;
  });
  sendJson(res, 200, { event: eventView(base, state, event, state.resources[resource]?.properties ?? {}) });
}

export const EVENT_ROUTES: Routes = [
  [/^\/stacks\/([^/]+)\/([^/]+)\/events$/, { GET: list }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/resources\/([^/]+)\/events$/, { GET: list }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/resources\/([^/]+)\/events\/([^/]+)$/, { GET: show }],
];
