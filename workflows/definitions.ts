/** Names shared by workflows, the client and the CLI. No Node imports: the workflow sandbox loads this. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Json, JsonObject, NestedIn, StackPlan, StackSource, StackState, StackStatus } from '../src/template/types';
import { runsOf } from './legacy';

/** How many resources of one stack are worked on at once: bounds pending activities and engine load. */
export const MAX_PARALLEL = 50;

/** The stack as it is now: status, each resource's status and physical id, outputs once known. */
export const stackStateQuery = defineQuery<StackState>('stackState');

/** One status change of the stack (resourceName is the stack's name) or of one of its resources, as Heat's events. */
export interface RecordedEvent {
  /** 1, 2, 3… within one action: the marker a page starts after. */
  readonly seq: number;
  /** Workflow time, ISO. */
  readonly time: string;
  readonly resourceName: string;
  readonly physicalId: string;
  readonly resourceType: string;
  readonly status: StackStatus;
  /** Hidden values masked. */
  readonly reason: string;
}

export interface EventsRequest {
  /** Only events after this sequence number. */
  readonly after?: number;
  readonly limit?: number;
  /** Only this resource's events (the stack's name: the stack's own). */
  readonly resource?: string;
}

export interface EventPage {
  readonly events: RecordedEvent[];
  /** More events follow the page's last. */
  readonly more: boolean;
}

/** An action's events a page at a time, so that no answer grows past the payload limit. */
export const stackEventsQuery = defineQuery<EventPage, [EventsRequest]>('stackEvents');

export const stackNameKey = defineSearchAttributeKey('StackName', SearchAttributeType.KEYWORD);
export const stackStatusKey = defineSearchAttributeKey('StackStatus', SearchAttributeType.KEYWORD);

/**
 * Every action on a stack runs under this one workflow id, so Temporal itself refuses a second action
 * (a delete during a create, two creates) while one runs.
 */
export function stackWorkflowId(stackName: string): string {
  return `stack:${stackName}`;
}

/** The line the Temporal UI shows for an action's workflow (its static summary): "create stack web". */
export function actionSummary(workflow: string, stackName: string): string {
  const verb = workflow.endsWith('Stack') ? workflow.slice(0, -'Stack'.length) : workflow === 'markResourceUnhealthy' ? 'mark a resource unhealthy in' : 'signal a resource of';
  return `${verb} stack ${stackName}`;
}

export interface CreateStackInput {
  readonly plan: StackPlan;
  /**
   * The stack's id, chosen by the client so that it can also be put in the workflow's memo, where the
   * signal gateway reads it without a worker. Absent in stacks created before it existed: then generated.
   */
  readonly stackId?: string;
  /** What the plan was made from, for `stack update --existing`; absent in stacks created before it was kept. */
  readonly source?: StackSource;
  /** Set when the stack is a nested one, created by its parent's action. */
  readonly nesting?: NestedIn;
}

/** What the abandon data says of one resource to adopt: its object's id and the data its stack held. */
export interface AdoptedResource {
  readonly physicalId: string;
  readonly data: JsonObject;
}

/**
 * Input of adoptStack: a create whose resources named in `adopted` take the objects an abandoned stack left
 * instead of making new ones. The stack id is the abandoned stack's, which the objects' labels carry.
 */
export interface AdoptStackInput extends CreateStackInput {
  readonly stackId: string;
  readonly adopted: Readonly<Record<string, AdoptedResource>>;
}

/** Input of abandonStack: the stack as its last action left it, forgotten with its resources left as they are. */
export interface AbandonStackInput {
  readonly state: StackState;
}

/** Input of suspendStack and resumeStack: the stack as its last action left it. */
export interface SuspendStackInput {
  readonly state: StackState;
}

/** Input of checkStack: the stack as its last action left it. */
export interface CheckStackInput {
  readonly state: StackState;
}

/** What the client records on a create workflow, readable by `describe` even while no worker runs. */
export interface StackMemo {
  readonly stackId: string;
  /** The tenant the stack belongs to, carried by every action's run so a listing reads it from any; absent means DEFAULT_TENANT. */
  readonly tenant?: string;
  /** Names of the stack's wait condition handles: signals to any other name are refused. */
  readonly handles: string[];
  /** Signals each handle takes at most (see signalLimits); absent in stacks created before there were limits. */
  readonly signalLimits?: Record<string, number>;
  /** A nested stack's parent stack: listings leave nested stacks out unless asked. */
  readonly parent?: string;
  /** Written by the workflow: handles that take no more signals, because their waits are over or they reached their limit. */
  readonly closedHandles?: Record<string, HandleClosed>;
}

export type HandleClosed = 'waited' | 'limit';

/** The memo key the create workflow upserts closedHandles under. */
export const CLOSED_HANDLES_MEMO = 'closedHandles';

/** The plan's wait condition handles: the resources that take signals. */
export function waitHandles(plan: StackPlan): string[] {
  return Object.keys(plan.resources).filter((name) => runsOf(plan.resources[name]!).signals === 'handle');
}

/** A signal count no wait needs, however many of its servers retry: a handle takes max(this, 10 × count). */
const MIN_SIGNAL_LIMIT = 100;

function waitCount(properties: JsonObject): number | undefined {
  const count = Number(properties.count ?? properties.Count ?? 1);
  return Number.isFinite(count) && count >= 0 ? count : undefined;
}

/**
 * How many signals each handle takes: far above what its waits count, so that servers which retry are
 * not refused, but bounded, so that no token holder can grow the stack's history without end. A handle
 * whose wait's count is only known at run time (computed from another resource) has no limit.
 */
export function signalLimits(plan: StackPlan): Record<string, number> {
  const limits: Record<string, number> = {};
  const unknown = new Set<string>();
  for (const [name, resource] of Object.entries(plan.resources)) {
    const signals = runsOf(resource).signals;
    if (signals === 'handle') limits[name] ??= MIN_SIGNAL_LIMIT;
    if (signals !== 'condition') continue;
    const count = waitCount(resource.properties);
    for (const handle of resource.requires.filter((r) => plan.resources[r] && runsOf(plan.resources[r]).signals === 'handle')) {
      if (count === undefined) unknown.add(handle);
      else limits[handle] = Math.max(limits[handle] ?? MIN_SIGNAL_LIMIT, 10 * count);
    }
  }
  for (const handle of unknown) delete limits[handle];
  return limits;
}

/** A signal to a wait condition handle, from the gateway (a server's curl) or `stoke stack signal`. */
export interface HandleSignal {
  /** The stack the signal was issued for: a signal meant for an earlier stack of the same name is ignored. */
  readonly stackId: string;
  readonly handle: string;
  readonly status: 'SUCCESS' | 'FAILURE';
  readonly reason?: string;
  readonly data?: Json;
  /** Heat's UniqueId / id: a repeated id replaces the earlier signal instead of counting again. */
  readonly id?: string;
  /**
   * The copy of the handle whose credentials signed it ('' for a first copy); absent when sent with Temporal
   * access (`stack signal`), which means the current copy.
   */
  readonly copy?: string;
}

export const handleSignal = defineSignal<[HandleSignal]>('handleSignal');

/** `stoke stack cancel` (or a delete) of a create in progress: whether the create then rolls back. */
export interface CancelStackRequest {
  readonly rollback: boolean;
}

export const cancelStackSignal = defineSignal<[CancelStackRequest]>('cancelStack');

/** Input of updateStack: the stack as its last action left it, and the plan of the template it is to match. */
export interface UpdateStackInput {
  readonly state: StackState;
  readonly plan: StackPlan;
  /** The plan the stack was brought to last (by its create or an update): what a failed update rolls back to. */
  readonly previous?: StackPlan;
  /** What `plan` and `previous` were made from, for `stack update --existing`; absent when the client had none. */
  readonly source?: StackSource;
  readonly previousSource?: StackSource;
}

/** Input of markResourceUnhealthy: the stack as its last action left it, and the mark of one of its resources. */
export interface MarkUnhealthyInput {
  readonly state: StackState;
  readonly resource: string;
  /** Shown as the resource's status reason; a default one when empty. */
  readonly reason: string;
  /** The mark taken back (`--reset`): the resource is CHECK_COMPLETE, and an update keeps it again. */
  readonly healthy: boolean;
}

/** Input of signalResource: the stack as its last action left it, the plan it was brought to, and the policy signalled. */
export interface SignalResourceInput {
  readonly state: StackState;
  readonly plan: StackPlan;
  readonly resource: string;
  /** The signal's body, as sent (recorded in the history). */
  readonly data?: Json;
}

export interface DeleteStackInput {
  /** The stack as its last action left it. */
  readonly state: StackState;
}

/** The ApplicationFailure type a workflow ends with when the stack action failed; its details hold the StackState. */
export const STACK_FAILED = 'StackActionFailed';
