/**
 * Heat's `stack resource mark unhealthy`: one resource is recorded CHECK_FAILED with the reason given (or,
 * reset, CHECK_COMPLETE again), and the stack is otherwise left as it was. It runs under the stack's
 * workflow id like every action, so the mark is kept in Temporal, and the next update replaces the
 * resource even if its definition did not change (update-plan.ts: a failed resource is not kept).
 */
import { ApplicationFailure, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { StackState } from '../src/template/types';
import { STACK_FAILED, stackNameKey, stackStateQuery, stackStatusKey, type MarkUnhealthyInput } from './definitions';
import { refuseUnreadableInput, setResourceStatus } from './engine';

export async function markResourceUnhealthy(input: MarkUnhealthyInput): Promise<StackState> {
  refuseUnreadableInput(input, 'mark unhealthy', 'CHECK_FAILED');
  const state = JSON.parse(JSON.stringify(input.state)) as StackState;
  setHandler(stackStateQuery, () => state);
  upsertSearchAttributes([{ key: stackNameKey, value: state.name }, { key: stackStatusKey, value: state.status }]);
  const resource = state.resources[input.resource];
  // The client looked first; should it not have, the stack stays as it was, readable as the failure's details.
  if (!resource) throw ApplicationFailure.create({ message: `stack '${state.name}' has no resource '${input.resource}'`, type: STACK_FAILED, nonRetryable: true, details: [state] });
  if (input.healthy) setResourceStatus(state, input.resource, 'CHECK_COMPLETE', input.reason || 'marked healthy');
  else setResourceStatus(state, input.resource, 'CHECK_FAILED', input.reason || 'marked unhealthy');
  return state;
}
