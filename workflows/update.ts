/**
 * Stack update: the stack's resources brought to a new plan, in the new plan's dependency order, so that
 * each resource is compared once what it refers to is final (a replaced dependency gives new values).
 * Unchanged resources are left alone, changed ones updated in place or replaced (update-plan.ts decides),
 * added ones created; removed ones and the old copies of replaced ones are deleted at the end.
 */
import { CancellationScope, isCancellation, log, patched, setHandler, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import { reversed } from '../src/template/graph';
import type { JsonObject, PlannedResource, ResourceState, StackPlan, StackState } from '../src/template/types';
import { initialState, resolveOutputs } from './create';
import { signalLimits, stackNameKey, stackStateQuery, type UpdateStackInput } from './definitions';
import { fail, reasonOf, refuseUnreadableInput, runGraph, setResourceStatus, setStatus, type Failures } from './engine';
import { runsOf } from './legacy';
import { resourceActivities, type ResourceActivities } from './profiles';
import { requestOf, resolveNow, runtimeContext } from './requests';
import { hasStackDeadline, untilStopped } from './stop';
import { deleteCopy } from './teardown';
import { deletesFirst, diffResource, removedResources, type ResourceDiff } from './update-plan';
import { WaitConditions } from './wait-condition';

/**
 * Updates begun before copies were told apart deleted every old copy on an engine first; a replacement
 * whose new copy may now come first asks, so that such an update keeps its order when replayed.
 */
const NEW_COPY_FIRST_PATCH = 'replace-new-copy-first';

function firstDeleted(target: PlannedResource, old: ResourceState, properties: JsonObject): boolean {
  if (deletesFirst(target, old, properties)) return true;
  return runsOf(target).where === 'activity' && !patched(NEW_COPY_FIRST_PATCH);
}

/** The stack's resources as the new plan has them: existing ones keep what they are until their step, new ones start as a create's. */
function prepare(state: StackState, plan: StackPlan): void {
  for (const [name, r] of Object.entries(plan.resources)) {
    const old = state.resources[name];
    state.resources[name] = old ? { ...old, requires: r.requires, deletionPolicy: r.deletionPolicy } : initialState(r);
  }
}

class Update {
  /** Old copies of replaced resources, deleted once every resource is in place. */
  private readonly retired: [string, ResourceState][] = [];
  /** Old copies whose replacement failed, as they were before the update. */
  private readonly kept: [string, ResourceState][] = [];

  constructor(private readonly state: StackState, private readonly plan: StackPlan, private readonly acts: ResourceActivities, private readonly waits: WaitConditions) {}

  /** Brings one resource to its new definition. */
  async step(name: string): Promise<void> {
    const resource = this.state.resources[name]!;
    const target = this.plan.resources[name]!;
    const old = { ...resource };
    try {
      const properties = resolveNow(target.properties, runtimeContext(this.plan, this.state), `resources.${name}.properties`) as JsonObject;
      const diff: ResourceDiff = resource.status === 'INIT_COMPLETE' ? { change: 'replace', changed: [] } : diffResource(resource, target, properties);
      if (diff.change === 'unchanged') return;
      setResourceStatus(this.state, name, 'UPDATE_IN_PROGRESS', diff.changed.length ? `changed: ${diff.changed.join(', ')}` : old.status === 'INIT_COMPLETE' ? 'added' : `replacing a copy that is ${old.status}`);
      if (diff.change === 'update') await this.updateInPlace(name, resource, target, properties);
      else if (runsOf(target).where === 'workflow') await this.waitAgain(name, old, target, properties);
      else await this.replace(name, old, target, properties);
    } catch (err) {
      setResourceStatus(this.state, name, 'UPDATE_FAILED', isCancellation(err) ? 'cancelled' : reasonOf(err));
      throw err;
    }
    setResourceStatus(this.state, name, 'UPDATE_COMPLETE', 'state changed');
  }

  private async updateInPlace(name: string, resource: ResourceState, target: PlannedResource, properties: JsonObject): Promise<void> {
    const previous = resource.properties;
    resource.properties = properties;
    const updated = await this.acts.of(resource).updateResource({
      ...requestOf(this.state, name), physicalId: resource.physicalId, previous, attributes: target.attributes,
    });
    // A hook returns the attributes its change recomputed (none, when it had nothing to do): the others stand.
    resource.attributes = { ...resource.attributes, ...updated.attributes };
  }

  /**
   * An added or replaced wait condition waits for its handle's signals again. The old wait is kept aside
   * meanwhile, so that a rollback puts it back rather than waiting once more.
   */
  private async waitAgain(name: string, old: ResourceState, target: PlannedResource, properties: JsonObject): Promise<void> {
    if (old.physicalId !== '') this.retired.push([name, old]);
    const fresh: ResourceState = { ...initialState(target), status: 'UPDATE_IN_PROGRESS', properties };
    this.state.resources[name] = fresh;
    fresh.attributes = await this.waits.wait(name, fresh, properties);
    fresh.physicalId = `${this.state.name}-${name}`;
  }

  /** A new copy in the old one's place: made first, unless both cannot exist at once; an added resource has no old one. */
  private async replace(name: string, old: ResourceState, target: PlannedResource, properties: JsonObject): Promise<void> {
    const replacing = old.status !== 'INIT_COMPLETE';
    const first = replacing && firstDeleted(target, old, properties);
    if (first) await deleteCopy(this.state, name, old, this.acts);
    const copy = replacing && runsOf(target).copies ? { copy: uuid4().slice(0, 8) } : {};
    const fresh: ResourceState = { ...initialState(target), status: 'UPDATE_IN_PROGRESS', properties, ...copy };
    this.state.resources[name] = fresh;
    try {
      const created = await this.acts.of(fresh).createResource({ ...requestOf(this.state, name), attributes: target.attributes });
      fresh.physicalId = created.physicalId;
      if (created.refId !== undefined) fresh.refId = created.refId;
      fresh.attributes = created.attributes;
    } catch (err) {
      if (!first) this.keep(name, old, replacing);
      if (!first && fresh.copy) await this.discard(name, fresh);
      throw err;
    }
    if (!first && old.physicalId !== '') this.retired.push([name, old]);
  }

  /**
   * The old copy still exists: the stack keeps it, so that a delete or a later update finds it. It is marked
   * failed with the update, but a rollback puts it back as it was, running, rather than replace it again.
   */
  private keep(name: string, old: ResourceState, replacing: boolean): void {
    this.state.resources[name] = old;
    if (replacing && patched(NEW_COPY_FIRST_PATCH)) this.kept.push([name, { ...old }]);
  }

  /**
   * A new copy whose create failed may still exist (a container that exited): deleted by its own copy id,
   * so the old copy keeps running; even when the update is being cancelled. One that cannot be deleted now
   * carries the stack's labels, which the stack's delete sweeps.
   */
  private async discard(name: string, fresh: ResourceState): Promise<void> {
    await CancellationScope.nonCancellable(() => deleteCopy(this.state, name, fresh, this.acts)).catch((err: unknown) => {
      log.warn('the failed new copy could not be deleted', { resource: name, copy: fresh.copy, reason: reasonOf(err) });
    });
  }

  /** Rollback's first step: the old copies of replaced resources back in their place, the new copies deleted. */
  async restore(): Promise<void> {
    for (const [name, old] of this.kept.splice(0)) this.state.resources[name] = old;
    for (const [name, old] of this.retired.splice(0)) {
      await deleteCopy(this.state, name, this.state.resources[name]!, this.acts);
      this.state.resources[name] = old;
    }
  }

  /**
   * A failed update kept as it is: the new copies made stay in place, so the old ones they replaced, out of
   * the stack's state, would run on unseen; deleted even when the update was cancelled. One that cannot be
   * deleted carries the stack's labels, which the stack's delete sweeps.
   */
  async dropRetired(): Promise<void> {
    if (this.retired.length === 0 || !patched(NEW_COPY_FIRST_PATCH)) return;
    for (const [name, old] of this.retired.splice(0)) {
      await CancellationScope.nonCancellable(() => deleteCopy(this.state, name, old, this.acts)).catch((err: unknown) => {
        log.warn('an old copy of a replaced resource could not be deleted', { resource: name, copy: old.copy, reason: reasonOf(err) });
      });
    }
  }

  /** The old copies of replaced resources, then the removed resources, dependents first. */
  async cleanUp(removed: string[]): Promise<Failures> {
    for (const [name, old] of this.retired) {
      try {
        await deleteCopy(this.state, name, old, this.acts);
      } catch (err) {
        return [{ name, reason: reasonOf(err) }];
      }
    }
    const requires = Object.fromEntries(removed.map((name) => [name, this.state.resources[name]!.requires.filter((r) => removed.includes(r))]));
    return runGraph(reversed(requires), async (name) => {
      await deleteCopy(this.state, name, this.state.resources[name]!, this.acts);
      delete this.state.resources[name];
    });
  }
}

/** Brings the stack's resources to `plan`; the old copies and the resources `plan` no longer has are left to cleanUp. */
async function bringTo(state: StackState, plan: StackPlan, update: Update): Promise<Failures> {
  prepare(state, plan);
  const requires = Object.fromEntries(Object.entries(plan.resources).map(([name, r]) => [name, r.requires]));
  return runGraph(requires, (name) => update.step(name));
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
  const acts = resourceActivities(plan.timeoutMinutes, true);
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
  if (previous && (stop?.rollback ?? !plan.disableRollback)) await rollback(state, previous, update, acts, waits);
  else await update.dropRetired();
  fail(state);
}
