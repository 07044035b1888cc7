/** Stack actions and reads through Temporal: the only store of stack state. */
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import { tsToDate } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import {
  STACK_FAILED,
  stackNameKey,
  stackStateQuery,
  stackStatusKey,
  stackWorkflowId,
  type CreateStackInput,
  type DeleteStackInput,
} from '../workflows/definitions';
import { dataConverter } from './codec';
import { temporalAddress, type StokeConfig } from './config';
import { StokeError } from './errors';
import type { StackPlan, StackState, StackStatus } from './template/types';

/** Heat's rule for stack names, which also keeps workflow ids and Docker names clean. */
const STACK_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$/;

export function checkStackName(name: string): void {
  if (!STACK_NAME.test(name)) {
    throw new StokeError('InvalidStackName', `invalid stack name '${name}': it must start with a letter and contain only letters, digits, '_', '-' and '.'`);
  }
}

export interface StackSummary {
  readonly name: string;
  readonly status: string;
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
}

type Latest = { action: 'createStack' | 'deleteStack'; running: boolean; runId: string; closedAs: string };

/**
 * A workflow terminated, cancelled or timed out by hand or by its timeout never recorded its
 * final status; the stack is then failed in the action it was doing.
 */
const INTERRUPTED = ['TERMINATED', 'CANCELLED', 'TIMED_OUT'];
const interruptedStatus = (action: string): StackStatus => (action === 'deleteStack' ? 'DELETE_FAILED' : 'CREATE_FAILED');

const FINAL: readonly StackStatus[] = ['CREATE_COMPLETE', 'CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_COMPLETE', 'DELETE_FAILED'];
export const isFinal = (status: StackStatus) => FINAL.includes(status);

export class StackClient {
  private constructor(private readonly connection: Connection, private readonly client: Client, private readonly config: StokeConfig) {}

  static async connect(config: StokeConfig): Promise<StackClient> {
    const address = temporalAddress(config);
    let connection: Connection;
    try {
      connection = await Connection.connect({ address, connectTimeout: 5000 });
      await connection.workflowService.getSystemInfo({});
    } catch (err) {
      throw new StokeError('TemporalUnreachable',
        `cannot reach Temporal at ${address} (${(err as Error).message.split('\n')[0]}): start the embedded one with \`stoke dev\`, or set TEMPORAL_ADDRESS`);
    }
    return new StackClient(connection, new Client({ connection, namespace: config.namespace, dataConverter: dataConverter(config) }), config);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private async latest(name: string): Promise<Latest | undefined> {
    checkStackName(name);
    try {
      const desc = await this.client.workflow.getHandle(stackWorkflowId(name)).describe();
      return { action: desc.type as Latest['action'], running: desc.status.name === 'RUNNING', runId: desc.runId, closedAs: desc.status.name };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** Starts a create; refused while any action runs on the stack or while the stack exists. */
  async create(plan: StackPlan): Promise<void> {
    const latest = await this.latest(plan.name);
    if (latest?.running) throw new StokeError('StackBusy', `stack '${plan.name}' has an action in progress (${latest.action}); wait for it to finish`);
    if (latest) {
      const state = await this.state(plan.name);
      if (state.status !== 'DELETE_COMPLETE') {
        throw new StokeError('StackExists', `stack '${plan.name}' already exists (${state.status}); delete it first with \`stoke stack delete ${plan.name}\``);
      }
    }
    const input: CreateStackInput = { plan };
    try {
      await this.client.workflow.start('createStack', {
        workflowId: stackWorkflowId(plan.name),
        taskQueue: this.config.taskQueue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [{ key: stackNameKey, value: plan.name }, { key: stackStatusKey, value: 'CREATE_IN_PROGRESS' }],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new StokeError('StackBusy', `stack '${plan.name}' has an action in progress; wait for it to finish`);
      throw err;
    }
  }

  /** Starts a delete of whatever the stack's last action left. */
  async delete(name: string): Promise<void> {
    const latest = await this.latest(name);
    if (!latest) throw new StokeError('StackNotFound', `stack '${name}' not found`);
    if (latest.running) throw new StokeError('StackBusy', `stack '${name}' has an action in progress (${latest.action}); wait for it to finish`);
    const state = await this.state(name);
    if (state.status === 'DELETE_COMPLETE') throw new StokeError('StackNotFound', `stack '${name}' not found (already deleted)`);
    const input: DeleteStackInput = { state };
    try {
      await this.client.workflow.start('deleteStack', {
        workflowId: stackWorkflowId(name),
        taskQueue: this.config.taskQueue,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        typedSearchAttributes: [{ key: stackNameKey, value: name }, { key: stackStatusKey, value: 'DELETE_IN_PROGRESS' }],
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new StokeError('StackBusy', `stack '${name}' has an action in progress; wait for it to finish`);
      throw err;
    }
  }

  /** Live state of a running action (a query), or the outcome recorded in the last action's history. */
  async state(name: string): Promise<StackState> {
    const latest = await this.latest(name);
    if (!latest) throw new StokeError('StackNotFound', `stack '${name}' not found`);
    const handle = this.client.workflow.getHandle(stackWorkflowId(name), latest.runId);
    if (latest.running) return handle.query(stackStateQuery);
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
      throw new StokeError('StackUnknown', `stack '${name}': its last action (${latest.action}) ended without a recorded state: ${(err as Error).message}`);
    }
  }

  /**
   * Stacks that exist, from Temporal visibility: the newest action per stack name. Read from the raw
   * listing, which the SDK's would decode memos with this process's key: one workflow in the
   * namespace sealed with another key would then fail the whole list.
   */
  async list(): Promise<StackSummary[]> {
    const newest = new Map<string, StackSummary & { started: number }>();
    const keyword = (fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined, key: string): string | undefined => {
      const data = fields?.[key]?.data;
      return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as string) : undefined;
    };
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.connection.workflowService.listWorkflowExecutions({
        namespace: this.config.namespace, query: `WorkflowType = 'createStack' OR WorkflowType = 'deleteStack'`, nextPageToken,
      });
      for (const wf of page.executions) {
        const fields = wf.searchAttributes?.indexedFields;
        const name = keyword(fields, stackNameKey.name);
        if (!name || !wf.startTime) continue;
        const startTime = tsToDate(wf.startTime);
        const started = startTime.getTime();
        const known = newest.get(name);
        if (known && known.started >= started) continue;
        const closedAs = temporal.api.enums.v1.WorkflowExecutionStatus[wf.status ?? 0]?.replace('WORKFLOW_EXECUTION_STATUS_', '') ?? '';
        newest.set(name, {
          name,
          status: INTERRUPTED.includes(closedAs) ? interruptedStatus(wf.type?.name ?? '') : keyword(fields, stackStatusKey.name) ?? 'UNKNOWN',
          createdAt: startTime,
          updatedAt: wf.closeTime ? tsToDate(wf.closeTime) : startTime,
          started,
        });
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return [...newest.values()]
      .filter((stack) => stack.status !== 'DELETE_COMPLETE')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(({ started: _started, ...summary }) => summary);
  }

  /** Polls the stack until its action ends, calling `onChange` with every new state. */
  async wait(name: string, onChange: (state: StackState) => void, intervalMs = 500): Promise<StackState> {
    for (;;) {
      const latest = await this.latest(name);
      const state = await this.state(name);
      onChange(state);
      if (!latest?.running) return state;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
