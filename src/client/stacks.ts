/**
 * Stack names, statuses and the listing rule, free of Temporal's SDK: `stoke stack list` reads
 * visibility over Temporal's HTTP API with these alone, so it starts without loading the gRPC client
 * and its protobuf tables, which take most of a cold start. The client's gRPC listing shares the rule.
 */
import * as http from 'node:http';
import { temporalHttpAddress, type StokeConfig } from '../config';
import { StokeError } from '../errors';
import type { StackStatus } from '../template/types';

/** Heat's rule for stack names, which also keeps workflow ids and Docker names clean. */
const STACK_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$/;

export function checkStackName(name: string): void {
  if (!STACK_NAME.test(name)) {
    throw new StokeError('InvalidStackName', `invalid stack name '${name}': it must start with a letter and contain only letters, digits, '_', '-' and '.'`);
  }
}

const FINAL: readonly StackStatus[] = [
  'CREATE_COMPLETE', 'CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_COMPLETE', 'DELETE_FAILED',
  'SUSPEND_COMPLETE', 'SUSPEND_FAILED', 'RESUME_COMPLETE', 'RESUME_FAILED', 'CHECK_COMPLETE', 'CHECK_FAILED', 'ADOPT_COMPLETE', 'ADOPT_FAILED',
];
export const isFinal = (status: StackStatus) => FINAL.includes(status);

/**
 * A workflow terminated, cancelled or timed out by hand or by its timeout never recorded its
 * final status; the stack is then failed in the action it was doing.
 */
export const INTERRUPTED = ['TERMINATED', 'CANCELLED', 'TIMED_OUT'];
const FAILED_BY_ACTION: Readonly<Record<string, StackStatus>> = {
  deleteStack: 'DELETE_FAILED', abandonStack: 'DELETE_FAILED', adoptStack: 'ADOPT_FAILED', suspendStack: 'SUSPEND_FAILED', resumeStack: 'RESUME_FAILED', checkStack: 'CHECK_FAILED', updateStack: 'UPDATE_FAILED',
  markResourceUnhealthy: 'CHECK_FAILED', signalResource: 'UPDATE_FAILED',
};
export const interruptedStatus = (action: string): StackStatus => FAILED_BY_ACTION[action] ?? 'CREATE_FAILED';

export const STACK_ACTIONS_QUERY = ['createStack', 'adoptStack', 'deleteStack', 'abandonStack', 'suspendStack', 'resumeStack', 'checkStack', 'updateStack', 'markResourceUnhealthy', 'signalResource']
  .map((type) => `WorkflowType = '${type}'`).join(' OR ');

export interface StackSummary {
  readonly name: string;
  /** The tenant its newest action's memo names; absent where the listing did not open memos. */
  readonly tenant?: string;
  readonly status: string;
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
  /** A nested stack's parent stack. */
  readonly parent?: string;
}

/** One stack action as visibility reports it, in the form both of Temporal's APIs reduce to. */
export interface ActionRecord {
  /** The StackName and StackStatus search attributes. */
  readonly stackName?: string;
  readonly stackStatus?: string;
  readonly action: string;
  /** The workflow's own status: RUNNING, COMPLETED, TERMINATED… */
  readonly workflowStatus: string;
  readonly startTime?: Date;
  readonly updatedAt?: Date;
  readonly tenant?: string;
  /** The parent stack, for an action its parent's action ran as a child workflow. */
  readonly parent?: string;
}

/** The stack whose action started this one as a child workflow: a nested stack's parent. */
export function parentStack(parentWorkflowId: string | null | undefined): string | undefined {
  return parentWorkflowId?.startsWith('stack:') ? parentWorkflowId.slice('stack:'.length) : undefined;
}

const CREATES = ['createStack', 'adoptStack'];

/**
 * Each stack's newest action, by name; deleted stacks left out unless `deleted`, nested ones unless `nested`.
 * Its creation is the start of the create (or adopt) that made the stack as it is, the newest one: a name
 * deleted and created again is a new stack. Where retention dropped that create, its oldest action kept stands in.
 */
export function newestPerStack(records: Iterable<ActionRecord>, { deleted = false, nested = false }: { deleted?: boolean; nested?: boolean } = {}): StackSummary[] {
  const newest = new Map<string, StackSummary & { started: number }>();
  const created = new Map<string, Date>();
  const oldest = new Map<string, Date>();
  for (const record of records) {
    if (!record.stackName || !record.startTime) continue;
    const name = record.stackName;
    if (CREATES.includes(record.action) && record.startTime > (created.get(name) ?? new Date(0))) created.set(name, record.startTime);
    if (!oldest.has(name) || record.startTime < oldest.get(name)!) oldest.set(name, record.startTime);
    const started = record.startTime.getTime();
    const known = newest.get(name);
    if (known && known.started >= started) continue;
    newest.set(name, {
      name,
      ...(record.tenant === undefined ? {} : { tenant: record.tenant }),
      ...(record.parent === undefined ? {} : { parent: record.parent }),
      status: INTERRUPTED.includes(record.workflowStatus) ? interruptedStatus(record.action) : record.stackStatus ?? 'UNKNOWN',
      updatedAt: record.updatedAt ?? record.startTime,
      started,
    });
  }
  return [...newest.values()]
    .filter((stack) => (deleted || stack.status !== 'DELETE_COMPLETE') && (nested || stack.parent === undefined))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ started: _started, ...summary }) => ({ ...summary, createdAt: created.get(summary.name) ?? oldest.get(summary.name)! }));
}

/** What the HTTP API gives for one execution (JSON of the gRPC message; payloads as base64). */
interface HttpExecution {
  type?: { name?: string };
  status?: string;
  startTime?: string;
  closeTime?: string;
  executionTime?: string;
  searchAttributes?: { indexedFields?: Record<string, { data?: string }> };
  parentExecution?: { workflowId?: string };
}

/** A keyword search attribute's value: base64 of its JSON. */
function keyword(execution: HttpExecution, name: string): string | undefined {
  const data = execution.searchAttributes?.indexedFields?.[name]?.data;
  if (!data) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

const date = (text: string | undefined) => (text ? new Date(text) : undefined);

/** One GET of the HTTP API: its JSON, or undefined when the API is not there to answer. */
function getJson(url: URL, timeoutMs: number): Promise<unknown | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs, headers: { accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => resolve(undefined));
      response.on('end', () => {
        if (response.statusCode !== 200) return resolve(undefined);
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          resolve(undefined);
        }
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/**
 * The stacks, read from Temporal's HTTP API; undefined when it does not answer (a server without it,
 * a port not published, any refusal), and the caller then asks over gRPC, which reports errors well.
 */
export async function listStacksOverHttp(config: StokeConfig, { nested = false, deleted = false, timeoutMs = 1500 }: { nested?: boolean; deleted?: boolean; timeoutMs?: number } = {}): Promise<StackSummary[] | undefined> {
  const address = temporalHttpAddress(config);
  let base: URL;
  try {
    base = new URL(`http://${address}/api/v1/namespaces/${encodeURIComponent(config.namespace)}/workflows`);
  } catch {
    throw new StokeError('TemporalHttpAddressInvalid', `Temporal's HTTP API address '${address}' is not a host:port: set TEMPORAL_HTTP_ADDRESS to one, such as 127.0.0.1:7243`);
  }
  const records: ActionRecord[] = [];
  let nextPageToken: string | undefined;
  do {
    const url = new URL(base);
    url.searchParams.set('query', STACK_ACTIONS_QUERY);
    if (nextPageToken) url.searchParams.set('nextPageToken', nextPageToken);
    const page = (await getJson(url, timeoutMs)) as { executions?: HttpExecution[]; nextPageToken?: string } | undefined;
    if (!page || typeof page !== 'object') return undefined;
    for (const execution of page.executions ?? []) {
      records.push({
        stackName: keyword(execution, 'StackName'),
        stackStatus: keyword(execution, 'StackStatus'),
        action: execution.type?.name ?? '',
        workflowStatus: (execution.status ?? '').replace(/^WORKFLOW_EXECUTION_STATUS_/, ''),
        startTime: date(execution.startTime),
        updatedAt: date(execution.closeTime) ?? date(execution.executionTime),
        parent: parentStack(execution.parentExecution?.workflowId),
      });
    }
    nextPageToken = page.nextPageToken || undefined;
  } while (nextPageToken);
  return newestPerStack(records, { nested, deleted });
}
