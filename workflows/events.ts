/**
 * A stack action's events, as Heat records them: one per status change of the stack or of a resource. They
 * live in the workflow's memory, not in its state: the state travels whole as one payload, and thousands of
 * resources times several events would pass the payload limit. A replay rebuilds them, so a closed action
 * answers the query as a running one does. Recording adds no command: recorded histories replay unchanged.
 */
import { setHandler } from '@temporalio/workflow';
import { redactText } from '../src/template/redact';
import type { StackState, StackStatus } from '../src/template/types';
import { stackEventsQuery, type EventPage, type EventsRequest, type RecordedEvent } from './definitions';

/** Heat's type for the stack's own events. */
const STACK_EVENT_TYPE = 'OS::Heat::Stack';

/** A page's bounds: far below Temporal's 2 MB payload limit however long the reasons, even in characters of 3 bytes. */
const MAX_PAGE_EVENTS = 500;
const MAX_PAGE_CHARS = 256 * 1024;

// Module state is this workflow's own: the sandbox gives every workflow execution its own modules.
const events: RecordedEvent[] = [];
let answering = false;

export function recordEvent(state: StackState, event: Omit<RecordedEvent, 'seq'>): void {
  // Registered on the first event, which every action records before any other step.
  if (!answering) {
    setHandler(stackEventsQuery, (request) => eventPage(events, request));
    answering = true;
  }
  // Masked once here, so no page ever carries a hidden value.
  events.push({ ...event, seq: events.length + 1, reason: redactText(state, event.reason) });
}

export function recordStackEvent(state: StackState, status: StackStatus, reason: string, time: string): void {
  recordEvent(state, { time, resourceName: state.name, physicalId: state.id, resourceType: STACK_EVENT_TYPE, status, reason });
}

/** The events after `request.after` (of `request.resource` only, if given), at most a page of them. */
export function eventPage(recorded: readonly RecordedEvent[], request: EventsRequest = {}): EventPage {
  const limit = Math.min(Math.max(1, request.limit ?? MAX_PAGE_EVENTS), MAX_PAGE_EVENTS);
  const page: RecordedEvent[] = [];
  let chars = 0;
  // Sequence numbers are positions plus one: the page starts right after the marker.
  for (let i = Math.max(0, request.after ?? 0); i < recorded.length; i++) {
    const event = recorded[i]!;
    if (request.resource !== undefined && event.resourceName !== request.resource) continue;
    chars += JSON.stringify(event).length;
    if (page.length === limit || (page.length > 0 && chars > MAX_PAGE_CHARS)) return { events: page, more: true };
    page.push(event);
  }
  return { events: page, more: false };
}
