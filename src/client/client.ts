/** Stack actions and reads through Temporal: the only store of stack state. */
import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  isGrpcServiceError,
  QueryNotRegisteredError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { decodeFromPayloadsAtIndex, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import type { LoadedDataConverter } from '@temporalio/common/lib/converter/data-converter';
import {
  actionSummary,
  cancelStackSignal,
  signalLimits,
  STACK_FAILED,
  stackEventsQuery,
  stackNameKey,
  stackStateQuery,
  stackStatusKey,
  stackWorkflowId,
  waitHandles,
  type AbandonStackInput,
  type AdoptedResource,
  type AdoptStackInput,
  type CreateStackInput,
  type DeleteStackInput,
  type SuspendStackInput,
  type CheckStackInput,
  type UpdateStackInput,
  type MarkUnhealthyInput,
  type SignalResourceInput,
  type StackMemo,
} from '../../workflows/definitions';
import { runsOf } from '../../workflows/legacy';
import { PAYLOAD_REFUSED } from '../../workflows/refused';
import { abandonData, type AbandonData } from './abandon';
import { currentRuns, type EventSource } from './events';
import { describeWaits, sendHandleSignal, type SignalRequest } from './signals';
import { dataConverter } from './codec';
import { DEFAULT_TENANT, temporalAddress, type StokeConfig } from '../config';
import { StokeError } from '../errors';
import { checkStackName, INTERRUPTED, interruptedStatus, newestPerStack, parentStack, STACK_ACTIONS_QUERY, type ActionRecord, type StackSummary } from './stacks';
import { MASK, redactState } from '../template/redact';
import type { Json, StackPlan, StackSource, StackState, StackStatus } from '../template/types';

/** The plan a stack was last brought to, and what it was made from (absent in stacks of an older stoke). */
export interface StackInputs {
  readonly plan: StackPlan;
  readonly source?: StackSource;
}

/** One run of a stack's workflow id: one action, as the server describes it without any payload. */
type Latest = {
  action: 'createStack' | 'adoptStack' | 'deleteStack' | 'abandonStack' | 'suspendStack' | 'resumeStack' | 'checkStack' | 'updateStack' | 'markResourceUnhealthy'
    | 'signalResource';
  running: boolean; runId: string; closedAs: string; startTime?: Date; closeTime?: Date;
  /** The stack's tenant, from the run's memo; undefined when the memo cannot be opened. */
  tenant?: string;
  /** The activities the run is in, with their last heartbeats (still sealed by the codec). */
  pending?: temporal.api.workflow.v1.IPendingActivityInfo[];
};

/** An image a container's activity is pulling, as its last heartbeat told: bytes summed over the layers seen so far. */
export interface ImagePull {
  readonly resource: string;
  readonly image: string;
  readonly downloaded: number;
  readonly size: number;
  readonly layers: number;
  readonly layersDone: number;
}

/**
 * The states a stack may be suspended or resumed from (Heat's rules, plus retrying a failed attempt). A
 * check leaves a suspended stack CHECK_*, so both are allowed after one: pausing what is paused and
 * unpausing what runs change nothing.
 */
const SUSPENDABLE: readonly StackStatus[] = ['CREATE_COMPLETE', 'ADOPT_COMPLETE', 'UPDATE_COMPLETE', 'RESUME_COMPLETE', 'SUSPEND_FAILED', 'RESUME_FAILED', 'CHECK_COMPLETE', 'CHECK_FAILED'];
const RESUMABLE: readonly StackStatus[] = ['SUSPEND_COMPLETE', 'RESUME_FAILED', 'SUSPEND_FAILED', 'CHECK_COMPLETE', 'CHECK_FAILED'];
/** Heat checks a stack whatever its last action left, as long as none runs and it was not deleted. */
const CHECKABLE: readonly StackStatus[] = [
  'CREATE_COMPLETE', 'CREATE_FAILED', 'ADOPT_COMPLETE', 'ADOPT_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_FAILED',
  'SUSPEND_COMPLETE', 'SUSPEND_FAILED', 'RESUME_COMPLETE', 'RESUME_FAILED', 'CHECK_COMPLETE', 'CHECK_FAILED', 'UPDATE_COMPLETE', 'UPDATE_FAILED',
];
/**
 * A stack whose resources are running or failed can be brought to a new template; a failed update or rollback
 * is fixed by another (after a create's rollback, every resource is made anew). Not while suspended: a
 * replacement would start what the stack holds paused.
 */
const UPDATABLE: readonly StackStatus[] = [
  'CREATE_COMPLETE', 'CREATE_FAILED', 'ADOPT_COMPLETE', 'ADOPT_FAILED', 'UPDATE_COMPLETE', 'UPDATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'RESUME_COMPLETE', 'CHECK_COMPLETE', 'CHECK_FAILED',
];

/** The actions `stack cancel` (and a delete) can stop part-way. */
const CANCELLABLE: readonly Latest['action'][] = ['createStack', 'adoptStack', 'updateStack'];

/** Temporal's WorkflowExecutionStatus numbers, by the names `describe()` gives. */
const WORKFLOW_STATUS = ['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'];
const GRPC_NOT_FOUND = 5;

type Timestamp = { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;
const time = (t: Timestamp) =>
  t ? new Date(Number(typeof t.seconds === 'number' ? t.seconds : t.seconds?.toNumber() ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)) : undefined;

/** A create or an adopt: the actions that make a stack, cancelled by `stack cancel` and by a delete. */
/** An abandoned stack is forgotten: as a deleted one, but not even shown. */
const abandoned = (run: Latest) => run.action === 'abandonStack' && run.closedAs === 'COMPLETED';

function runOf(info: temporal.api.workflow.v1.IWorkflowExecutionInfo): Latest {
  const closedAs = WORKFLOW_STATUS[info.status ?? 0] ?? 'UNKNOWN';
  return {
    action: info.type?.name as Latest['action'], running: closedAs === 'RUNNING', runId: info.execution?.runId ?? '', closedAs,
    startTime: time(info.startTime), closeTime: time(info.closeTime),
  };
}

export class StackClient {
  private converter?: LoadedDataConverter;

  /** `scope`: the one tenant whose stacks this client sees; unset, it sees every tenant's (the CLI, an operator's tool). */
  private constructor(private readonly connection: Connection, private readonly client: Client, private readonly config: StokeConfig,
    private readonly withCodec: boolean, private readonly scope?: string) {}

  /** `withCodec` false: for listing alone, which reads search attributes only and so needs no key. */
  static async connect(config: StokeConfig, withCodec = true): Promise<StackClient> {
    const address = temporalAddress(config);
    let connection: Connection;
    try {
      connection = await Connection.connect({ address, connectTimeout: 5000 });
      await connection.workflowService.getSystemInfo({});
    } catch (err) {
      throw new StokeError('TemporalUnreachable',
        `cannot reach Temporal at ${address} (${(err as Error).message.split('\n')[0]}): start the embedded one with \`stoke dev\`, or set TEMPORAL_ADDRESS`);
    }
    return new StackClient(connection, new Client({ connection, namespace: config.namespace, dataConverter: withCodec ? dataConverter(config) : undefined }), config, withCodec);
  }

  /**
   * The same connection seeing only `tenant`'s stacks, as Heat's API shows a project's: another tenant's stack
   * is not found, and the stacks it creates are `tenant`'s. Names stay unique across tenants (one workflow id each).
   */
  forTenant(tenant: string): StackClient {
    return new StackClient(this.connection, this.client, { ...this.config, tenant }, this.withCodec, tenant);
  }

  private sees(tenant: string | undefined): boolean {
    return this.scope === undefined || tenant === this.scope;
  }

  /** The codec-sealing converter memos and inputs are opened with, loaded once per client. */
  private loadedConverter(): LoadedDataConverter {
    this.converter ??= loadDataConverter(dataConverter(this.config));
    return this.converter;
  }

  /** The tenant a run's memo names: DEFAULT_TENANT when it names none (a stoke before tenants), undefined when it cannot be opened. */
  private async tenantOf(memo: temporal.api.common.v1.IMemo | null | undefined): Promise<string | undefined> {
    const payload = memo?.fields?.tenant;
    if (!payload) return DEFAULT_TENANT;
    const tenant = await decodeFromPayloadsAtIndex<unknown>(this.loadedConverter(), 0, [payload]).catch(() => undefined);
    return typeof tenant === 'string' ? tenant : undefined;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private async pullsOf(pending: temporal.api.workflow.v1.IPendingActivityInfo[]): Promise<ImagePull[]> {
    const pulls: ImagePull[] = [];
    for (const activity of pending) {
      const payloads = activity.heartbeatDetails?.payloads;
      if (!payloads?.length) continue;
      const beat = await decodeFromPayloadsAtIndex<Record<string, unknown>>(this.loadedConverter(), 0, payloads).catch(() => undefined);
      if (typeof beat?.pulling !== 'string' || typeof beat.resource !== 'string') continue;
      const count = (key: string) => (typeof beat[key] === 'number' ? beat[key] : 0);
      pulls.push({ resource: beat.resource, image: beat.pulling, downloaded: count('downloaded'), size: count('size'), layers: count('layers'), layersDone: count('layersDone') });
    }
    return pulls;
  }

  /** The stack's newest run, when this client sees its tenant. */
  private async latest(name: string): Promise<Latest | undefined> {
    const latest = await this.latestOfAnyTenant(name);
    return latest && this.sees(latest.tenant) ? latest : undefined;
  }

  /** Described raw: the memo, sealed perhaps with a key this client lacks, is not needed to tell the action. */
  private async latestOfAnyTenant(name: string): Promise<Latest | undefined> {
    checkStackName(name);
    try {
      const { workflowExecutionInfo, pendingActivities } = await this.connection.workflowService.describeWorkflowExecution({
        namespace: this.config.namespace, execution: { workflowId: stackWorkflowId(name) },
      });
      return { ...runOf(workflowExecutionInfo ?? {}), tenant: await this.tenantOf(workflowExecutionInfo?.memo), pending: pendingActivities ?? [] };
    } catch (err) {
      if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) return undefined;
      throw err;
    }
  }

  /**
   * Starts a create, or with `adoption` an adopt (Heat's): the resources it names take the objects an abandoned
   * stack left, under that stack's id. Refused while any action runs on the stack or while the stack exists.
   * Returns the stack's id, known before any worker has run the action.
   */
  async create(plan: StackPlan, source?: StackSource, adoption?: { readonly stackId: string; readonly adopted: Record<string, AdoptedResource> }): Promise<string> {
    const latest = await this.latestOfAnyTenant(plan.name);
    // One workflow id per name: a name another tenant's stack holds is taken, though that stack is not shown here.
    const taken = () => new StokeError('StackExists', `stack name '${plan.name}' is taken by a stack of another tenant: stack names are unique across tenants`);
    if (latest?.running) {
      if (!this.sees(latest.tenant)) throw taken();
      throw new StokeError('StackBusy', `stack '${plan.name}' has an action in progress (${latest.action}); wait for it to finish`);
    }
    if (latest && !abandoned(latest)) {
      const state = await this.stateOf(plan.name, latest);
      if (state.status !== 'DELETE_COMPLETE') {
        if (!this.sees(latest.tenant)) throw taken();
        throw new StokeError('StackExists', `stack '${plan.name}' already exists (${state.status}); delete it first with \`stoke stack delete ${plan.name}\``);
      }
    }
    const stackId = adoption?.stackId ?? randomUUID();
    const input: CreateStackInput | AdoptStackInput = { plan, stackId, ...(source ? { source } : {}), ...(adoption ? { adopted: adoption.adopted } : {}) };
    const memo: StackMemo = { stackId, handles: waitHandles(plan), signalLimits: signalLimits(plan) };
    await this.launch(plan.name, adoption ? 'adoptStack' : 'createStack', input, adoption ? 'ADOPT_IN_PROGRESS' : 'CREATE_IN_PROGRESS', { memo, tenant: this.config.tenant });
    return stackId;
  }

  /**
   * Cancels the create or update in progress, as Heat's `stack cancel`: it then rolls back unless `rollback`
   * is false. Returns the action cancelled.
   */
  async cancel(name: string, rollback: boolean): Promise<'createStack' | 'adoptStack' | 'updateStack'> {
    const latest = await this.latest(name);
    if (!latest) throw new StokeError('StackNotFound', `stack '${name}' not found`);
    if (!(latest.running && CANCELLABLE.includes(latest.action) && await this.cancelAction(name, latest, rollback))) {
      const doing = latest.running && !CANCELLABLE.includes(latest.action) ? ` (its ${latest.action} is, which cannot be cancelled)` : '';
      throw new StokeError('StackStateInvalid', `stack '${name}' has no create, adopt or update in progress${doing}: nothing to cancel`);
    }
    return latest.action as 'createStack' | 'adoptStack' | 'updateStack';
  }

  /** Asks a running create or update to stop; false when it had already ended. */
  private async cancelAction(name: string, action: Latest, rollback: boolean): Promise<boolean> {
    try {
      await this.client.workflow.getHandle(stackWorkflowId(name), action.runId).signal(cancelStackSignal, { rollback });
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /**
   * Starts a delete of whatever the stack's last action left. A create or update in progress is cancelled
   * first, without rollback since the delete removes everything anyway, and awaited (`onCancel` is told which).
   */
  async delete(name: string, onCancel?: (action: string) => void): Promise<void> {
    let latest = await this.latest(name);
    if (!latest) throw new StokeError('StackNotFound', `stack '${name}' not found`);
    if (latest.running && CANCELLABLE.includes(latest.action)) {
      onCancel?.(latest.action.replace('Stack', ''));
      if (await this.cancelAction(name, latest, false)) {
        await this.client.workflow.getHandle(stackWorkflowId(name), latest.runId).result().catch(() => undefined);
      }
      latest = (await this.latest(name))!;
    }
    if (latest.running) throw new StokeError('StackBusy', `stack '${name}' has an action in progress (${latest.action}); wait for it to finish`);
    const state = await this.stateAt(name, latest);
    if (state.status === 'DELETE_COMPLETE') throw new StokeError('StackNotFound', `stack '${name}' not found (already deleted)`);
    const input: DeleteStackInput = { state };
    await this.launch(name, 'deleteStack', input, 'DELETE_IN_PROGRESS', { tenant: latest.tenant });
  }

  /**
   * Heat's abandon: the stack is forgotten, its resources left as they are, by an action of its own (so it is
   * refused while another runs). `keep` receives the data to adopt them with before the stack is forgotten.
   */
  async abandon(name: string, keep: (data: AbandonData) => void): Promise<void> {
    const latest = await this.latest(name);
    if (latest?.running) throw new StokeError('StackBusy', `stack '${name}' has an action in progress (${latest.action}); wait for it to finish`);
    const state = await this.state(name);
    if (state.status === 'DELETE_COMPLETE') throw new StokeError('StackNotFound', `stack '${name}' not found (deleted)`);
    keep(abandonData(state, (await this.current(name))?.plan));
    const input: AbandonStackInput = { state };
    await this.launch(name, 'abandonStack', input, 'DELETE_IN_PROGRESS', { wait: true, tenant: latest?.tenant });
  }

  /** Starts a suspend (containers paused), dependents first; Heat allows it on a complete stack. */
  async suspend(name: string): Promise<void> {
    await this.startAction(name, 'suspendStack', SUSPENDABLE, 'SUSPEND_IN_PROGRESS');
  }

  /** Starts a resume of a suspended stack, in creation order. */
  async resume(name: string): Promise<void> {
    await this.startAction(name, 'resumeStack', RESUMABLE, 'RESUME_IN_PROGRESS');
  }

  /**
   * Starts an update of the stack to a new plan: unchanged resources are kept, changed ones updated in place
   * or replaced. The plan the stack has now goes along, for a rollback, and both sources, for a later `--existing`.
   */
  async update(plan: StackPlan, source?: StackSource, current?: StackInputs): Promise<void> {
    const now = current ?? await this.current(plan.name);
    await this.startAction(plan.name, 'updateStack', UPDATABLE, 'UPDATE_IN_PROGRESS', {
      plan, ...(source ? { source } : {}), ...(now ? { previous: now.plan } : {}), ...(now?.source ? { previousSource: now.source } : {}),
    }, {
      // The signal gateway reads the update's memo, as a create's, to route signals to the waits it adds.
      memoOf: (state) => ({ stackId: state.id, handles: waitHandles(plan), signalLimits: signalLimits(plan) }),
    });
  }

  /**
   * The plan the stack was last brought to, and its source: no database holds them, the input of its last
   * create or update does (an update that rolled back left the stack at that update's `previous`).
   */
  async current(name: string): Promise<StackInputs | undefined> {
    const latest = await this.latest(name);
    const last = latest?.action === 'createStack' || latest?.action === 'adoptStack' || latest?.action === 'updateStack' ? latest : await this.lastPlanned(name);
    if (!last) return undefined;
    const history = await this.client.workflow.getHandle(stackWorkflowId(name), last.runId).fetchHistory();
    const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    const input = await decodeFromPayloadsAtIndex<CreateStackInput & Partial<UpdateStackInput>>(this.loadedConverter(), 0, payloads);
    const rolledBack = last.action === 'updateStack' && (await this.stateOf(name, last)).status === 'ROLLBACK_COMPLETE';
    const [plan, source] = rolledBack ? [input.previous, input.previousSource] : [input.plan, input.source];
    return plan && { plan, ...(source ? { source } : {}) };
  }

  /** Starts a check: every resource compared with what its engine holds; nothing is changed. */
  async check(name: string): Promise<void> {
    await this.startAction(name, 'checkStack', CHECKABLE, 'CHECK_IN_PROGRESS');
  }

  /**
   * Marks one resource unhealthy (CHECK_FAILED, with `reason`), so that the next update replaces it, or takes
   * the mark back (`healthy`); the stack keeps its status. Allowed whenever a check is.
   */
  async markUnhealthy(name: string, resource: string, reason: string, healthy: boolean): Promise<void> {
    const mark: Omit<MarkUnhealthyInput, 'state'> = { resource, reason, healthy };
    await this.startAction(name, 'markResourceUnhealthy', CHECKABLE, undefined, mark, {
      refuse: (state) => {
        if (!Object.hasOwn(state.resources, resource)) {
          throw new StokeError('ResourceNotFound', `stack '${name}' has no resource '${resource}' (it has: ${Object.keys(state.resources).sort().join(', ') || 'none'})`);
        }
      },
    });
  }

  /**
   * Heat's resource signal to a scaling policy: starts a scale of the group it names, a stack action of its own
   * (so it never races another, and survives crashes), from the plan the stack was last brought to.
   */
  async scale(name: string, resource: string, data?: Json, stackId?: string): Promise<void> {
    const now = await this.current(name);
    if (!now) throw new StokeError('StackStateInvalid', `stack '${name}' keeps no plan of its template: it cannot be scaled`);
    await this.startAction(name, 'signalResource', CHECKABLE, undefined, { plan: now.plan, resource, ...(data === undefined ? {} : { data }) }, {
      refuse: (state) => {
        // A URL of an earlier stack of the same name scales nothing.
        if (stackId !== undefined && state.id !== stackId) throw new StokeError('StackNotFound', `stack '${name}' with id ${stackId} not found`);
        const target = state.resources[resource];
        if (!target) throw new StokeError('ResourceNotFound', `stack '${name}' has no resource '${resource}' (it has: ${Object.keys(state.resources).sort().join(', ') || 'none'})`);
        if (runsOf(target).signals !== 'scale') throw new StokeError('SignalNotSupported', `resource '${resource}' (${target.type}) takes no scaling signal: signal wait condition handles with \`stoke stack signal\``);
      },
      memoOf: (state) => ({ stackId: state.id, handles: waitHandles(now.plan), signalLimits: signalLimits(now.plan) }),
    });
  }

  /** The stack's state when an update could start now (what `stack update --dry-run` compares with); refused as the update would be. */
  async updatable(name: string): Promise<StackState> {
    return (await this.startable(name, 'update', UPDATABLE)).state;
  }

  /** The state an action starts from, and the run it follows, whose tenant it carries on. */
  private async startable(name: string, verb: string, allowed: readonly StackStatus[]): Promise<{ state: StackState; latest: Latest }> {
    const latest = await this.latest(name);
    if (!latest) throw new StokeError('StackNotFound', `stack '${name}' not found`);
    if (latest.running) throw new StokeError('StackBusy', `stack '${name}' has an action in progress (${latest.action}); wait for it to finish`);
    const state = await this.state(name);
    if (state.status === 'DELETE_COMPLETE') throw new StokeError('StackNotFound', `stack '${name}' not found (deleted)`);
    if (!allowed.includes(state.status)) {
      throw new StokeError('StackStateInvalid', `stack '${name}' is ${state.status}: it can ${verb} only from ${allowed.join(', ')}`);
    }
    return { state, latest };
  }

  /**
   * `status` is the one the stack shows while the action runs; absent, it keeps its own. `refuse` may turn the
   * action down once the stack's state is read; `memoOf` gives the workflow's memo.
   */
  private async startAction(name: string, workflow: 'suspendStack' | 'resumeStack' | 'checkStack' | 'updateStack' | 'markResourceUnhealthy' | 'signalResource',
    allowed: readonly StackStatus[], status: StackStatus | undefined,
    more: Partial<UpdateStackInput> | Omit<MarkUnhealthyInput, 'state'> | Omit<SignalResourceInput, 'state'> = {},
    { refuse, memoOf }: { refuse?: (state: StackState) => void; memoOf?: (state: StackState) => StackMemo } = {}): Promise<void> {
    const verb = workflow === 'markResourceUnhealthy' ? 'mark a resource unhealthy' : workflow === 'signalResource' ? 'take a scaling signal' : workflow.replace('Stack', '');
    const { state, latest } = await this.startable(name, verb, allowed);
    refuse?.(state);
    const input: SuspendStackInput & CheckStackInput & (Partial<UpdateStackInput> | Omit<MarkUnhealthyInput, 'state'> | Omit<SignalResourceInput, 'state'>) = { state, ...more };
    await this.launch(name, workflow, input, status ?? state.status, { tenant: latest.tenant, ...(memoOf ? { memo: memoOf(state) } : {}) });
  }

  /**
   * Starts one action of the stack under the stack's workflow id, where a second action finds the first
   * running and is refused: two actions on one stack cannot race. `status` is what listings show meanwhile;
   * `wait` runs the action to its end. `tenant` goes into the memo of every run, so the newest one tells it.
   */
  private async launch(name: string, workflow: Latest['action'], input: unknown, status: StackStatus,
    { memo, wait, tenant }: { memo?: StackMemo; wait?: boolean; tenant: string | undefined }): Promise<void> {
    const options = {
      workflowId: stackWorkflowId(name),
      taskQueue: this.config.taskQueue,
      args: [input],
      ...(memo || tenant ? { memo: { ...memo, ...(tenant ? { tenant } : {}) } } : {}),
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [{ key: stackNameKey, value: name }, { key: stackStatusKey, value: status }],
      staticSummary: actionSummary(workflow, name),
    };
    try {
      if (wait) await this.client.workflow.execute(workflow, options);
      else await this.client.workflow.start(workflow, options);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new StokeError('StackBusy', `stack '${name}' has an action in progress; wait for it to finish`);
      throw err;
    }
  }

  /** The stack as a person may see it: `state` with hidden values masked. */
  async show(name: string): Promise<StackState> {
    return redactState(await this.state(name));
  }

  /**
   * Live state of a running action (a query), or the outcome recorded in the last action's history:
   * real values, what the next action starts from. Show people `show` instead.
   */
  async state(name: string): Promise<StackState> {
    return this.stateAt(name, await this.latest(name));
  }

  /** `state` of the action `latest` found, for callers that already described the stack's workflow. */
  private async stateAt(name: string, latest: Latest | undefined): Promise<StackState> {
    if (!latest) throw new StokeError('StackNotFound', `stack '${name}' not found`);
    if (abandoned(latest)) throw new StokeError('StackNotFound', `stack '${name}' not found (abandoned)`);
    return this.withIdentity(name, await this.stateOf(name, latest));
  }

  /**
   * Stacks created before hidden values were masked only for display recorded states masked in place,
   * where a hidden value could mangle the stack's own name and id; both are known for certain (the
   * workflow id, the create's memo), and resources are found by the id's labels when their own ids
   * were mangled. Other masked values stay masked: they were lost when that state was recorded.
   */
  private async withIdentity(name: string, state: StackState): Promise<StackState> {
    if (state.name === name && !state.id.includes(MASK)) return state;
    let stackId: string | undefined;
    try {
      stackId = ((await this.client.workflow.getHandle(stackWorkflowId(name)).describe()).memo as Partial<StackMemo> | undefined)?.stackId;
    } catch {
      // A memo this client cannot open: the recorded id is all there is.
    }
    return { ...state, name, id: stackId ?? state.id };
  }

  private async stateOf(name: string, latest: Latest): Promise<StackState> {
    const handle = this.client.workflow.getHandle(stackWorkflowId(name), latest.runId);
    if (latest.running) {
      try {
        return describeWaits(await handle.query(stackStateQuery));
      } catch (err) {
        // The action may have ended between the describe and the query: a refused one ends in its first task.
        const now = await this.latest(name);
        if (now?.runId === latest.runId && !now.running) return this.stateOf(name, now);
        throw err;
      }
    }
    if (INTERRUPTED.includes(latest.closedAs)) {
      // A query on a closed workflow replays its history, which still knows every resource made.
      const state = await handle.query(stackStateQuery);
      return { ...state, status: interruptedStatus(latest.action), statusReason: `the ${latest.action} workflow was ${latest.closedAs.toLowerCase().replace('_', ' ')}` };
    }
    try {
      return (await handle.result()) as StackState;
    } catch (err) {
      const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === STACK_FAILED && cause.details?.[0]) return cause.details[0] as StackState;
      if (cause instanceof ApplicationFailure && cause.type === PAYLOAD_REFUSED) return this.refusedState(name, latest, cause.message);
      if (StokeError.isStokeError(err)) throw err;
      throw new StokeError('StackUnknown', `stack '${name}': its last action (${latest.action}) ended without a recorded state: ${(err as Error).message}`);
    }
  }

  /**
   * The worker refused the action's input (see workflows/refused.ts) and did nothing: the stack is as
   * the action before left it (nothing, before a create), failed in this one, with the worker's reason.
   */
  private async refusedState(name: string, refused: Latest, reason: string): Promise<StackState> {
    const previous = refused.action === 'createStack' || refused.action === 'adoptStack' ? undefined : await this.runBefore(name, refused);
    const base = previous ? await this.stateOf(name, previous) : { name, id: '', resources: {}, outputs: {}, createdAt: refused.startTime?.toISOString() ?? '' };
    return { ...base, status: interruptedStatus(refused.action), statusReason: reason, updatedAt: refused.closeTime?.toISOString() ?? '' };
  }

  private async runBefore(name: string, run: Latest): Promise<Latest | undefined> {
    const runs = await this.allRuns(name);
    const started = run.startTime?.getTime() ?? Infinity;
    return runs.filter((r) => (r.startTime?.getTime() ?? 0) < started).sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0))[0];
  }

  /** Every run of the stack's workflow id, from visibility (which may lag a moment behind `latest`). */
  private async allRuns(name: string): Promise<Latest[]> {
    const runs: Latest[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.connection.workflowService.listWorkflowExecutions({
        namespace: this.config.namespace, query: `WorkflowId = '${stackWorkflowId(name)}'`, nextPageToken,
      });
      runs.push(...(page.executions ?? []).map(runOf));
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return runs;
  }

  /** Where the stack's events are read: its actions' runs, each answering the stackEvents query. */
  events(name: string): EventSource {
    return {
      runs: async () => {
        const latest = await this.latest(name);
        if (!latest) throw new StokeError('StackNotFound', `stack '${name}' not found`);
        // The described run is current where the listing may not be yet: only it can be running.
        return currentRuns([...(await this.allRuns(name)).filter((r) => r.runId !== latest.runId).map((r) => ({ ...r, running: false })), latest]);
      },
      page: async (runId, request) => {
        try {
          return await this.client.workflow.getHandle(stackWorkflowId(name), runId).query(stackEventsQuery, request);
        } catch (err) {
          // An action that ended before its first event (its input refused) recorded none.
          if (err instanceof QueryNotRegisteredError) return { events: [], more: false };
          throw err;
        }
      },
    };
  }

  /** The newest create or update of the stack, when a suspend, resume or check came after it (visibility, which may lag a moment). */
  private async lastPlanned(name: string): Promise<Latest | undefined> {
    const page = await this.connection.workflowService.listWorkflowExecutions({
      namespace: this.config.namespace, query: `WorkflowId = '${stackWorkflowId(name)}' AND (WorkflowType = 'createStack' OR WorkflowType = 'adoptStack' OR WorkflowType = 'updateStack')`,
    });
    return (page.executions ?? []).map(runOf).sort((a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0))[0];
  }

  /** Signals a wait condition handle straight through Temporal, as the gateway does for a server's request. */
  async signal(name: string, request: SignalRequest): Promise<void> {
    checkStackName(name);
    if (this.scope !== undefined && !(await this.latest(name))) throw new StokeError('StackNotFound', `stack '${name}' not found`);
    await sendHandleSignal(this.client, name, request);
  }

  /**
   * Stacks that exist (with `deleted`, deleted ones too), from Temporal visibility: the newest action per stack
   * name. A client without its codec reads search attributes only, so a stack whose data it cannot decode
   * (encrypted under another key) is still listed; one with it also reads each stack's tenant from the memo,
   * and a tenant's client (or `allTenants`) lists that tenant's stacks alone.
   */
  async list({ deleted, allTenants, nested }: { deleted?: boolean; allTenants?: boolean; nested?: boolean } = {}): Promise<StackSummary[]> {
    const records: ActionRecord[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.connection.workflowService.listWorkflowExecutions({ namespace: this.config.namespace, query: STACK_ACTIONS_QUERY, nextPageToken });
      for (const wf of page.executions ?? []) {
        const attributes = decodeTypedSearchAttributes(wf.searchAttributes?.indexedFields);
        records.push({
          stackName: attributes.get(stackNameKey),
          stackStatus: attributes.get(stackStatusKey),
          action: wf.type?.name ?? '',
          workflowStatus: WORKFLOW_STATUS[wf.status ?? 0] ?? 'UNKNOWN',
          startTime: time(wf.startTime),
          updatedAt: time(wf.closeTime) ?? time(wf.executionTime),
          ...(this.withCodec ? { tenant: await this.tenantOf(wf.memo) } : {}),
          parent: parentStack(wf.parentExecution?.workflowId),
        });
      }
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return newestPerStack(records, { deleted, nested }).filter((stack) => allTenants || this.sees(stack.tenant));
  }

  /**
   * Each stack's id by name, from the memo its newest create, adopt or update carries (visibility, so one
   * listing serves every stack, where `state` costs round trips each). Deleted stacks keep the id they had;
   * stacks whose memo this client cannot open (sealed under another key) are left out.
   */
  async stackIds({ allTenants }: { allTenants?: boolean } = {}): Promise<Map<string, string>> {
    const converter = this.loadedConverter();
    const newest = new Map<string, { id: string; started: number }>();
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.connection.workflowService.listWorkflowExecutions({
        namespace: this.config.namespace, query: `WorkflowType = 'createStack' OR WorkflowType = 'adoptStack' OR WorkflowType = 'updateStack'`, nextPageToken,
      });
      for (const wf of page.executions ?? []) {
        const name = decodeTypedSearchAttributes(wf.searchAttributes?.indexedFields).get(stackNameKey);
        const started = time(wf.startTime)?.getTime() ?? 0;
        const known = name ? newest.get(name) : undefined;
        if (!name || (known && known.started >= started) || !(allTenants || this.sees(await this.tenantOf(wf.memo)))) continue;
        const id = await decodeFromPayloadsAtIndex<string>(converter, 0, [wf.memo?.fields?.stackId ?? {}]).catch(() => undefined);
        if (typeof id === 'string') newest.set(name, { id, started });
      }
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return new Map([...newest].map(([name, { id }]) => [name, id]));
  }

  /**
   * Polls the stack until its action ends, calling `onChange` with every new state as `show` gives it and the
   * image pulls its activities are in (a nested stack's own pulls are in its own workflow, not read here).
   */
  async wait(name: string, onChange: (state: StackState, pulls: ImagePull[]) => void, intervalMs = 500): Promise<StackState> {
    for (;;) {
      const latest = await this.latest(name);
      const state = await this.show(name);
      onChange(state, latest?.running ? await this.pullsOf(latest.pending ?? []) : []);
      if (!latest?.running) return state;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
