/**
 * How a create or update stops before its graph is done: cancelled (`stoke stack cancel`, a delete, or
 * Temporal's own cancel) or out of time. The graph runs in a scope of its own, and either cause cancels that
 * scope: nothing queued starts, what runs is cancelled and awaited, and the action then fails (and rolls
 * back) as a whole.
 */
import { CancellationScope, patched, setHandler, sleep } from '@temporalio/workflow';
import type { StackState } from '../src/template/types';
import { cancelStackSignal } from './definitions';

/**
 * The stack timeout is one timer for the whole create or update. Histories recorded before it had none: each
 * activity's schedule-to-close and each wait's own timer bounded the action instead.
 */
const DEADLINE_PATCH = 'one-stack-deadline';

/** The stack actions that can be stopped part-way, as their statuses name them. */
export type StoppableAction = 'CREATE' | 'UPDATE' | 'ADOPT';

/** Why an action stopped early, and whether its rollback was decided then (by `stoke stack cancel`). */
export interface Stop {
  readonly reason: string;
  readonly rollback?: boolean;
}

/** Whether the action runs under one stack-wide deadline (decide once, before anything waits on it). */
export const hasStackDeadline = () => patched(DEADLINE_PATCH);

/**
 * The deadline passes this much before the activities' own bound (their schedule-to-close: the same stack timeout,
 * counted from when each was scheduled). An activity scheduled in the same workflow task as the deadline's timer,
 * as one after local creates is, would otherwise time out in the same instant and no longer count as in progress.
 */
const DEADLINE_LEAD_MS = 1000;

/** An adopt creates what its data lacks, so any action's work in progress counts. */
function inProgress(state: StackState): string {
  return Object.entries(state.resources).filter(([, r]) => r.status.endsWith('_IN_PROGRESS')).map(([name]) => name).sort().join(', ');
}

/**
 * Runs the action's graph until it ends, a cancel arrives or the deadline passes (`timeoutMinutes`, when
 * `deadline`); returns the graph's result and, if it was stopped, why.
 */
export async function untilStopped<T>(state: StackState, action: StoppableAction, timeoutMinutes: number, deadline: boolean, graph: () => Promise<T>): Promise<{ result: T; stop?: Stop }> {
  const scope = new CancellationScope();
  let stop: Stop | undefined;
  let done = false;
  const halt = (why: Stop) => {
    if (stop || done) return;
    stop = why;
    scope.cancel();
  };
  setHandler(cancelStackSignal, ({ rollback }) => halt({ reason: `Stack ${action} cancelled`, rollback }));
  const timer = deadline ? new CancellationScope() : undefined;
  void timer?.run(() => sleep(timeoutMinutes * 60_000 - DEADLINE_LEAD_MS)).then(
    () => halt({ reason: `Stack ${action} timed out after ${timeoutMinutes} min; still in progress: ${inProgress(state)}` }),
    // Cancelled: the graph ended first, or the whole workflow was cancelled.
    () => undefined);
  const result = await scope.run(graph);
  done = true;
  timer?.cancel();
  // Temporal's own cancel of the workflow reaches the graph through its parent scope, not through halt.
  if (!stop && scope.consideredCancelled) stop = { reason: `Stack ${action} cancelled` };
  return { result, ...(stop ? { stop } : {}) };
}
