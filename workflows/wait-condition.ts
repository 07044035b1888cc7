/**
 * Wait conditions inside the create workflow: a handle's signals arrive as Temporal signals and are kept
 * in the stack state; a wait condition is a `condition(…, timeout)` over them, so a wait of hours costs
 * one timer and survives any crash of the worker or of Temporal itself.
 */
import { ApplicationFailure, condition, log, setHandler } from '@temporalio/workflow';
import type { Json, JsonObject, ResourceState, StackState } from '../src/template/types';
import { handleSignal, WAIT_HANDLE_TYPES, type HandleSignal } from './definitions';
import { refusedReason } from './refused';

export class WaitConditions {
  /** Bumped on every accepted signal: what a waiting condition wakes up on. */
  private received = 0;

  /**
   * @param stackDeadline when the stack's own create timeout ends (epoch ms): as in Heat, no wait
   *   outlasts it, whatever its own timeout.
   */
  constructor(private readonly state: StackState, private readonly stackDeadline: number) {
    setHandler(handleSignal, (signal) => this.receive(signal));
  }

  private receive(signal: HandleSignal): void {
    const refused = refusedReason(signal);
    if (refused !== undefined) {
      log.warn('signal ignored: the worker refused its payload', { reason: refused });
      return;
    }
    const handle = this.state.resources[signal.handle];
    if (signal.stackId !== this.state.id || !handle || !WAIT_HANDLE_TYPES.includes(handle.type)) {
      log.warn('signal ignored: not for a wait condition handle of this stack', { handle: signal.handle, stackId: signal.stackId });
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
  }

  /** The handle a wait condition's handle property refers to: by its Ref (CFN URL) or its physical id. */
  private handleOf(name: string, reference: Json): [string, ResourceState] {
    const found = Object.entries(this.state.resources).find(([, r]) =>
      WAIT_HANDLE_TYPES.includes(r.type) && r.status === 'CREATE_COMPLETE' && (r.refId ?? r.physicalId) === reference);
    if (!found) throw ApplicationFailure.nonRetryable(`resources.${name}: '${String(reference)}' is not a wait condition handle of this stack`, 'InvalidHandle');
    return found;
  }

  /**
   * Completes once the handle holds `count` SUCCESS signals; fails at the first FAILURE signal (with its
   * reason) or when the timeout passes. Returns the condition's data attribute, as Heat computes it.
   */
  async wait(name: string, resource: ResourceState, properties: JsonObject): Promise<JsonObject> {
    const cfn = resource.type.startsWith('AWS::');
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
    }
    const data = JSON.stringify(Object.fromEntries(Object.entries(handle.signals ?? {}).map(([id, s]) => [id, s.data])));
    return { [cfn ? 'Data' : 'data']: data };
  }
}
