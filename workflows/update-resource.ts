/**
 * One resource of a stack update brought to its new definition (kept, updated in place, replaced, or
 * waiting again), and the old copies it leaves: put back by a rollback, deleted once all is in place.
 */
import { ApplicationFailure, CancellationScope, isCancellation, log, patched, uuid4 } from '@temporalio/workflow';
import { reversed } from '../src/template/graph';
import type { ResolveContext } from '../src/template/functions';
import type { JsonObject, PlannedResource, ResourceState, StackPlan, StackState } from '../src/template/types';
import { initialState, takenOver } from './create';
import { placeholderIn, reasonOf, runGraph, setResourceStatus, type Failures } from './engine';
import { runsOf } from './legacy';
import type { ResourceActivities } from './profiles';
import { requestOf, resolveNow, runtimeContext } from './requests';
import { deleteCopy } from './teardown';
import { deletesFirst, diffResource, externalUpdate, nestedStackKept, type ResourceDiff } from './update-plan';
import type { WaitConditions } from './wait-condition';

/**
 * Updates begun before copies were told apart deleted every old copy on an engine first; a replacement
 * whose new copy may now come first asks, so that such an update keeps its order when replayed.
 */
const NEW_COPY_FIRST_PATCH = 'replace-new-copy-first';

function firstDeleted(target: PlannedResource, old: ResourceState, properties: JsonObject): boolean {
  if (deletesFirst(target, old, properties)) return true;
  return runsOf(target).where === 'activity' && !patched(NEW_COPY_FIRST_PATCH);
}

/**
 * Updates begun before deleted the old copies in the order they were retired, dependencies first; an old
 * net cannot go while an old server is still on it, so they now go dependents first.
 */
const DEPENDENTS_FIRST_PATCH = 'retired-dependents-first';

/** Updates begun before replaced a nested stack whose create or update had failed by a new child stack, beside the old. */
const FAILED_NESTED_IN_PLACE_PATCH = 'failed-nested-stack-in-place';

export class Update {
  /** Old copies of replaced resources, deleted once every resource is in place. */
  private readonly retired: [string, ResourceState][] = [];
  /** Old copies whose replacement failed, as they were before the update. */
  private readonly kept: [string, ResourceState][] = [];

  /** One for the whole update (it reads the state as it is at each call): built per resource, it cost O(n) each. */
  private readonly ctx: ResolveContext;

  constructor(private readonly state: StackState, private readonly plan: StackPlan, private readonly acts: ResourceActivities, private readonly waits: WaitConditions) {
    this.ctx = runtimeContext(plan, state);
  }

  /** Brings one resource to its new definition. */
  async step(name: string): Promise<void> {
    const resource = this.state.resources[name]!;
    const target = this.plan.resources[name]!;
    const old = { ...resource };
    try {
      if (this.keptExternal(name, resource, target)) return;
      const properties = resolveNow(target.properties, this.ctx, `resources.${name}.properties`) as JsonObject;
      const diff: ResourceDiff = resource.status === 'INIT_COMPLETE' ? { change: 'replace', changed: [] } : diffResource(resource, target, properties, this.failedNestedInPlace(resource, target));
      if (diff.change === 'unchanged') return;
      setResourceStatus(this.state, name, 'UPDATE_IN_PROGRESS', diff.changed.length ? `changed: ${diff.changed.join(', ')}` : diff.change === 'update' ? 'its nested stack brought to its template' : old.status === 'INIT_COMPLETE' ? 'added' : `replacing a copy that is ${old.status}`);
      if (diff.change === 'update') await this.updateInPlace(name, resource, target, properties);
      else if (runsOf(target).where === 'workflow') await this.waitAgain(name, old, target, properties);
      else await this.replace(name, old, target, properties);
    } catch (err) {
      setResourceStatus(this.state, name, 'UPDATE_FAILED', isCancellation(err) ? 'cancelled' : reasonOf(err));
      throw err;
    }
    setResourceStatus(this.state, name, 'UPDATE_COMPLETE', 'state changed');
  }

  /** Whether the resource is an external object the update leaves as it is; a change of its external_id fails it. */
  private keptExternal(name: string, resource: ResourceState, target: PlannedResource): boolean {
    const external = externalUpdate(resource, target);
    if (external === 'refused') {
      throw ApplicationFailure.nonRetryable(`resources.${name}.external_id: an update cannot change it (from ${resource.externalId ?? 'none'} to ${target.externalId ?? 'none'}): `
        + 'keep the key as it was, or delete the stack and create it anew', 'ExternalIdChanged');
    }
    return external === 'kept';
  }

  /** Whether a failed nested stack is updated in place; the patch is asked only where that decides. */
  private failedNestedInPlace(resource: ResourceState, target: PlannedResource): boolean {
    return runsOf(target).where !== 'stack' || !resource.status.endsWith('_FAILED') || !nestedStackKept(resource) || patched(FAILED_NESTED_IN_PLACE_PATCH);
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
      const request = { ...requestOf(this.state, name), attributes: target.attributes };
      const external = takenOver(target, undefined);
      const created = external ? await this.acts.of(fresh).adoptResource({ ...request, ...external }) : await this.acts.of(fresh).createResource(request);
      fresh.physicalId = created.physicalId;
      if (created.refId !== undefined) fresh.refId = created.refId;
      fresh.attributes = created.attributes;
    } catch (err) {
      if (!first) this.keep(name, old, replacing);
      // A new copy whose create failed may still exist (a container that exited): the old copy keeps running.
      if (!first && fresh.copy) await this.discard(name, fresh, 'the failed new copy');
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
   * Deletes a copy the stack no longer keeps, by its own copy id, even when the update is being cancelled.
   * One that cannot be deleted now carries the stack's labels, which the stack's delete sweeps.
   */
  private async discard(name: string, copy: ResourceState, what: string): Promise<void> {
    await CancellationScope.nonCancellable(() => deleteCopy(this.state, name, copy, this.acts)).catch((err: unknown) => {
      log.warn(`${what} could not be deleted`, { resource: name, copy: copy.copy, reason: reasonOf(err) });
    });
  }

  /** The retired copies in the order their deletes must go: a resource before what it requires. */
  private retiredInOrder(): [string, ResourceState][] {
    return this.retired.length > 1 && patched(DEPENDENTS_FIRST_PATCH) ? [...this.retired].reverse() : [...this.retired];
  }

  /** The retired copies in delete order, no longer held here. */
  private takeRetired(): [string, ResourceState][] {
    const retired = this.retiredInOrder();
    this.retired.splice(0);
    return retired;
  }

  /** Rollback's first step: the old copies of replaced resources back in their place, the new copies deleted. */
  async restore(): Promise<void> {
    for (const [name, old] of this.kept.splice(0)) this.state.resources[name] = old;
    for (const [name, old] of this.takeRetired()) {
      await deleteCopy(this.state, name, this.state.resources[name]!, this.acts);
      this.state.resources[name] = old;
    }
  }

  /**
   * A failed update kept as it is: the new copies made stay in place, so the old ones they replaced, out of
   * the stack's state, would run on unseen.
   */
  async dropRetired(): Promise<void> {
    if (this.retired.length === 0 || !patched(NEW_COPY_FIRST_PATCH)) return;
    for (const [name, old] of this.takeRetired()) await this.discard(name, old, 'an old copy of a replaced resource');
  }

  /** The old copies of replaced resources, then the removed resources, dependents first. */
  async cleanUp(removed: string[]): Promise<Failures> {
    for (const [name, old] of this.retiredInOrder()) {
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
    }, placeholderIn(this.state.resources));
  }
}
