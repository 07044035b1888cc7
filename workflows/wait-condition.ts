/**
 * Wait conditions inside the create or update workflow: a handle's signals arrive as Temporal signals and are kept
 * in the stack state; a wait condition is a `condition(…, timeout)` over them, so a wait of hours costs
 * one timer and survives any crash of the worker or of Temporal itself.
 */
import { ApplicationFailure, condition, log, patched, setHandler, upsertMemo } from '@temporalio/workflow';
import type { Json, JsonObject, ResourceState, StackState } from '../src/template/types';
import {
  CLOSED_HANDLES_MEMO, handleSignal, type HandleClosed, type HandleSignal,
} from './definitions';
import { runsOf } from './legacy';
import { refusedReason } from './refused';
import { READABLE } from './requests';

/**
 * Histories recorded before handles were closed never closed one: replaying them, no handle is closed
 * and every signal is kept, as it was then.
 */
const CLOSED_HANDLES_PATCH = 'closed-handles-in-memo';

export class WaitConditions {
  /** Bumped on every accepted signal: what a waiting condition wakes up on. */
  private received = 0;
  /** Signals accepted per handle, repeated ids included: each one is an event in the history. */
  private readonly taken = new Map<string, number>();
  /** Mirrors the memo the gateway reads: a signal to one of these is ignored. */
  private readonly closed: Record<string, HandleClosed> = {};

  /**
   * @param stackDeadline when the stack's own create timeout ends (epoch ms): as in Heat, no wait
   *   outlasts it, whatever its own timeout.
   * @param limits signals each handle takes at most (signalLimits of the plan)
   */
  constructor(private readonly state: StackState, private readonly stackDeadline: number, private readonly limits: Record<string, number>) {
    setHandler(handleSignal, (signal) => this.receive(signal));
  }

  private receive(signal: HandleSignal): void {
    const refused = refusedReason(signal);
    if (refused !== undefined) {
      log.warn('signal ignored: the worker refused its payload', { reason: refused });
      return;
    }
    const handle = this.state.resources[signal.handle];
    if (signal.stackId !== this.state.id || !handle || runsOf(handle).signals !== 'handle') {
      log.warn('signal ignored: not for a wait condition handle of this stack', { handle: signal.handle, stackId: signal.stackId });
      return;
    }
    if (this.closed[signal.handle]) {
      log.warn('signal ignored: the handle takes no more signals', { handle: signal.handle, closed: this.closed[signal.handle] });
      return;
    }
    const signals = (handle.signals ??= {});
    // Heat numbers signals that carry no id, so each of them counts.
    const number = Object.keys(signals).length + 1;
    signals[signal.id ?? String(number)] = {
      status: signal.status === 'FAILURE' ? 'FAILURE' : 'SUCCESS',
      reason: signal.reason ?? `Signal ${number} received`,
      data: signal.data ?? null,
    };
    this.received++;
    const taken = (this.taken.get(signal.handle) ?? 0) + 1;
    this.taken.set(signal.handle, taken);
    if (taken >= (this.limits[signal.handle] ?? Infinity)) this.close(signal.handle, 'limit');
  }

  /** Records in the memo, where the gateway reads it with no worker, that a handle takes no more signals. */
  private close(handle: string, why: HandleClosed): void {
    if (this.closed[handle] || !patched(CLOSED_HANDLES_PATCH)) return;
    this.closed[handle] = why;
    upsertMemo({ [CLOSED_HANDLES_MEMO]: { ...this.closed } });
  }

  /** Whether another wait condition than `waiter` may still wait on the handle (or the stack has not got to it yet). */
  private awaitedElsewhere(handle: string, waiter: string): boolean {
    return Object.entries(this.state.resources).some(([name, r]) => name !== waiter && runsOf(r).signals === 'condition'
      && r.requires.includes(handle) && (r.status === 'INIT_COMPLETE' || r.status === 'CREATE_IN_PROGRESS' || r.status === 'UPDATE_IN_PROGRESS'));
  }

  /** The handle a wait condition's handle property refers to: by its Ref (CFN URL) or its physical id. */
  private handleOf(name: string, reference: Json): [string, ResourceState] {
    const found = Object.entries(this.state.resources).find(([, r]) =>
      runsOf(r).signals === 'handle' && READABLE.has(r.status) && (r.refId ?? r.physicalId) === reference);
    if (!found) throw ApplicationFailure.nonRetryable(`resources.${name}: '${String(reference)}' is not a wait condition handle of this stack`, 'InvalidHandle');
    return found;
  }

  /**
   * Completes once the handle holds `count` SUCCESS signals; fails at the first FAILURE signal (with its
   * reason) or when the timeout passes. Returns the condition's data attribute, as Heat computes it.
   */
  async wait(name: string, resource: ResourceState, properties: JsonObject): Promise<JsonObject> {
    // CloudFormation's condition spells its properties and its attribute capitalised.
    const cfn = properties.Handle !== undefined;
    const [handleName, handle] = this.handleOf(name, cfn ? properties.Handle! : properties.handle!);
    const count = Number((cfn ? properties.Count : properties.count) ?? 1);
    const timeoutSeconds = Number(cfn ? properties.Timeout : properties.timeout);
    const ownDeadline = Date.now() + timeoutSeconds * 1000;
    const deadline = Math.min(ownDeadline, this.stackDeadline);
    const noSignal = handle.properties.signal_transport === 'NO_SIGNAL';
    resource.waitUntil = new Date(deadline).toISOString();
    try {
      for (;;) {
        const signals = Object.values(handle.signals ?? {});
        const failures = signals.filter((s) => s.status !== 'SUCCESS');
        if (failures.length > 0) {
          throw ApplicationFailure.nonRetryable(failures.map((s) => s.reason).join(';'), 'WaitConditionFailure');
        }
        if (noSignal || signals.length >= count) break;
        resource.statusReason = `waiting for ${count - signals.length} more signal(s) on ${handleName}`;
        const seen = this.received;
        const left = deadline - Date.now();
        if (left <= 0 || !(await condition(() => this.received !== seen, left))) {
          const reasons = signals.map((s) => s.reason).join(';');
          const what = deadline < ownDeadline ? 'the stack create timed out' : `timed out after ${timeoutSeconds} s`;
          throw ApplicationFailure.nonRetryable(
            `${what} waiting on handle ${handleName}: ${signals.length} of ${count} signal(s) received${reasons ? ` - ${reasons}` : ''}`,
            'WaitConditionTimeout');
        }
      }
    } finally {
      delete resource.waitUntil;
      if (!this.awaitedElsewhere(handleName, name)) this.close(handleName, 'waited');
    }
    const data = JSON.stringify(Object.fromEntries(Object.entries(handle.signals ?? {}).map(([id, s]) => [id, s.data])));
    return { [cfn ? 'Data' : 'data']: data };
  }
}
