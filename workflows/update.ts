/**
 * Stack update: the stack's resources brought to a new plan, in the new plan's dependency order, so that
 * each resource is compared once what it refers to is final (a replaced dependency gives new values).
 * Unchanged resources are left alone, changed ones updated in place or replaced (update-resource.ts, on
 * update-plan.ts's diff), added ones created; removed ones and the old copies of replaced ones are deleted at the end.
 */
import { CancellationScope, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { StackPlan, StackState } from '../src/template/types';
import { initialState, resolveOutputs } from './create';
import { signalLimits, stackNameKey, stackStateQuery, type UpdateStackInput } from './definitions';
import { fail, placeholderIn, reasonOf, refuseUnreadableInput, runGraph, setStatus, type Failures } from './engine';
import { nestedStacks } from './nested';
import { resourceActivities, type ResourceActivities } from './profiles';
import { hasStackDeadline, untilStopped } from './stop';
import { removedResources } from './update-plan';
import { Update } from './update-resource';
import { WaitConditions } from './wait-condition';

/** The stack's resources as the new plan has them: existing ones keep what they are until their step, new ones start as a create's. */
function prepare(state: StackState, plan: StackPlan): void {
  for (const [name, r] of Object.entries(plan.resources)) {
    const old = state.resources[name];
    state.resources[name] = old ? { ...old, requires: r.requires, deletionPolicy: r.deletionPolicy } : initialState(r);
  }
}


/** Brings the stack's resources to `plan`; the old copies and the resources `plan` no longer has are left to cleanUp. */
async function bringTo(state: StackState, plan: StackPlan, update: Update): Promise<Failures> {
  prepare(state, plan);
  const requires = Object.fromEntries(Object.entries(plan.resources).map(([name, r]) => [name, r.requires]));
  const [before, after] = [placeholderIn(state.resources), placeholderIn(plan.resources)];
  return runGraph(requires, (name) => update.step(name), (name) => before(name) && after(name));
}

/** Brings the stack's resources to `plan`, then deletes the old copies and the resources `plan` no longer has. */
async function converge(state: StackState, plan: StackPlan, update: Update): Promise<Failures> {
  const removed = removedResources(state, plan);
  const failures = await bringTo(state, plan, update);
  return failures.length > 0 ? failures : update.cleanUp(removed);
}

/** Back to the plan the stack had: the old copies still kept are put back, the rest converges again; it must finish even if cancelled. */
async function rollback(state: StackState, previous: StackPlan, update: Update, acts: ResourceActivities, waits: WaitConditions): Promise<void> {
  const reason = state.statusReason;
  await CancellationScope.nonCancellable(async () => {
    setStatus(state, 'ROLLBACK_IN_PROGRESS', reason);
    const failures = await update.restore().then(() => converge(state, previous, new Update(state, previous, acts, waits)), (err) => [{ name: 'restore', reason: reasonOf(err) }]);
    if (failures.length > 0) {
      setStatus(state, 'ROLLBACK_FAILED', `${reason}; rollback failed: ${failures[0]!.name}: ${failures[0]!.reason}`);
      return;
    }
    state.outputs = {};
    resolveOutputs(previous, state);
    setStatus(state, 'ROLLBACK_COMPLETE', `${reason}; rolled back`);
  });
}

/**
 * Brings a stack to a new plan, within the plan's timeout, unless cancelled. On failure it goes back to
 * `previous`, the plan it had, unless rollback is disabled (by the plan, or by `stack cancel --no-rollback`)
 * or the client had none to give: then it stays UPDATE_FAILED, and a later update can fix it.
 */
export async function updateStack(input: UpdateStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'update', 'UPDATE_FAILED');
  const { plan, previous } = input;
  const state: StackState = { ...(JSON.parse(JSON.stringify(input.state)) as StackState), ...(plan.hiddenValues ? { hiddenValues: plan.hiddenValues } : {}) };
  setHandler(stackStateQuery, () => state);
  // Updates recorded before had no deadline: their resources' activities alone bounded them.
  const deadline = hasStackDeadline();
  const waits = new WaitConditions(state, deadline ? Infinity : Date.now() + plan.timeoutMinutes * 60_000, signalLimits(plan));
  upsertSearchAttributes([{ key: stackNameKey, value: state.name }]);
  setStatus(state, 'UPDATE_IN_PROGRESS', 'Stack UPDATE started');
  const acts = resourceActivities(plan.timeoutMinutes, true, nestedStacks(state, plan, plan.timeoutMinutes));
  const update = new Update(state, plan, acts, waits);
  const removed = removedResources(state, plan);
  const { result, stop } = await untilStopped(state, 'UPDATE', plan.timeoutMinutes, deadline, () => bringTo(state, plan, update));
  // With every resource in place only the deletes of what the update left behind remain: a cancel no longer
  // stops them, since a rollback would put back old copies half deleted.
  const failures = result.length > 0 || stop ? result : await CancellationScope.nonCancellable(() => update.cleanUp(removed));
  if (failures.length === 0 && !stop) {
    state.outputs = {};
    resolveOutputs(plan, state);
    setStatus(state, 'UPDATE_COMPLETE', 'Stack UPDATE completed successfully');
    return state;
  }
  setStatus(state, 'UPDATE_FAILED', stop?.reason ?? `Resource UPDATE failed: ${failures[0]!.name}: ${failures[0]!.reason}`);
  // Nested stacks go back to the previous plan's templates, which only that plan carries.
  const back = previous && resourceActivities(plan.timeoutMinutes, true, nestedStacks(state, previous, plan.timeoutMinutes));
  if (previous && back && (stop?.rollback ?? !plan.disableRollback)) await rollback(state, previous, update, back, waits);
  else await update.dropRetired();
  fail(state);
}
