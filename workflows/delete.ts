/** Stack delete: every resource a stack's last action left, dependents first; already gone counts as deleted. */
import { CancellationScope, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { StackState } from '../src/template/types';
import { stackNameKey, stackStateQuery, type DeleteStackInput } from './definitions';
import { fail, refuseUnreadableInput, setStatus } from './engine';
import { nestedStacks } from './nested';
import { resourceActivities } from './profiles';
import { deleteAll } from './teardown';

/** A delete has no stack timeout of its own: each resource's delete is retried for up to an hour. */
const DELETE_TIMEOUT_MINUTES = 60;

/** Deletes every resource a stack's last action left, dependents first; already gone counts as deleted. */
export async function deleteStack(input: DeleteStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'delete', 'DELETE_FAILED');
  const state = JSON.parse(JSON.stringify(input.state)) as StackState;
  setHandler(stackStateQuery, () => state);
  upsertSearchAttributes([{ key: stackNameKey, value: state.name }]);
  setStatus(state, 'DELETE_IN_PROGRESS', 'Stack DELETE started');
  const failures = await CancellationScope.nonCancellable(() => deleteAll(state, resourceActivities(DELETE_TIMEOUT_MINUTES, false, nestedStacks(state, undefined, DELETE_TIMEOUT_MINUTES))));
  if (failures.length === 0) {
    setStatus(state, 'DELETE_COMPLETE', 'Stack DELETE completed successfully');
    return state;
  }
  setStatus(state, 'DELETE_FAILED', `Resource DELETE failed: ${failures[0]!.name}: ${failures[0]!.reason}`);
  fail(state);
}
