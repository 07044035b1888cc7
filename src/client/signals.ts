/**
 * Wait condition signals as the client library sends them: `stoke stack signal` calls this directly, and
 * the signal gateway after it has checked a request's token. Free of the HTTP server, so the client
 * library never loads it.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { handleSignal, stackStatusKey, stackWorkflowId, type HandleSignal, type StackMemo } from '../../workflows/definitions';
import { StokeError } from '../errors';
import type { StackState } from '../template/types';

export type SignalRequest = Omit<HandleSignal, 'stackId'>;

/**
 * Signals sent per stack id and handle by one gateway. The workflow closes a handle at its limit too,
 * but only once a worker has read the signals: this count holds while none runs.
 */
export type SentSignals = Map<string, number>;

/**
 * Signals `request.handle` of the stack's running create or update. `stackId`, from a handle URL, must be the
 * stack's current id: a URL of an earlier stack of the same name reaches nothing. A handle whose wait
 * is over, or that had its limit of signals, is refused before the signal reaches the history.
 */
export async function sendHandleSignal(client: Client, stack: string, request: SignalRequest, stackId?: string, sent?: SentSignals): Promise<void> {
  let description;
  try {
    description = await client.workflow.getHandle(stackWorkflowId(stack)).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new StokeError('StackNotFound', `stack '${stack}' not found`);
    throw err;
  }
  const memo = description.memo as Partial<StackMemo> | undefined;
  const running = description.status.name === 'RUNNING';
  // An update or an adopt creates wait conditions too, as a create does.
  if (description.type !== 'createStack' && description.type !== 'updateStack' && description.type !== 'adoptStack') {
    if (running) throw new StokeError('NotWaiting', `stack '${stack}' is being deleted: it waits for no signal`);
    throw new StokeError('StackNotFound', `stack '${stack}' not found (deleted)`);
  }
  if (!memo?.stackId || (stackId !== undefined && memo.stackId !== stackId)) {
    throw new StokeError('StackNotFound', `stack '${stack}' with id ${stackId ?? '?'} not found`);
  }
  const handles = memo.handles ?? [];
  if (!handles.includes(request.handle)) {
    throw new StokeError('HandleNotFound', `stack '${stack}' has no wait condition handle '${request.handle}' (it has: ${handles.join(', ') || 'none'})`);
  }
  const key = `${memo.stackId}\n${request.handle}`;
  const closed = memo.closedHandles?.[request.handle];
  if (!running || closed) sent?.delete(key);
  if (!running) {
    const status = description.typedSearchAttributes.get(stackStatusKey) ?? description.status.name;
    throw new StokeError('NotWaiting', `stack '${stack}' is no longer waiting for signals (${status})`);
  }
  const limit = memo.signalLimits?.[request.handle];
  if (closed === 'waited') throw new StokeError('NotWaiting', `handle '${request.handle}' of stack '${stack}' takes no more signals: its wait is over`);
  const count = sent?.get(key) ?? 0;
  if (closed === 'limit' || (limit !== undefined && count >= limit)) {
    throw new StokeError('NotWaiting', `handle '${request.handle}' of stack '${stack}' takes no more signals: it had its limit${limit === undefined ? '' : ` of ${limit}`}`);
  }
  // Counted before the send, in the same tick as the check: concurrent requests cannot all pass it.
  sent?.set(key, count + 1);
  const signal: HandleSignal = { ...request, stackId: memo.stackId };
  await client.workflow.getHandle(stackWorkflowId(stack), description.runId).signal(handleSignal, signal);
}

/** The time left of a wait, coarse enough that a follower prints it about once a minute on long waits. */
function timeLeft(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 120) return `${Math.floor(s / 60)}m`;
  return s < 10 ? 'under 10s' : `${Math.ceil(s / 10) * 10}s`;
}

/** Adds the time left to the reasons of waiting wait conditions and of their stack. */
export function describeWaits(state: StackState, now = Date.now()): StackState {
  const waiting: string[] = [];
  for (const [name, resource] of Object.entries(state.resources)) {
    if (!resource.waitUntil || (resource.status !== 'CREATE_IN_PROGRESS' && resource.status !== 'UPDATE_IN_PROGRESS')) continue;
    resource.statusReason = `${resource.statusReason}, ${timeLeft(Date.parse(resource.waitUntil) - now)} left`;
    waiting.push(`${name}: ${resource.statusReason}`);
  }
  const action = /^(CREATE|UPDATE)_IN_PROGRESS$/.exec(state.status)?.[1];
  if (waiting.length > 0 && action) state.statusReason = `Stack ${action} in progress: ${waiting.join('; ')}`;
  return state;
}
