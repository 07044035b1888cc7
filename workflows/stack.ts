/**
 * Stack actions as workflows. The template was validated and reduced to a plan by the client; here
 * resources are created in dependency order (independent ones in parallel), each side effect an
 * activity, and the stack's state is kept where a query and the search attributes can see it.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { FunctionError, isDeferred, resolve, type ResolveContext } from '../src/template/functions';
import { reversed, type Requirements } from '../src/template/graph';
import { redactText } from '../src/template/redact';
import type { Json, JsonObject, ResourceState, StackPlan, StackState, StackStatus } from '../src/template/types';
import {
  signalLimits, STACK_FAILED, stackNameKey, stackStateQuery, stackStatusKey, WAIT_CONDITION_TYPES, type CreateStackInput, type DeleteStackInput,
} from './definitions';
import { PAYLOAD_REFUSED, refusedReason } from './refused';
import { WaitConditions } from './wait-condition';

type Activities = ReturnType<typeof createActivities>;

/** How many resources of one stack are worked on at once: bounds pending activities and engine load. */
const MAX_PARALLEL = 50;

/**
 * Types whose create and delete touch nothing outside the worker (a CSPRNG draw, or nothing): they run
 * as local activities, which spare the server round trip of a task each. A stack of 1000 of them
 * took 11 s with ordinary activities. Histories recorded before this keep their ordinary activities.
 */
const LOCAL_TYPES = new Set(['OS::Heat::RandomString', 'OS::Heat::None']);
const LOCAL_TYPES_PATCH = 'local-activities-for-in-worker-types';

/**
 * A cancelled create is awaited until its attempt has really stopped, so that rollback looks for what it
 * made only afterwards. Histories recorded before this saw the cancellation at once.
 */
const WAIT_CANCELLED_PATCH = 'wait-for-cancelled-activities';

/**
 * A delete or rollback ends by removing whatever still carries the stack's id: what an attempt created
 * after the workflow stopped waiting for it (a timed-out attempt learns of its timeout late).
 */
const SWEEP_PATCH = 'sweep-stack-labels-after-delete';

/** The activities that work on one resource type. */
type ResourceActivities = (type: string) => Activities;

function activities(timeoutMinutes: number, waitCancelled = false): ResourceActivities {
  const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' } as const;
  const remote = proxyActivities<Activities>({
    ...(waitCancelled ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}),
    startToCloseTimeout: '10 minutes',
    // A worker killed mid-activity is noticed within this, and the activity retried on another.
    heartbeatTimeout: '20 seconds',
    scheduleToCloseTimeout: `${timeoutMinutes} minutes`,
    retry,
  });
  const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', scheduleToCloseTimeout: `${timeoutMinutes} minutes`, retry });
  return (type) => (LOCAL_TYPES.has(type) && patched(LOCAL_TYPES_PATCH) ? local : remote);
}

const now = () => new Date().toISOString();

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

/**
 * Runs `step` for every node once all the nodes it requires have succeeded, at most MAX_PARALLEL at a
 * time. After the first failure nothing new starts; what is running finishes. Returns the failures.
 */
export async function runGraph(requires: Requirements, step: (name: string) => Promise<void>): Promise<{ name: string; reason: string }[]> {
  const failures: { name: string; reason: string }[] = [];
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
function runtimeContext(plan: StackPlan, state: StackState): ResolveContext {
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

function resolveNow(value: Json, ctx: ResolveContext, path: string): Json {
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

/** Deletes every resource that exists (or may, after a failed create), dependents first. */
async function deleteResources(state: StackState, acts: ResourceActivities): Promise<{ name: string; reason: string }[]> {
  return runGraph(reversed(requirementsOf(state)), async (name) => {
    const resource = state.resources[name]!;
    if (resource.status === 'INIT_COMPLETE' || resource.status === 'DELETE_COMPLETE') return;
    if (resource.deletionPolicy === 'Retain') {
      setResourceStatus(resource, 'DELETE_COMPLETE', 'retained (deletion_policy Retain)');
      return;
    }
    setResourceStatus(resource, 'DELETE_IN_PROGRESS');
    try {
      await acts(resource.type).deleteResource({
        stack: state.name, stackId: state.id, resource: name, type: resource.type,
        physicalId: resource.physicalId, properties: resource.properties, ...hiddenOf(state),
      });
    } catch (err) {
      setResourceStatus(resource, 'DELETE_FAILED', reasonOf(err));
      throw err;
    }
    setResourceStatus(resource, 'DELETE_COMPLETE');
  });
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
async function deleteAll(state: StackState, acts: ResourceActivities): Promise<{ name: string; reason: string }[]> {
  const failures = await deleteResources(state, acts);
  if (failures.length > 0 || !patched(SWEEP_PATCH)) return failures;
  const retained = Object.entries(state.resources).filter(([, r]) => r.deletionPolicy === 'Retain').map(([name]) => name).sort();
  try {
    // No resource type: the sweep talks to engines, so it is an ordinary activity.
    await acts('').sweepStack({ stack: state.name, stackId: state.id, endpoints: endpointsOf(state), retained });
  } catch (err) {
    return [{ name: 'sweep', reason: reasonOf(err) }];
  }
  return [];
}

/** Ends the action as failed: the message is for people (masked), the details are the state the next action starts from. */
export function fail(state: StackState): never {
  throw ApplicationFailure.create({ message: redactText(state, state.statusReason), type: STACK_FAILED, nonRetryable: true, details: [state] });
}

/** Creates a stack from its plan; rolls back on failure unless the plan disables it. */
export async function createStack(input: CreateStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'create', 'CREATE_FAILED');
  const { plan, stackId } = input;
  const state: StackState = {
    name: plan.name,
    id: stackId ?? uuid4(),
    status: 'INIT_COMPLETE',
    statusReason: '',
    resources: Object.fromEntries(Object.entries(plan.resources).map(([name, r]) => [name, {
      type: r.type, status: 'INIT_COMPLETE' as StackStatus, statusReason: '', physicalId: '', attributes: {},
      requires: r.requires, deletionPolicy: r.deletionPolicy, properties: {}, updatedAt: now(),
    }])),
    outputs: {},
    createdAt: now(),
    updatedAt: now(),
    ...(plan.hiddenValues ? { hiddenValues: plan.hiddenValues } : {}),
  };
  // Real values, for the activities that read sibling resources; the client masks what it shows.
  setHandler(stackStateQuery, () => state);
  const waits = new WaitConditions(state, Date.now() + plan.timeoutMinutes * 60_000, signalLimits(plan));
  upsertSearchAttributes([{ key: stackNameKey, value: plan.name }]);
  setStatus(state, 'CREATE_IN_PROGRESS', 'Stack CREATE started');
  const acts = activities(plan.timeoutMinutes, patched(WAIT_CANCELLED_PATCH));
  const ctx = runtimeContext(plan, state);

  const failures = await runGraph(requirementsOf(state), async (name) => {
    const resource = state.resources[name]!;
    const planned = plan.resources[name]!;
    setResourceStatus(resource, 'CREATE_IN_PROGRESS');
    try {
      resource.properties = resolveNow(planned.properties, ctx, `resources.${name}.properties`) as JsonObject;
      if (WAIT_CONDITION_TYPES.includes(planned.type)) {
        // A wait is no side effect: it runs in the workflow itself, on signals and a timer.
        resource.attributes = await waits.wait(name, resource, resource.properties);
        resource.physicalId = `${state.name}-${name}`;
      } else {
        const created = await acts(planned.type).createResource({
          stack: state.name, stackId: state.id, resource: name, type: planned.type,
          properties: resource.properties, attributes: planned.attributes, ...hiddenOf(state),
        });
        resource.physicalId = created.physicalId;
        if (created.refId !== undefined) resource.refId = created.refId;
        resource.attributes = created.attributes;
      }
    } catch (err) {
      setResourceStatus(resource, 'CREATE_FAILED', reasonOf(err));
      throw err;
    }
    setResourceStatus(resource, 'CREATE_COMPLETE', 'state changed');
  });

  if (failures.length === 0) {
    for (const [name, output] of Object.entries(plan.outputs)) {
      try {
        state.outputs[name] = { ...output, value: resolveNow(output.value, ctx, `outputs.${name}.value`) };
      } catch (err) {
        state.outputs[name] = { ...output, value: null, error: reasonOf(err) };
      }
    }
    setStatus(state, 'CREATE_COMPLETE', 'Stack CREATE completed successfully');
    return state;
  }

  const first = failures[0]!;
  setStatus(state, 'CREATE_FAILED', `Resource CREATE failed: ${first.name}: ${first.reason}`);
  if (!plan.disableRollback) {
    const reason = state.statusReason;
    // Rollback must finish even if the workflow is cancelled meanwhile.
    await CancellationScope.nonCancellable(async () => {
      setStatus(state, 'ROLLBACK_IN_PROGRESS', reason);
      const rollbackFailures = await deleteAll(state, acts);
      if (rollbackFailures.length === 0) setStatus(state, 'ROLLBACK_COMPLETE', `${reason}; rolled back`);
      else setStatus(state, 'ROLLBACK_FAILED', `${reason}; rollback failed: ${rollbackFailures[0]!.name}: ${rollbackFailures[0]!.reason}`);
    });
  }
  fail(state);
}

/** Deletes every resource a stack's last action left, dependents first; already gone counts as deleted. */
export async function deleteStack(input: DeleteStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'delete', 'DELETE_FAILED');
  const previous = input.state;
  const state = JSON.parse(JSON.stringify(previous)) as StackState;
  setHandler(stackStateQuery, () => state);
  upsertSearchAttributes([{ key: stackNameKey, value: state.name }]);
  setStatus(state, 'DELETE_IN_PROGRESS', 'Stack DELETE started');
  const failures = await CancellationScope.nonCancellable(() => deleteAll(state, activities(60)));
  if (failures.length === 0) {
    setStatus(state, 'DELETE_COMPLETE', 'Stack DELETE completed successfully');
    return state;
  }
  setStatus(state, 'DELETE_FAILED', `Resource DELETE failed: ${failures[0]!.name}: ${failures[0]!.reason}`);
  fail(state);
}
