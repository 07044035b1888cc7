/**
 * Heat's stack abandon: the stack is forgotten and its resources left as they are. The stack lives only in
 * its workflows, so forgetting it is an action of its own under the stack's workflow id, touching no engine:
 * it ends DELETE_COMPLETE, as Heat's abandon does, so listings drop the stack and its name is free again.
 */
import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { StackState } from '../src/template/types';
import { stackNameKey, stackStateQuery, type AbandonStackInput } from './definitions';
import { refuseUnreadableInput, setStatus } from './engine';

export async function abandonStack(input: AbandonStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'abandon', 'DELETE_FAILED');
  const state = JSON.parse(JSON.stringify(input.state)) as StackState;
  setHandler(stackStateQuery, () => state);
  upsertSearchAttributes([{ key: stackNameKey, value: state.name }]);
  setStatus(state, 'DELETE_COMPLETE', 'Stack ABANDON completed: its resources were left as they are');
  return state;
}
