/**
 * What a stack update does to each resource: pure, so the workflow can decide it deterministically and
 * tests can check it without an engine. The plan carries what the registry knows (runs.updatable), since
 * workflow code cannot read the registry.
 */
import type { Json, JsonObject, PlannedResource, ResourceState, StackPlan, StackState } from '../src/template/types';
import { handlerOf, runsOf } from './legacy';

export type Change = 'unchanged' | 'update' | 'replace';

export interface ResourceDiff {
  readonly change: Change;
  /** The properties whose value differs (or 'type' when the type or its handler changed). */
  readonly changed: string[];
}

/** Key order is no difference: JSON objects compare by their sorted entries. */
function canonical(value: Json | undefined): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function changedProperties(before: JsonObject, after: JsonObject): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => canonical(before[name]) !== canonical(after[name])).sort();
}

/** A resource left failed or never made has nothing to keep: an update makes it anew, as Heat does. */
function usable(resource: ResourceState): boolean {
  return resource.physicalId !== '' && !resource.status.endsWith('_FAILED') && resource.status !== 'DELETE_COMPLETE';
}

/**
 * Heat's rule for an external_id in an update: the object is neither changed nor replaced, so one whose id stays
 * is `kept` whatever its properties say, and a change of the key (added, dropped, another id) is `refused`.
 * Undefined: the ordinary diff decides (a resource not made yet, or whose take-over failed and is tried again).
 */
export function externalUpdate(old: ResourceState, planned: PlannedResource): 'kept' | 'refused' | undefined {
  if (old.status === 'INIT_COMPLETE') return undefined;
  if (old.externalId !== planned.externalId) return 'refused';
  return planned.externalId !== undefined && usable(old) ? 'kept' : undefined;
}

/**
 * A nested stack that exists is updated in place even when its create or update failed, as Heat's StackResource
 * is: its own update replaces what failed in it, and a rollback brings back the same child. One failed by a check is replaced.
 */
export function nestedStackKept(resource: ResourceState): boolean {
  return resource.physicalId !== '' && resource.status !== 'DELETE_COMPLETE' && resource.status !== 'CHECK_FAILED';
}

/**
 * Compares an existing resource with its new definition, `properties` being the new ones resolved (the
 * resources they refer to are already updated). Only properties the type updates in place changed →
 * update; any other change → replace. `failedNestedInPlace`: false for updates begun before a failed nested stack was kept.
 */
export function diffResource(old: ResourceState, planned: PlannedResource, properties: JsonObject, failedNestedInPlace = true): ResourceDiff {
  if (old.type !== planned.type || handlerOf(old) !== handlerOf(planned)) return { change: 'replace', changed: ['type'] };
  // A container takes no mount once it runs: a server whose attachments changed is booted anew.
  const remounted = canonical(old.mounts as Json | undefined) !== canonical(planned.mounts as Json | undefined);
  const changed = [...changedProperties(old.properties, properties), ...(remounted ? ['mounts'] : [])];
  const nested = runsOf(planned).where === 'stack';
  if (!usable(old) && !(nested && failedNestedInPlace && nestedStackKept(old))) return { change: 'replace', changed };
  // A nested stack is updated in place, its own update keeping what did not change: its template may have changed where no property shows it.
  if (nested) return { change: 'update', changed };
  if (changed.length === 0) return { change: 'unchanged', changed };
  const inPlace = runsOf(planned).updatable;
  return { change: inPlace && changed.every((name) => inPlace.includes(name)) ? 'update' : 'replace', changed };
}

/** A value that takes something on an engine: an empty name or binding list claims nothing. */
function holds(value: Json | undefined): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return typeof value !== 'object' || Object.keys(value).length > 0;
}

/** The values at `path` ('networks.fixed_ip': the fixed_ip of each item of the networks list). */
function valuesAt(value: Json | undefined, path: readonly string[]): (Json | undefined)[] {
  if (path.length === 0) return [value];
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
  if (value !== null && typeof value === 'object') return valuesAt(value[path[0]!], path.slice(1));
  return [];
}

const claims = (properties: JsonObject, path: string) => valuesAt(properties, path.split('.')).some(holds);

/**
 * Whether the replacement of a resource deletes the old copy before creating the new one. Handlers find
 * what they made on an engine by its labels; a type whose handler also tells copies apart by the copy id
 * (runs.copies) gets the new copy first, unless old and new both hold a property two copies cannot share
 * (a fixed container name, a host port, a fixed IP). Every other type on an engine would take a new copy
 * for the old one, so its old copy goes first; in-worker values are always made new copy first.
 */
export function deletesFirst(planned: PlannedResource, old: ResourceState, properties: JsonObject): boolean {
  const runs = runsOf(planned);
  if (runs.where !== 'activity') return false;
  if (!runs.copies) return true;
  return (runs.exclusive ?? []).some((path) => claims(old.properties, path) && claims(properties, path));
}

/** The stack's resources the new plan no longer has. */
export function removedResources(state: StackState, plan: StackPlan): string[] {
  return Object.keys(state.resources).filter((name) => !Object.hasOwn(plan.resources, name)).sort();
}
