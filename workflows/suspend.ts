/**
 * Heat's stack suspend and resume: every resource that exists is suspended dependents first (a web
 * server before the database it uses), and resumed in creation order. Containers are paused.
 */
import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { reversed } from '../src/template/graph';
import type { StackState, StackStatus } from '../src/template/types';
import { stackNameKey, stackStateQuery, type SuspendStackInput } from './definitions';
import { fail, placeholderIn, reasonOf, refuseUnreadableInput, requirementsOf, runGraph, setResourceStatus, setStatus } from './engine';
import { activities, PROFILES } from './profiles';
import { runsOf } from './legacy';
import { nestedStacks } from './nested';
import { requestOf } from './requests';

const acts = activities(PROFILES.suspend);
/** As the suspend activities' own bound. */
const NESTED_TIMEOUT_MINUTES = 60;

async function suspendOrResume(previous: StackState, action: 'SUSPEND' | 'RESUME'): Promise<StackState> {
  const state = JSON.parse(JSON.stringify(previous)) as StackState;
  setHandler(stackStateQuery, () => state);
  upsertSearchAttributes([{ key: stackNameKey, value: state.name }]);
  setStatus(state, `${action}_IN_PROGRESS`, `Stack ${action} started`);
  const requirements = requirementsOf(state);
  // A nested stack is suspended or resumed by that action of its own.
  const nested = nestedStacks(state, undefined, NESTED_TIMEOUT_MINUTES);
  const failures = await runGraph(action === 'SUSPEND' ? reversed(requirements) : requirements, async (name) => {
    const resource = state.resources[name]!;
    // Never created, or retained and gone from the stack: nothing to act on.
    if (!resource.physicalId || resource.status === 'INIT_COMPLETE' || resource.status === 'DELETE_COMPLETE') return;
    setResourceStatus(state, name, `${action}_IN_PROGRESS` as StackStatus);
    const request = { ...requestOf(state, name), physicalId: resource.physicalId };
    try {
      const { where } = runsOf(resource);
      const actor = where === 'stack' ? nested : acts;
      // A placeholder has nothing to pause.
      if (where !== 'none') await (action === 'SUSPEND' ? actor.suspendResource(request) : actor.resumeResource(request));
    } catch (err) {
      setResourceStatus(state, name, `${action}_FAILED` as StackStatus, reasonOf(err));
      throw err;
    }
    setResourceStatus(state, name, `${action}_COMPLETE` as StackStatus);
  }, placeholderIn(state.resources));
  if (failures.length === 0) {
    setStatus(state, `${action}_COMPLETE`, `Stack ${action} completed successfully`);
    return state;
  }
  setStatus(state, `${action}_FAILED`, `Resource ${action} failed: ${failures[0]!.name}: ${failures[0]!.reason}`);
  fail(state);
}

/** Suspends a stack: `stoke stack suspend NAME`. */
export async function suspendStack(input: SuspendStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'suspend', 'SUSPEND_FAILED');
  return suspendOrResume(input.state, 'SUSPEND');
}

/** Resumes a suspended stack: `stoke stack resume NAME`. */
export async function resumeStack(input: SuspendStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'resume', 'RESUME_FAILED');
  return suspendOrResume(input.state, 'RESUME');
}
