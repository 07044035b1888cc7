/**
 * A stack's events across all its actions, read from Temporal: each action is one workflow run under the
 * stack's workflow id, and each run answers the stackEvents query from its memory (a closed run after the
 * worker replays it). An event's id is its run's id and its place in that run, so it never changes.
 */
import type { EventPage, EventsRequest, RecordedEvent } from '../../workflows/definitions';
import { StokeError } from '../errors';
import type { StackState } from '../template/types';
import { stacksDown } from './nested';

/** An event as `openstack stack event show` names its fields. */
export interface StackEvent {
  readonly id: string;
  readonly event_time: string;
  readonly resource_name: string;
  readonly physical_resource_id: string;
  readonly resource_type: string;
  readonly resource_status: string;
  readonly resource_status_reason: string;
}

/** One action of the stack: a run of its workflow id. */
export interface ActionRun {
  readonly runId: string;
  readonly action: string;
  readonly running: boolean;
  readonly startTime?: Date;
}

/** What events are read from: the client's view of Temporal. */
export interface EventSource {
  /** The actions of the stack as it is now (since its newest create), oldest first. */
  runs(): Promise<ActionRun[]>;
  page(runId: string, request: EventsRequest): Promise<EventPage>;
}

const SEPARATOR = ':';

export const eventId = (runId: string, seq: number) => `${runId}${SEPARATOR}${seq}`;

function parseEventId(id: string): { runId: string; seq: number } | undefined {
  const at = id.lastIndexOf(SEPARATOR);
  const seq = Number(id.slice(at + 1));
  return at > 0 && Number.isInteger(seq) && seq > 0 ? { runId: id.slice(0, at), seq } : undefined;
}

export function stackEvent(runId: string, e: RecordedEvent): StackEvent {
  return {
    id: eventId(runId, e.seq), event_time: e.time, resource_name: e.resourceName, physical_resource_id: e.physicalId,
    resource_type: e.resourceType, resource_status: e.status, resource_status_reason: e.reason,
  };
}

/**
 * The runs of the stack as it is now, oldest first: those since its newest create. Runs before it belong to
 * an earlier stack of the same name, deleted since, as Heat keeps a deleted stack's events under its own id.
 */
export function currentRuns(runs: readonly ActionRun[]): ActionRun[] {
  const sorted = [...runs].sort((a, b) => (a.startTime?.getTime() ?? 0) - (b.startTime?.getTime() ?? 0));
  const created = sorted.map((r) => r.action).lastIndexOf('createStack');
  return sorted.slice(Math.max(0, created));
}

/** Reads a stack's events in order, each once: call `next` again to get the events recorded since. */
export class EventReader {
  /** The last sequence number read, by run. */
  private readonly read = new Map<string, number>();
  /** Runs that had ended when they were read: none of their events is left. */
  private readonly finished = new Set<string>();

  constructor(private readonly source: EventSource, private readonly resource?: string) {}

  /** The events not returned yet, oldest first, and whether an action of the stack still runs. */
  async next(): Promise<{ events: StackEvent[]; running: boolean }> {
    const runs = await this.source.runs();
    const events: StackEvent[] = [];
    for (const run of runs) {
      if (this.finished.has(run.runId)) continue;
      for (let more = true; more;) {
        const page = await this.source.page(run.runId, { after: this.read.get(run.runId) ?? 0, ...(this.resource === undefined ? {} : { resource: this.resource }) });
        events.push(...page.events.map((e) => stackEvent(run.runId, e)));
        const last = page.events[page.events.length - 1];
        if (last) this.read.set(run.runId, last.seq);
        more = page.more;
      }
      if (!run.running) this.finished.add(run.runId);
    }
    return { events, running: runs.some((r) => r.running) };
  }
}

/** An event of a stack or of a stack nested in it, naming the stack it belongs to, as `openstack stack event list --nested-depth` shows it. */
export type NestedEvent = StackEvent & { readonly stack_name: string; readonly stack_id: string };

/** What events of nested stacks are read from: the client, which finds the nested stacks in their parents' states. */
export interface NestedEventSource {
  events(name: string): EventSource;
  show(name: string): Promise<StackState>;
}

/**
 * Reads the events of a stack and of the stacks nested in it down to `depth` levels, each once, by time; the
 * nested stacks are found anew on each call, so that those a running action makes are read too.
 */
export class NestedEventReader {
  private readonly readers = new Map<string, EventReader>();

  constructor(private readonly source: NestedEventSource, private readonly stack: string, private readonly depth: number) {}

  /** The events not returned yet, oldest first, and whether an action of the stack still runs. */
  async next(): Promise<{ events: NestedEvent[]; running: boolean }> {
    const show = (name: string) => this.source.show(name);
    const stacks = await stacksDown(show, await show(this.stack), this.depth);
    const events: NestedEvent[] = [];
    let running = false;
    for (const { name, id } of stacks) {
      let reader = this.readers.get(name);
      if (!reader) this.readers.set(name, (reader = new EventReader(this.source.events(name))));
      const read = await reader.next();
      running ||= read.running;
      events.push(...read.events.map((e) => ({ ...e, stack_name: name, stack_id: id })));
    }
    // Stable: events of one time keep their stacks' order, a parent's before its children's.
    return { events: events.sort((a, b) => a.event_time.localeCompare(b.event_time)), running };
  }
}

/** One event of one resource, by its id: read from its own run alone. */
export async function findEvent(source: EventSource, stack: string, resource: string, id: string): Promise<StackEvent> {
  const notFound = () => new StokeError('EventNotFound', `stack '${stack}' has no event '${id}' of resource '${resource}' (see \`stoke stack event list ${stack} --resource ${resource}\`)`);
  const at = parseEventId(id);
  if (!at || !(await source.runs()).some((r) => r.runId === at.runId)) throw notFound();
  const [event] = (await source.page(at.runId, { after: at.seq - 1, limit: 1 })).events;
  if (!event || event.seq !== at.seq || event.resourceName !== resource) throw notFound();
  return stackEvent(at.runId, event);
}
