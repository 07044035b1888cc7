/**
 * What every stack action shares: the graph scheduler, status bookkeeping, the named activity profiles,
 * the requests handed to activities, and deleting a whole stack (a delete, or a create's rollback).
 * Which activity runs a resource, and what its request carries, is decided by its run profile alone.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { ResourceRequest, Sibling } from '../src/resources/plugin';
import { FunctionError, isDeferred, resolve, type ResolveContext } from '../src/template/functions';
import { reversed, type Requirements } from '../src/template/graph';
import { redactText } from '../src/template/redact';
import type { Json, JsonObject, ResourceState, StackPlan, StackState, StackStatus } from '../src/template/types';
import { STACK_FAILED, stackStatusKey } from './definitions';
import { handlerOf, runsOf } from './legacy';
import { PAYLOAD_REFUSED, refusedReason } from './refused';

export type Activities = ReturnType<typeof createActivities>;

/** How many resources of one stack are worked on at once: bounds pending activities and engine load. */
const MAX_PARALLEL = 50;

const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;

/** The activity profiles, by name: what each kind of work may take and how it is retried. */
export const PROFILES = {
  /** A resource's create or delete on an engine, and the sweep. */
  resource: (timeoutMinutes: number, waitCancelled: boolean): ActivityOptions => ({
    // A cancelled create is awaited until its attempt has really stopped, so rollback looks for what it made only afterwards.
    ...(waitCancelled ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}),
    startToCloseTimeout: '10 minutes',
    // A worker killed mid-activity is noticed within this, and the activity retried on another.
    heartbeatTimeout: '20 seconds',
    scheduleToCloseTimeout: `${timeoutMinutes} minutes`,
    retry: RETRY,
  }),
  /** A handler that touches nothing outside the worker (runs.where 'local'): no server round trip per task. */
  local: (timeoutMinutes: number): LocalActivityOptions => ({ startToCloseTimeout: '1 minute', scheduleToCloseTimeout: `${timeoutMinutes} minutes`, retry: RETRY }),
  /** Pausing and unpausing are quick; a refused endpoint is retried, with backoff, for up to an hour. */
  suspend: { startToCloseTimeout: '2 minutes', scheduleToCloseTimeout: '60 minutes', retry: RETRY } satisfies ActivityOptions,
};

/**
 * A stack of 1000 RandomStrings took 11 s with ordinary activities, a server round trip each. Histories
 * recorded before local activities keep their ordinary ones.
 */
const LOCAL_PATCH = 'local-activities-for-in-worker-types';

/** The activities that work on one resource, chosen by its run profile; `ordinary` also runs the sweep. */
export interface ResourceActivities {
  readonly ordinary: Activities;
  readonly of: (resource: ResourceState) => Activities;
}

export function resourceActivities(timeoutMinutes: number, waitCancelled = false): ResourceActivities {
  const ordinary = proxyActivities<Activities>(PROFILES.resource(timeoutMinutes, waitCancelled));
  const local = proxyLocalActivities<Activities>(PROFILES.local(timeoutMinutes));
  return { ordinary, of: (resource) => (runsOf(resource).where === 'local' && patched(LOCAL_PATCH) ? local : ordinary) };
}

export const now = () => new Date().toISOString();

export function setStatus(state: StackState, status: StackStatus, reason: string): void {
  state.status = status;
  state.statusReason = reason;
  state.updatedAt = now();
  upsertSearchAttributes([{ key: stackStatusKey, value: status }]);
  log.info('stack status', { stack: state.name, status, reason: redactText(state, reason) });
}

export function setResourceStatus(resource: ResourceState, status: StackStatus, reason = ''): void {
  resource.status = status;
  resource.statusReason = reason;
  resource.updatedAt = now();
}

/** The message a user should read: an activity's own failure message rather than "activity task failed". */
export function reasonOf(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  // The last attempt's error alone would hide that it was retried for as long as the stack allowed.
  return err instanceof ActivityFailure && err.retryState === 'TIMEOUT' ? `${message} (retried with backoff until the stack timeout)` : message;
}

export type Failures = { name: string; reason: string }[];

/**
 * Runs `step` for every node once all the nodes it requires have succeeded, at most MAX_PARALLEL at a
 * time. After the first failure nothing new starts; what is running finishes. Returns the failures.
 */
export async function runGraph(requires: Requirements, step: (name: string) => Promise<void>): Promise<Failures> {
  const failures: Failures = [];
  const outcomes = new Map<string, Promise<boolean>>();
  let running = 0;
  const run = (name: string): Promise<boolean> => {
    let outcome = outcomes.get(name);
    if (!outcome) {
      outcome = (async () => {
        const deps = await Promise.all((requires[name] ?? []).map(run));
        if (!deps.every(Boolean) || failures.length > 0) return false;
        await condition(() => running < MAX_PARALLEL);
        if (failures.length > 0) return false;
        running++;
        try {
          await step(name);
          return true;
        } catch (err) {
          failures.push({ name, reason: reasonOf(err) });
          return false;
        } finally {
          running--;
        }
      })();
      outcomes.set(name, outcome);
    }
    return outcome;
  };
  await Promise.all(Object.keys(requires).sort().map(run));
  return failures;
}

export function requirementsOf(state: StackState): Record<string, readonly string[]> {
  return Object.fromEntries(Object.entries(state.resources).map(([name, r]) => [name, r.requires]));
}

/** Resolves what the client had to leave for later: functions over resources that now exist. */
export function runtimeContext(plan: StackPlan, state: StackState): ResolveContext {
  const created = (name: string) => {
    const r = state.resources[name];
    return r && r.status === 'CREATE_COMPLETE' ? r : undefined;
  };
  return {
    format: plan.format,
    version: plan.version,
    stackName: state.name,
    stackId: state.id,
    parameters: {},
    resourceNames: new Set(Object.keys(plan.resources)),
    physicalId: (name) => {
      const r = created(name);
      return r && (r.refId ?? r.physicalId);
    },
    attribute: (name, attribute) => {
      const r = created(name);
      return r ? (r.attributes[attribute] ?? null) : undefined;
    },
    allAttributes: (name) => created(name)?.attributes,
  };
}

export function resolveNow(value: Json, ctx: ResolveContext, path: string): Json {
  try {
    const resolved = resolve(value, ctx, path);
    if (isDeferred(resolved)) throw new FunctionError(path, 'refers to a resource that was not created');
    return resolved;
  } catch (err) {
    if (err instanceof FunctionError) throw ApplicationFailure.nonRetryable(`${err.path}: ${err.message}`, 'InvalidFunction');
    throw err;
  }
}

/** The stack's hidden values for an activity request, so its failure messages come back masked. */
export function hiddenOf(state: StackState): { hiddenValues?: string[] } {
  return state.hiddenValues ? { hiddenValues: state.hiddenValues } : {};
}

/** Made and not yet deleted: what a handler may find on an engine. */
function exists(resource: ResourceState | undefined): resource is ResourceState {
  return resource !== undefined && resource.physicalId !== '' && resource.status !== 'DELETE_COMPLETE';
}

/** The resources `resource` requires that exist, as its handler reads them. */
function siblingsOf(state: StackState, resource: ResourceState): Record<string, Sibling> {
  return Object.fromEntries(resource.requires.flatMap((name) => {
    const r = state.resources[name];
    if (!exists(r)) return [];
    const sibling: Sibling = {
      type: r.type, physicalId: r.physicalId, ...(r.refId !== undefined ? { refId: r.refId } : {}), attributes: r.attributes, properties: r.properties,
    };
    return [[name, sibling]];
  }));
}

/** Every fixed IP the stack's resources hold: addresses a new port must not take. */
function addressesOf(state: StackState): string[] {
  return Object.values(state.resources).filter(exists).flatMap((r) => {
    const fixed = Array.isArray(r.attributes.fixed_ips) ? r.attributes.fixed_ips : [];
    return fixed.map((f) => (f as JsonObject | null)?.ip_address).filter((ip): ip is string => typeof ip === 'string');
  });
}

/** What every lifecycle request of a resource carries: its handler, properties, and what its run profile needs. */
export function requestOf(state: StackState, name: string): ResourceRequest {
  const resource = state.resources[name]!;
  const needs = runsOf(resource).needs ?? [];
  return {
    stack: state.name, stackId: state.id, resource: name, type: resource.type, handler: handlerOf(resource),
    properties: resource.properties, ...hiddenOf(state),
    ...(needs.includes('siblings') ? { siblings: siblingsOf(state, resource) } : {}),
    ...(needs.includes('addresses') ? { addresses: addressesOf(state) } : {}),
  };
}

/** Deletes every resource that exists (or may, after a failed create), dependents first. */
async function deleteResources(state: StackState, acts: ResourceActivities): Promise<Failures> {
  return runGraph(reversed(requirementsOf(state)), async (name) => {
    const resource = state.resources[name]!;
    if (resource.status === 'INIT_COMPLETE' || resource.status === 'DELETE_COMPLETE') return;
    if (resource.deletionPolicy === 'Retain') {
      setResourceStatus(resource, 'DELETE_COMPLETE', 'retained (deletion_policy Retain)');
      return;
    }
    setResourceStatus(resource, 'DELETE_IN_PROGRESS');
    try {
      await acts.of(resource).deleteResource({ ...requestOf(state, name), physicalId: resource.physicalId });
    } catch (err) {
      setResourceStatus(resource, 'DELETE_FAILED', reasonOf(err));
      throw err;
    }
    setResourceStatus(resource, 'DELETE_COMPLETE');
  });
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
 * The docker_endpoints the stack's resources named (either type's spelling): engines the sweep visits.
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
  return [...new Set(swept)].sort();
}

/** Deletes every resource, then, once all are gone, sweeps what still carries the stack's id. */
export async function deleteAll(state: StackState, acts: ResourceActivities): Promise<Failures> {
  const failures = await deleteResources(state, acts);
  if (failures.length > 0 || !patched(SWEEP_PATCH)) return failures;
  const retained = Object.entries(state.resources).filter(([, r]) => r.deletionPolicy === 'Retain').map(([name]) => name).sort();
  try {
    await acts.ordinary.sweepStack({ stack: state.name, stackId: state.id, endpoints: endpointsOf(state), retained });
  } catch (err) {
    return [{ name: 'sweep', reason: reasonOf(err) }];
  }
  return [];
}

/**
 * Fails the action at once when the worker's codec refused its input (see refused.ts): nothing was
 * done, and retrying cannot help. Valid inputs add no command, so recorded histories replay unchanged.
 */
export function refuseUnreadableInput(input: unknown, action: string, failedStatus: StackStatus): void {
  const reason = refusedReason(input);
  if (reason === undefined) return;
  upsertSearchAttributes([{ key: stackStatusKey, value: failedStatus }]);
  throw ApplicationFailure.create({ message: `the worker refused this ${action}: ${reason}`, type: PAYLOAD_REFUSED, nonRetryable: true });
}

/** Ends the action as failed: the message is for people (masked), the details are the state the next action starts from. */
export function fail(state: StackState): never {
  throw ApplicationFailure.create({ message: redactText(state, state.statusReason), type: STACK_FAILED, nonRetryable: true, details: [state] });
}
