/**
 * What every stack action shares: the graph scheduler and status bookkeeping. The activity profiles
 * are in profiles.ts, the requests in requests.ts, deleting a whole stack in teardown.ts.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { walkDepthFirst, type Requirements } from '../src/template/graph';
import { redactText } from '../src/template/redact';
import type { ResourceState, RunProfile, StackState, StackStatus } from '../src/template/types';
import { MAX_PARALLEL, STACK_FAILED, stackStatusKey } from './definitions';
import { recordEvent, recordStackEvent } from './events';
import { runsOf } from './legacy';
import { PAYLOAD_REFUSED, refusedReason } from './refused';

export const now = () => new Date().toISOString();

export function setStatus(state: StackState, status: StackStatus, reason: string): void {
  state.status = status;
  state.statusReason = reason;
  state.updatedAt = now();
  upsertSearchAttributes([{ key: stackStatusKey, value: status }]);
  log.info('stack status', { stack: state.name, status, reason: redactText(state, reason) });
  recordStackEvent(state, status, reason, state.updatedAt);
}

/** Sets the status of the stack's resource `name` (as `state.resources` holds it now) and records the event. */
export function setResourceStatus(state: StackState, name: string, status: StackStatus, reason = ''): void {
  const resource = state.resources[name]!;
  resource.status = status;
  resource.statusReason = reason;
  resource.updatedAt = now();
  recordResourceEvent(state, name, resource, status, reason);
}

/** An event of one copy of resource `name`, which may not be the one the state holds (an update's old copy). */
export function recordResourceEvent(state: StackState, name: string, copy: ResourceState, status: StackStatus, reason = ''): void {
  recordEvent(state, { time: now(), resourceName: name, physicalId: copy.physicalId, resourceType: copy.type, status, reason });
}

/** The message a user should read: an activity's own failure message rather than "activity task failed". */
export function reasonOf(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  // The last attempt's error alone would hide that it was retried for as long as the stack allowed.
  return err instanceof ActivityFailure && err.retryState === 'TIMEOUT' ? `${message} (retried with backoff until the stack timeout)` : message;
}

export type Failures = { name: string; reason: string }[];

/**
 * A condition is evaluated as soon as it is made, so every node that reached the bound in one workflow
 * task saw the same free slots and all of them started: the bound did not hold. Histories recorded before
 * look again once woken; before, they started at once.
 */
const BOUND_PATCH = 'parallel-bound-holds';

/**
 * Every node waiting for a slot woke each time one freed, and all but one went back to waiting: at 1,000
 * containers (950 waiting) a workflow task took 1.8 s (median; 60 ms at 200, 20 ms at 50) and the freed slot
 * waited for it. Now only the first in line wakes. The line is in the order the nodes came to it, where a node
 * arriving in the step a slot freed could take that slot before the ones woken: histories recorded before keep that.
 */
const SLOT_LINE_PATCH = 'parallel-slots-in-line';

/** A runGraph's slots: how many steps run, and the nodes waiting for one, by their number, first come first. */
interface Slots {
  running: number;
  readonly line: number[];
  arrived: number;
}

/** Waits for a free slot and takes it; false when the scope is cancelled first, so that what is queued never starts. */
async function takeSlot(slots: Slots): Promise<boolean> {
  if (!patched(SLOT_LINE_PATCH)) return takeSlotAsBefore(slots);
  const me = slots.arrived++;
  slots.line.push(me);
  try {
    await condition(() => slots.running < MAX_PARALLEL && slots.line[0] === me);
    slots.line.shift();
    slots.running++;
    return true;
  } catch (err) {
    slots.line.splice(slots.line.indexOf(me), 1);
    if (isCancellation(err)) return false;
    throw err;
  }
}

async function takeSlotAsBefore(slots: Slots): Promise<boolean> {
  try {
    do await condition(() => slots.running < MAX_PARALLEL);
    while (slots.running >= MAX_PARALLEL && patched(BOUND_PATCH));
    // Taken in the same step as the look, before any other node resumes.
    slots.running++;
    return true;
  } catch (err) {
    if (isCancellation(err)) return false;
    throw err;
  }
}

/**
 * Runs `step` for every node once all the nodes it requires have succeeded, at most MAX_PARALLEL at a
 * time. After the first failure, or once the scope is cancelled, nothing new starts; what is running
 * finishes (a cancelled step fails). Returns the failures.
 *
 * A node `slotless` says runs no activity (a placeholder) takes no slot: thousands of them would otherwise all
 * wait in line within one workflow task, each freed slot looking at every waiting one again (8,000
 * placeholders: 11 s, past the task's timeout).
 */
export async function runGraph(requires: Requirements, step: (name: string) => Promise<void>, slotless: (name: string) => boolean = () => false): Promise<Failures> {
  const failures: Failures = [];
  const outcomes = new Map<string, Promise<boolean>>();
  const stopped = () => failures.length > 0 || CancellationScope.current().consideredCancelled;
  const slots: Slots = { running: 0, line: [], arrived: 0 };
  const run = (name: string): Promise<boolean> => {
    let outcome = outcomes.get(name);
    if (!outcome) {
      outcome = (async () => {
        const deps = await Promise.all((requires[name] ?? []).map(run));
        const slot = !slotless(name);
        if (!deps.every(Boolean) || stopped() || (slot && !(await takeSlot(slots)))) return false;
        try {
          if (stopped()) return false;
          await step(name);
          return true;
        } catch (err) {
          failures.push({ name, reason: reasonOf(err) });
          return false;
        } finally {
          if (slot) slots.running--;
        }
      })();
      outcomes.set(name, outcome);
    }
    return outcome;
  };
  // Each node is started after all it requires, in the order the recursion of `run` would start them, so that no
  // start recurses: a chain of thousands of resources overflowed the call stack.
  const started = new Set<string>();
  walkDepthFirst(Object.keys(requires).sort(), (name) => requires[name] ?? [], (name) => {
    if (started.has(name)) return 'skip';
    started.add(name);
    return 'enter';
  }, (name) => void run(name));
  await Promise.all(Object.keys(requires).sort().map(run));
  return failures;
}

/** Whether the stack's resource `name` runs nowhere (a placeholder): for runGraph's `slotless`. */
export const placeholderIn = (resources: Readonly<Record<string, { readonly type: string; readonly runs?: RunProfile }>>) =>
  (name: string): boolean => resources[name] !== undefined && runsOf(resources[name]).where === 'none';

export function requirementsOf(state: StackState): Record<string, readonly string[]> {
  return Object.fromEntries(Object.entries(state.resources).map(([name, r]) => [name, r.requires]));
}

/**
 * Fails the action at once when the worker's codec refused its input (see refused.ts): nothing was
 * done, and retrying cannot help. Valid inputs add no command, so recorded histories replay unchanged.
 */
export function refuseUnreadableInput(input: unknown, action: string, failedStatus: StackStatus): void {
  const reason = refusedReason(input);
  if (reason === undefined) return;
  upsertSearchAttributes([{ key: stackStatusKey, value: failedStatus }]);
  throw ApplicationFailure.create({ message: `the worker refused this ${action}: ${reason}`, type: PAYLOAD_REFUSED, nonRetryable: true });
}

/** Ends the action as failed: the message is for people (masked), the details are the state the next action starts from. */
export function fail(state: StackState): never {
  throw ApplicationFailure.create({ message: redactText(state, state.statusReason), type: STACK_FAILED, nonRetryable: true, details: [state] });
}
