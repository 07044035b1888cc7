/**
 * Heat's stack check: every resource is compared with what its engine holds, all at once, and each one
 * that drifted is named with how. The stack is otherwise left as it was: nothing is created or repaired.
 */
import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { ResourceState, StackState } from '../src/template/types';
import { stackNameKey, stackStateQuery, type CheckStackInput } from './definitions';
import { fail, placeholderIn, reasonOf, refuseUnreadableInput, runGraph, setResourceStatus, setStatus } from './engine';
import { activities, localActivities, PROFILES } from './profiles';
import { runsOf } from './legacy';
import { nestedStacks, type NestedActions } from './nested';
import { requestOf } from './requests';

const acts = activities(PROFILES.check);
/** A nested stack's check is bounded as the check activities are. */
const CHECK_TIMEOUT_MINUTES = 10;
const local = localActivities(PROFILES.check);

/** Made and not deleted since: what a handler can find on its engine. */
const created = (resource: ResourceState) => resource.physicalId !== '' && resource.status !== 'INIT_COMPLETE' && resource.status !== 'DELETE_COMPLETE';

/** One resource's outcome: CHECK_FAILED with how it drifted (or why it could not be checked), else CHECK_COMPLETE. */
async function checkOne(state: StackState, name: string, nested: NestedActions): Promise<{ status: 'CHECK_COMPLETE' | 'CHECK_FAILED'; reason: string }> {
  const resource = state.resources[name]!;
  const runs = runsOf(resource);
  const unsupported = { status: 'CHECK_COMPLETE', reason: `CHECK not supported for ${resource.type}` } as const;
  // Run by the workflow itself (wait conditions, placeholders): no handler, so nothing to compare, as a type without handle_check in Heat.
  if (runs.where === 'workflow' || runs.where === 'none') return unsupported;
  if (!created(resource)) return { status: 'CHECK_FAILED', reason: 'resource not created yet' };
  try {
    // A nested stack is checked by a check of its own, whose failures name its resources.
    const checker = runs.where === 'stack' ? nested : runs.where === 'local' ? local : acts;
    const { checked } = await checker.checkResource({ ...requestOf(state, name), physicalId: resource.physicalId });
    return checked ? { status: 'CHECK_COMPLETE', reason: '' } : unsupported;
  } catch (err) {
    return { status: 'CHECK_FAILED', reason: reasonOf(err) };
  }
}

/** Checks a stack: `stoke stack check NAME`. */
export async function checkStack(input: CheckStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'check', 'CHECK_FAILED');
  const state = JSON.parse(JSON.stringify(input.state)) as StackState;
  setHandler(stackStateQuery, () => state);
  upsertSearchAttributes([{ key: stackNameKey, value: state.name }]);
  setStatus(state, 'CHECK_IN_PROGRESS', 'Stack CHECK started');
  const failed: string[] = [];
  const nested = nestedStacks(state, undefined, CHECK_TIMEOUT_MINUTES);
  // No order among checks; a step never throws, so the scheduler checks every resource, at most MAX_PARALLEL at once.
  await runGraph(Object.fromEntries(Object.keys(state.resources).map((name) => [name, []])), async (name) => {
    setResourceStatus(state, name, 'CHECK_IN_PROGRESS');
    const { status, reason } = await checkOne(state, name, nested);
    setResourceStatus(state, name, status, reason);
    if (status === 'CHECK_FAILED') failed.push(`${name}: ${reason}`);
  }, placeholderIn(state.resources));
  // Completion order varies with the engines; the reason names resources in one order.
  failed.sort();
  if (failed.length === 0) {
    setStatus(state, 'CHECK_COMPLETE', 'Stack CHECK completed successfully');
    return state;
  }
  setStatus(state, 'CHECK_FAILED', `Resource CHECK failed: ${failed.join('; ')}`);
  fail(state);
}
