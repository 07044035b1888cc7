/** Deleting a whole stack, for a delete or a create's rollback: every resource, dependents first, then the sweep. */
import { patched } from '@temporalio/workflow';
import { reversed } from '../src/template/graph';
import type { Json, ResourceState, StackState } from '../src/template/types';
import { placeholderIn, reasonOf, recordResourceEvent, requirementsOf, runGraph, setResourceStatus, type Failures } from './engine';
import { type ResourceActivities } from './profiles';
import { requestOf } from './requests';

/** Deletes every resource that exists (or may, after a failed create), dependents first. */
async function deleteResources(state: StackState, acts: ResourceActivities): Promise<Failures> {
  return runGraph(reversed(requirementsOf(state)), async (name) => {
    const resource = state.resources[name]!;
    if (resource.status === 'INIT_COMPLETE' || resource.status === 'DELETE_COMPLETE') return;
    if (resource.externalId !== undefined) {
      setResourceStatus(state, name, 'DELETE_COMPLETE', 'external resource left in place (external_id)');
      return;
    }
    if (resource.deletionPolicy === 'Retain') {
      setResourceStatus(state, name, 'DELETE_COMPLETE', 'retained (deletion_policy Retain)');
      return;
    }
    setResourceStatus(state, name, 'DELETE_IN_PROGRESS');
    try {
      await acts.of(resource).deleteResource({ ...requestOf(state, name), physicalId: resource.physicalId });
    } catch (err) {
      setResourceStatus(state, name, 'DELETE_FAILED', reasonOf(err));
      throw err;
    }
    setResourceStatus(state, name, 'DELETE_COMPLETE');
  }, placeholderIn(state.resources));
}

/**
 * What a delete leaves where it is: a resource of deletion_policy Retain, and an external_id's object, which
 * the stack never made. The plan gives the latter Retain, but an update refused for dropping the key leaves
 * the new plan's policy on a resource that still holds the external object.
 */
const leftInPlace = (resource: ResourceState) => resource.deletionPolicy === 'Retain' || resource.externalId !== undefined;

/**
 * Deletes one copy of a resource (an update's old copy, or one removed from the template); what is left in
 * place stays. A copy whose create failed has no physical id, and its handler looks for it by its labels.
 * Its events carry the copy's own physical id; the state's status is the current copy's, not changed here.
 */
export async function deleteCopy(state: StackState, name: string, copy: ResourceState, acts: ResourceActivities): Promise<void> {
  if (leftInPlace(copy) || copy.status === 'INIT_COMPLETE' || copy.status === 'DELETE_COMPLETE') return;
  // Not a state with the copy in: a thousand removed from a stack of 10,000 copied its resources a thousand times.
  const request = requestOf(state, name, copy);
  recordResourceEvent(state, name, copy, 'DELETE_IN_PROGRESS');
  try {
    await acts.of(copy).deleteResource({ ...request, physicalId: copy.physicalId });
  } catch (err) {
    recordResourceEvent(state, name, copy, 'DELETE_FAILED', reasonOf(err));
    throw err;
  }
  recordResourceEvent(state, name, copy, 'DELETE_COMPLETE');
}

/**
 * A delete or rollback ends by removing whatever still carries the stack's id: what an attempt created
 * after the workflow stopped waiting for it (a timed-out attempt learns of its timeout late).
 */
const SWEEP_PATCH = 'sweep-stack-labels-after-delete';

/** Every text value among the stack's resource attributes: the addresses its servers, ports and floating IPs held. */
function attributeTexts(state: StackState): Set<string> {
  const found = new Set<string>();
  const walk = (value: Json): void => {
    if (typeof value === 'string') found.add(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  for (const r of Object.values(state.resources)) walk(r.attributes);
  return found;
}

/**
 * The docker_endpoints the stack's resources named (either type's spelling), and the engine it was placed on: engines the sweep visits.
 * Not an engine reached at an address of the stack's own (a server's dockerd): it went with its server,
 * and once the stack's networks are gone that address may lead off this machine.
 */
function endpointsOf(state: StackState): string[] {
  const named = Object.values(state.resources).map((r) => r.properties.docker_endpoint ?? r.properties.DockerEndpoint);
  const own = attributeTexts(state);
  const hostOf = (endpoint: string) => {
    const found = /^[a-z]+:\/\/(?:\[([^\]]+)\]|([^/:]+))/i.exec(endpoint);
    return found?.[1] ?? found?.[2];
  };
  const swept = named.filter((e): e is string => typeof e === 'string' && e !== '' && !own.has(hostOf(e) ?? ''));
  // The engine the stack was placed on holds what names no endpoint.
  return [...new Set([...swept, ...(state.engine ? [state.engine] : [])])].sort();
}

/** Deletes every resource, then, once all are gone, sweeps what still carries the stack's id. */
export async function deleteAll(state: StackState, acts: ResourceActivities): Promise<Failures> {
  const failures = await deleteResources(state, acts);
  if (failures.length > 0 || !patched(SWEEP_PATCH)) return failures;
  const retained = Object.entries(state.resources).filter(([, r]) => leftInPlace(r)).map(([name]) => name).sort();
  try {
    await acts.sweep({ stack: state.name, stackId: state.id, endpoints: endpointsOf(state), retained });
  } catch (err) {
    return [{ name: 'sweep', reason: reasonOf(err) }];
  }
  return [];
}
