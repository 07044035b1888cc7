/**
 * Stack update: the stack's resources brought to a new plan, in the new plan's dependency order, so that
 * each resource is compared once what it refers to is final (a replaced dependency gives new values).
 * Unchanged resources are left alone, changed ones updated in place or replaced (update-plan.ts decides),
 * added ones created; removed ones and the old copies of replaced ones are deleted at the end.
 */
import { ApplicationFailure, isCancellation, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { reversed } from '../src/template/graph';
import type { JsonObject, PlannedResource, ResourceState, StackPlan, StackState } from '../src/template/types';
import { initialState, resolveOutputs } from './create';
import { stackNameKey, stackStateQuery, type UpdateStackInput } from './definitions';
import { fail, reasonOf, refuseUnreadableInput, runGraph, setResourceStatus, setStatus, type Failures } from './engine';
import { runsOf } from './legacy';
import { resourceActivities, type ResourceActivities } from './profiles';
import { requestOf, resolveNow, runtimeContext } from './requests';
import { addedResources, deletesFirst, diffResource, removedResources, type ResourceDiff } from './update-plan';

/** The stack as the new plan has it: existing resources keep what they are until their step, new ones start as a create's. */
function planned(state: StackState, plan: StackPlan): StackState {
  const resources: Record<string, ResourceState> = { ...state.resources };
  for (const [name, r] of Object.entries(plan.resources)) {
    const old = state.resources[name];
    resources[name] = old ? { ...old, requires: r.requires, deletionPolicy: r.deletionPolicy } : initialState(r);
  }
  return { ...state, resources, ...(plan.hiddenValues ? { hiddenValues: plan.hiddenValues } : {}) };
}

/** Deletes one copy of a resource (an old one, or one removed from the template); deletion_policy Retain keeps it. */
async function deleteCopy(state: StackState, name: string, copy: ResourceState, acts: ResourceActivities): Promise<void> {
  if (copy.deletionPolicy === 'Retain' || copy.physicalId === '') return;
  const request = requestOf({ ...state, resources: { ...state.resources, [name]: copy } }, name);
  await acts.of(copy).deleteResource({ ...request, physicalId: copy.physicalId });
}

class Update {
  /** Old copies of replaced resources, deleted once every resource is in place. */
  private readonly retired: [string, ResourceState][] = [];

  constructor(private readonly state: StackState, private readonly plan: StackPlan, private readonly acts: ResourceActivities) {}

  /** Brings one resource to its new definition. */
  async step(name: string): Promise<void> {
    const resource = this.state.resources[name]!;
    const target = this.plan.resources[name]!;
    const properties = resolveNow(target.properties, runtimeContext(this.plan, this.state), `resources.${name}.properties`) as JsonObject;
    const diff: ResourceDiff = resource.status === 'INIT_COMPLETE' ? { change: 'replace', changed: [] } : diffResource(resource, target, properties);
    if (diff.change === 'unchanged') return;
    const old = { ...resource };
    setResourceStatus(resource, 'UPDATE_IN_PROGRESS', diff.changed.length ? `changed: ${diff.changed.join(', ')}` : 'added');
    try {
      if (diff.change === 'update') await this.updateInPlace(name, resource, target, properties);
      else await this.replace(name, old, target, properties);
    } catch (err) {
      setResourceStatus(this.state.resources[name]!, 'UPDATE_FAILED', isCancellation(err) ? 'cancelled' : reasonOf(err));
      throw err;
    }
    setResourceStatus(this.state.resources[name]!, 'UPDATE_COMPLETE', 'state changed');
  }

  private async updateInPlace(name: string, resource: ResourceState, target: PlannedResource, properties: JsonObject): Promise<void> {
    const previous = resource.properties;
    resource.properties = properties;
    const updated = await this.acts.of(resource).updateResource({
      ...requestOf(this.state, name), physicalId: resource.physicalId, previous, attributes: target.attributes,
    });
    resource.attributes = updated.attributes;
  }

  /** A new copy in the old one's place: made first, unless both cannot exist at once; an added resource has no old one. */
  private async replace(name: string, old: ResourceState, target: PlannedResource, properties: JsonObject): Promise<void> {
    if (runsOf(target).where === 'workflow') {
      throw ApplicationFailure.nonRetryable(`${name}: an update cannot add or replace a wait condition yet`, 'UpdateNotSupported');
    }
    const first = old.physicalId !== '' && deletesFirst(target);
    if (first) await deleteCopy(this.state, name, old, this.acts);
    const fresh: ResourceState = { ...initialState(target), status: 'UPDATE_IN_PROGRESS', properties };
    this.state.resources[name] = fresh;
    try {
      const created = await this.acts.of(fresh).createResource({ ...requestOf(this.state, name), attributes: target.attributes });
      fresh.physicalId = created.physicalId;
      if (created.refId !== undefined) fresh.refId = created.refId;
      fresh.attributes = created.attributes;
    } catch (err) {
      // The old copy still exists: the stack keeps it, so that a delete or a later update finds it.
      if (!first) this.state.resources[name] = old;
      throw err;
    }
    if (!first && old.physicalId !== '') this.retired.push([name, old]);
  }

  /** The old copies of replaced resources, then the removed resources, dependents first. */
  async cleanUp(removed: string[]): Promise<Failures> {
    for (const [name, old] of this.retired) await deleteCopy(this.state, name, old, this.acts);
    const requires = Object.fromEntries(removed.map((name) => [name, this.state.resources[name]!.requires.filter((r) => removed.includes(r))]));
    const failures = await runGraph(reversed(requires), async (name) => {
      await deleteCopy(this.state, name, this.state.resources[name]!, this.acts);
      delete this.state.resources[name];
    });
    return failures;
  }
}

/** Brings a stack to a new plan; on failure the stack stays UPDATE_FAILED, and a later update can fix it. */
export async function updateStack(input: UpdateStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'update', 'UPDATE_FAILED');
  const { plan } = input;
  const before = JSON.parse(JSON.stringify(input.state)) as StackState;
  const state = planned(before, plan);
  setHandler(stackStateQuery, () => state);
  upsertSearchAttributes([{ key: stackNameKey, value: state.name }]);
  const added = addedResources(before, plan);
  const removed = removedResources(before, plan);
  setStatus(state, 'UPDATE_IN_PROGRESS', `Stack UPDATE started${added.length ? `; adding ${added.join(', ')}` : ''}${removed.length ? `; removing ${removed.join(', ')}` : ''}`);
  const acts = resourceActivities(plan.timeoutMinutes, true);
  const update = new Update(state, plan, acts);
  const requires = Object.fromEntries(Object.entries(plan.resources).map(([name, r]) => [name, r.requires]));
  let failures = await runGraph(requires, (name) => update.step(name));
  if (failures.length === 0) failures = await update.cleanUp(removed);
  if (failures.length === 0) {
    state.outputs = {};
    resolveOutputs(plan, state);
    setStatus(state, 'UPDATE_COMPLETE', 'Stack UPDATE completed successfully');
    return state;
  }
  setStatus(state, 'UPDATE_FAILED', `Resource UPDATE failed: ${failures[0]!.name}: ${failures[0]!.reason}`);
  fail(state);
}
