/**
 * The activity profiles, by name (what each kind of work may take and how it is retried), and the
 * choice between a local and an ordinary activity, made by a resource's run profile alone.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { HAND_OVER, type ResourceState } from '../src/template/types';
import { runsOf } from './legacy';

export type Activities = ReturnType<typeof createActivities>;

/**
 * What a person following a stack in the Temporal UI reads for an activity instead of its JSON input:
 * "create DockerInc::Docker::Container web". Undefined for an input that names no resource or stack.
 */
export function activitySummary(activity: string, input: unknown): string | undefined {
  const req = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const named = (...keys: string[]) => keys.every((key) => typeof req[key] === 'string');
  if (activity.endsWith('Resource') && named('type', 'resource')) return `${activity.slice(0, -'Resource'.length)} ${req.type} ${req.resource}`;
  if (activity === 'planNestedStack' && named('type', 'resource', 'childName')) return `plan ${req.type} ${req.resource} as stack ${req.childName}`;
  if (activity === 'nestedStackState' && named('name')) return `read nested stack ${req.name}`;
  if (activity === 'sweepStack' && named('stack')) return `sweep what stack ${req.stack} left`;
  if (activity === 'placeStack' && named('stack')) return `place stack ${req.stack} on an engine${typeof req.pinned === 'string' ? ` (pinned: ${req.pinned})` : ''}`;
  return undefined;
}

type Proxied = Record<string, ((...args: unknown[]) => Promise<unknown>) & { executeWithOptions(options: { summary: string }, args: unknown[]): Promise<unknown> }>;

/**
 * Activities whose every call carries its summary (Temporal's user metadata, which the UI shows on the event).
 * The summary is metadata of the command, not part of what replay compares: recorded histories replay as before.
 */
function summarised<T>(proxy: T): T {
  return new Proxy(proxy as Proxied, {
    get: (target, name: string) => {
      const run = target[name]!;
      return (...args: unknown[]) => {
        const summary = activitySummary(name, args[0]);
        return summary === undefined ? run(...args) : run.executeWithOptions({ summary }, args);
      };
    },
  }) as T;
}

/** proxyActivities of stoke's activities, each call summarised. */
export const activities = (options: ActivityOptions): Activities => summarised(proxyActivities<Activities>(options));
/** proxyLocalActivities of stoke's activities, each call summarised. */
export const localActivities = (options: LocalActivityOptions): Activities => summarised(proxyLocalActivities<Activities>(options));

/** The parts of a resource's lifecycle the stack actions call: activities, or child workflows for nested stacks. */
export type ResourceLifecycle = Pick<Activities, 'createResource' | 'deleteResource' | 'adoptResource' | 'updateResource'>;

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
  /** Reading a resource's state is quick; an engine not answering is retried for ten minutes, then the check fails. */
  check: { startToCloseTimeout: '2 minutes', scheduleToCloseTimeout: '10 minutes', retry: RETRY } satisfies ActivityOptions,
};

/**
 * A stack of 1000 RandomStrings took 11 s with ordinary activities, a server round trip each. Histories
 * recorded before local activities keep their ordinary ones.
 */
const LOCAL_PATCH = 'local-activities-for-in-worker-types';

/** Containers' deletes as local activities (RunProfile.deletes): recorded histories deleted them with ordinary ones. */
const LOCAL_DELETE_PATCH = 'local-deletes';

/** Containers' creates as local activities first (RunProfile.creates): recorded histories created them with ordinary ones. */
const LOCAL_CREATE_PATCH = 'local-creates';

/**
 * The sweep as a local activity, in the workflow task that saw the last delete: as an ordinary one it cost each delete
 * a task round trip through the server at its very end. Recorded histories swept with an ordinary one.
 */
const LOCAL_SWEEP_PATCH = 'local-sweep';

/**
 * Whether a local create leaves the rest to an ordinary activity: a hand-over, or a failure that retries with
 * backoff may get past (an engine refusing connections), which the ordinary activity's retries, bounded by the
 * stack timeout, then report. Only a cancel and a failure no retry can help end the create here. Checked on the
 * failure and its cause, however the SDK wraps it.
 */
function handedOver(err: unknown): boolean {
  if (isCancellation(err)) return false;
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return !(cause instanceof ApplicationFailure && cause.nonRetryable) || cause.type === HAND_OVER;
}

/**
 * A placeholder's lifecycle (runs.where 'none'), run by the workflow itself: nothing exists outside the stack, so
 * its physical id is its stack's and its name, as a wait condition's, and it has no attributes.
 */
const PLACEHOLDER: ResourceLifecycle = {
  createResource: async (req) => ({ physicalId: `${req.stack}-${req.resource}`, attributes: {} }),
  adoptResource: async (req) => ({ physicalId: req.physicalId, attributes: {} }),
  updateResource: async (req) => ({ physicalId: req.physicalId, attributes: {} }),
  deleteResource: async () => undefined,
};

/** The activities that work on one resource, chosen by its run profile, and the sweep after a delete. */
export interface ResourceActivities {
  readonly local: Activities;
  readonly of: (resource: ResourceState) => ResourceLifecycle;
  readonly sweep: Activities['sweepStack'];
}

/** `nested` runs the resources that are stacks of their own (nested.ts): child workflows, not activities. */
export function resourceActivities(timeoutMinutes: number, waitCancelled = false, nested?: ResourceLifecycle): ResourceActivities {
  const ordinary = activities(PROFILES.resource(timeoutMinutes, waitCancelled));
  const local = localActivities(PROFILES.local(timeoutMinutes));
  // As the ordinary create's: rollback looks for what a cancelled create made only once its attempt has stopped.
  // One attempt: retries belong to the ordinary activity, whose backoff the server keeps, not a workflow task held open.
  const localCreate = localActivities({
    ...PROFILES.local(timeoutMinutes), retry: { maximumAttempts: 1 },
    ...(waitCancelled ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}),
  });
  const createFirstLocally: ResourceLifecycle['createResource'] = async (req) => {
    if (!patched(LOCAL_CREATE_PATCH)) return ordinary.createResource(req);
    try {
      return await localCreate.createResource(req);
    } catch (err) {
      if (!handedOver(err)) throw err;
      return ordinary.createResource(req);
    }
  };
  // The sweep waits up to 15 s for each engine's listing, then removes what it finds: more than a create's minute may pass.
  const localSweep = localActivities({ ...PROFILES.local(timeoutMinutes), startToCloseTimeout: '10 minutes' });
  return {
    local,
    sweep: (req) => (patched(LOCAL_SWEEP_PATCH) ? localSweep : ordinary).sweepStack(req),
    of: (resource) => {
      const runs = runsOf(resource);
      if (runs.where === 'none') return PLACEHOLDER;
      if (runs.where === 'stack') {
        if (!nested) throw ApplicationFailure.nonRetryable(`${resource.type} is a nested stack, which this action cannot act on`, 'NestedStackUnsupported');
        return nested;
      }
      if (runs.where === 'local' && patched(LOCAL_PATCH)) return local;
      if (runs.deletes !== 'local' && runs.creates !== 'local') return ordinary;
      const { adoptResource, updateResource } = ordinary;
      return {
        adoptResource,
        updateResource,
        createResource: runs.creates === 'local' ? createFirstLocally : ordinary.createResource,
        deleteResource: runs.deletes === 'local' ? (req) => (patched(LOCAL_DELETE_PATCH) ? local : ordinary).deleteResource(req) : ordinary.deleteResource,
      };
    },
  };
}
