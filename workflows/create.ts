/**
 * Stack create. The template was validated and reduced to a plan by the client; here resources are
 * created in dependency order (independent ones in parallel), each side effect an activity, and the
 * stack's state is kept where a query and the search attributes can see it.
 */
import { CancellationScope, isCancellation, patched, setHandler, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import type { JsonObject, NestedIn, PlannedResource, ResourceState, StackPlan, StackState } from '../src/template/types';
import { signalLimits, stackNameKey, stackStateQuery, type AdoptedResource, type CreateStackInput } from './definitions';
import { fail, now, placeholderIn, reasonOf, refuseUnreadableInput, requirementsOf, runGraph, setResourceStatus, setStatus, type Failures } from './engine';
import { nestedStacks } from './nested';
import { resourceActivities, type ResourceActivities } from './profiles';
import { handlerOf, runsOf } from './legacy';
import { requestOf, resolveNow, runtimeContext } from './requests';
import { hasStackDeadline, untilStopped } from './stop';
import { deleteAll } from './teardown';
import { WaitConditions } from './wait-condition';

/**
 * A cancelled create is awaited until its attempt has really stopped, so that rollback looks for what it
 * made only afterwards. Histories recorded before this saw the cancellation at once.
 */
const WAIT_CANCELLED_PATCH = 'wait-for-cancelled-activities';

/** A stack is placed on one of the worker's engines before its first resource; histories from before placement have no such step. */
const PLACEMENT_PATCH = 'stack-placement';

/** A planned resource before its create: its handler and run profile kept, so later actions decide from the state. */
export function initialState(planned: PlannedResource): ResourceState {
  return {
    type: planned.type, handler: handlerOf(planned), runs: runsOf(planned), status: 'INIT_COMPLETE', statusReason: '', physicalId: '',
    attributes: {}, requires: planned.requires, deletionPolicy: planned.deletionPolicy, properties: {}, updatedAt: now(),
    ...(planned.mounts ? { mounts: planned.mounts } : {}), ...(planned.externalId !== undefined ? { externalId: planned.externalId } : {}),
  };
}

/**
 * What a resource takes over instead of being made: its external_id's object (Heat creates such a resource by
 * adopting it), else what a stack adopt's data holds for it. An external object is not the stack's, so another
 * stack's labels on it are no reason to refuse it.
 */
export function takenOver(planned: PlannedResource, adopted: AdoptedResource | undefined): (AdoptedResource & { external?: true }) | undefined {
  return planned.externalId !== undefined ? { physicalId: planned.externalId, data: {}, external: true } : adopted;
}

function newStack(plan: StackPlan, stackId: string, parent: NestedIn | undefined): StackState {
  return {
    ...(parent ? { parent } : {}),
    name: plan.name,
    id: stackId,
    status: 'INIT_COMPLETE',
    statusReason: '',
    resources: Object.fromEntries(Object.entries(plan.resources).map(([name, r]) => [name, initialState(r)])),
    outputs: {},
    createdAt: now(),
    updatedAt: now(),
    ...(plan.hiddenValues ? { hiddenValues: plan.hiddenValues } : {}),
  };
}

/** What a create is done as: Heat's CREATE, or its ADOPT, whose resources named in `adopted` take existing objects instead. */
export interface CreateAction {
  readonly name: 'CREATE' | 'ADOPT';
  readonly adopted: Readonly<Record<string, AdoptedResource>>;
}

async function createResources(plan: StackPlan, state: StackState, acts: ResourceActivities, waits: WaitConditions, action: CreateAction): Promise<Failures> {
  const ctx = runtimeContext(plan, state);
  return runGraph(requirementsOf(state), async (name) => {
    const resource = state.resources[name]!;
    const planned = plan.resources[name]!;
    const adopted = takenOver(planned, action.adopted[name]);
    const verb = adopted ? 'ADOPT' : 'CREATE';
    setResourceStatus(state, name, `${verb}_IN_PROGRESS`);
    try {
      resource.properties = resolveNow(planned.properties, ctx, `resources.${name}.properties`) as JsonObject;
      if (runsOf(resource).where === 'workflow' && !adopted) {
        // A wait is no side effect: it runs in the workflow itself, on signals and a timer.
        resource.attributes = await waits.wait(name, resource, resource.properties);
        resource.physicalId = `${state.name}-${name}`;
      } else {
        const request = { ...requestOf(state, name), attributes: planned.attributes };
        const created = adopted ? await acts.of(resource).adoptResource({ ...request, ...adopted }) : await acts.of(resource).createResource(request);
        resource.physicalId = created.physicalId;
        if (created.refId !== undefined) resource.refId = created.refId;
        resource.attributes = created.attributes;
      }
    } catch (err) {
      setResourceStatus(state, name, `${verb}_FAILED`, isCancellation(err) ? 'cancelled' : reasonOf(err));
      throw err;
    }
    setResourceStatus(state, name, `${verb}_COMPLETE`, 'state changed');
  }, placeholderIn(state.resources));
}

export function resolveOutputs(plan: StackPlan, state: StackState): void {
  const ctx = runtimeContext(plan, state);
  for (const [name, output] of Object.entries(plan.outputs)) {
    try {
      state.outputs[name] = { ...output, value: resolveNow(output.value, ctx, `outputs.${name}.value`) };
    } catch (err) {
      state.outputs[name] = { ...output, value: null, error: reasonOf(err) };
    }
  }
}

/** Deletes what the failed create made; it must finish even if the workflow is cancelled meanwhile. */
async function rollback(state: StackState, acts: ResourceActivities): Promise<void> {
  const reason = state.statusReason;
  await CancellationScope.nonCancellable(async () => {
    setStatus(state, 'ROLLBACK_IN_PROGRESS', reason);
    const failures = await deleteAll(state, acts);
    if (failures.length === 0) setStatus(state, 'ROLLBACK_COMPLETE', `${reason}; rolled back`);
    else setStatus(state, 'ROLLBACK_FAILED', `${reason}; rollback failed: ${failures[0]!.name}: ${failures[0]!.reason}`);
  });
}

/** Creates a stack from its plan; rolls back on failure unless the plan disables it. */
export async function createStack(input: CreateStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'create', 'CREATE_FAILED');
  return runCreate(input, { name: 'CREATE', adopted: {} });
}

/** A create or an adopt of a stack from its plan. */
export async function runCreate(input: CreateStackInput, action: CreateAction): Promise<StackState> {
  const { plan, stackId } = input;
  const state = newStack(plan, stackId ?? uuid4(), input.nesting);
  // Real values: the client masks what it shows.
  setHandler(stackStateQuery, () => state);
  const deadline = hasStackDeadline();
  // Under the stack's one deadline a wait keeps only its own timeout: the deadline stops it, with the rest.
  const waits = new WaitConditions(state, deadline ? Infinity : Date.now() + plan.timeoutMinutes * 60_000, signalLimits(plan));
  upsertSearchAttributes([{ key: stackNameKey, value: plan.name }]);
  setStatus(state, `${action.name}_IN_PROGRESS`, `Stack ${action.name} started`);
  const acts = resourceActivities(plan.timeoutMinutes, patched(WAIT_CANCELLED_PATCH), nestedStacks(state, plan, plan.timeoutMinutes));
  if (action.name === 'CREATE' && patched(PLACEMENT_PATCH)) {
    try {
      const { engine } = await acts.local.placeStack({ stack: state.name, weight: Object.keys(plan.resources).length, ...(plan.engine ? { pinned: plan.engine } : {}) });
      if (engine) state.engine = engine;
    } catch (err) {
      // Nothing was made: there is nothing to roll back.
      setStatus(state, `${action.name}_FAILED`, `Stack ${action.name} failed: placing it on an engine: ${reasonOf(err)}`);
      fail(state);
    }
  }

  const { result: failures, stop } = await untilStopped(state, action.name, plan.timeoutMinutes, deadline, () => createResources(plan, state, acts, waits, action));
  // A stop that came when every resource was already made has nothing left to stop.
  if (Object.values(state.resources).every((r) => r.status === 'CREATE_COMPLETE' || r.status === 'ADOPT_COMPLETE')) {
    resolveOutputs(plan, state);
    setStatus(state, `${action.name}_COMPLETE`, `Stack ${action.name} completed successfully`);
    return state;
  }
  const first = failures[0];
  setStatus(state, `${action.name}_FAILED`, stop?.reason ?? `Resource ${action.name} failed: ${first!.name}: ${first!.reason}`);
  // A rollback deletes: after an adopt it would destroy the very objects the stack was to take over (Heat's only forgets them).
  if (action.name === 'CREATE' && (stop?.rollback ?? !plan.disableRollback)) await rollback(state, acts);
  fail(state);
}
