/**
 * A restarted worker takes over the activities its dead predecessor held. Temporal notices a dead worker
 * only when the heartbeat timeout of the activity it ran passes (20 s), and the stack waits that long. A
 * worker's identity names its process exactly (host, pid, the kernel's boot id, its pid namespace, its
 * start time), so a worker starting on the same machine can tell for certain that the process holding an
 * activity is gone, and fail that attempt: Temporal retries it at once, as it would after the timeout.
 * Nothing else changes: the retried attempt adopts what the dead one made, by its labels.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { dataConverter } from '../client/codec';
import { temporalAddress, type StokeConfig } from '../config';

/** What tells one process apart from any other, here and for as long as the machine runs. */
interface ProcessStamp {
  readonly pid: number;
  readonly host: string;
  readonly boot: string;
  readonly pidNamespace: string;
  readonly start: string;
}

/** The failure type of an attempt failed because the worker running it died. */
export const WORKER_DIED = 'WorkerDied';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/** A process's start time, in clock ticks since boot: with the pid, one process of this boot. */
function startOf(pid: number | 'self'): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces; starttime is the 20th field after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** This process's stamp, where /proc tells it (Linux); elsewhere none, and nothing is taken over. */
function ownStamp(): ProcessStamp | undefined {
  try {
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const pidNamespace = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1];
    const start = startOf('self');
    if (!pidNamespace || !start) return undefined;
    return { pid: process.pid, host: os.hostname(), boot, pidNamespace, start };
  } catch {
    return undefined;
  }
}

const IDENTITY = /^(\d+)@(\S+) \(process ([0-9a-f-]+):(\d+):(\d+)\)$/;

/** The worker's identity: the SDK's `pid@host`, and what makes the process certain. */
export function workerIdentity(stamp = ownStamp()): string {
  if (!stamp) return `${process.pid}@${os.hostname()}`;
  return `${stamp.pid}@${stamp.host} (process ${stamp.boot}:${stamp.pidNamespace}:${stamp.start})`;
}

/**
 * Whether the worker named `identity` is certainly dead: it ran on this host, since this boot, in this
 * pid namespace (so its pid means the same here), and that pid now runs no process or another one. Any
 * doubt (another machine, an identity of another form) leaves it to the heartbeat timeout.
 */
export function workerGone(identity: string, self = ownStamp(), startOfPid: (pid: number) => string | undefined = startOf): boolean {
  const m = IDENTITY.exec(identity);
  if (!m || !self) return false;
  const [, pid, host, boot, pidNamespace, start] = m;
  if (host !== self.host || boot !== self.boot || pidNamespace !== self.pidNamespace) return false;
  return startOfPid(Number(pid)) !== start;
}

/**
 * Fails every started activity, of the stacks running on this worker's task queue, whose worker is dead
 * (see workerGone), and moves those stacks' next workflow task off the dead worker's sticky queue. An
 * activity whose cancel was requested is left to its timeout: a rollback starts looking for what it made
 * only once it ended, and a dead worker's last request to an engine may still be landing.
 */
export async function takeOverDeadWorkers(config: StokeConfig, log: (message: string) => void): Promise<void> {
  const self = ownStamp();
  if (!self) return;
  const connection = await Connection.connect({ address: temporalAddress(config) });
  try {
    const client = new Client({ connection, namespace: config.namespace, dataConverter: dataConverter(config) });
    const queue = config.taskQueue.replace(/['\\]/g, '\\$&');
    const running = client.workflow.list({ query: `TaskQueue = '${queue}' AND ExecutionStatus = 'Running'` });
    for await (const { workflowId, runId } of running) {
      const { raw } = await client.workflow.getHandle(workflowId, runId).describe();
      const orphaned = (raw.pendingActivities ?? []).filter((a) => a.state === STARTED && workerGone(a.lastWorkerIdentity ?? '', self));
      for (const activity of orphaned) {
        // No backoff: the dead worker's last requests had this worker's whole start to land, as they had the timeout.
        const failure = ApplicationFailure.create({ message: `worker ${activity.lastWorkerIdentity} died while it ran this attempt`, type: WORKER_DIED, nextRetryDelay: '10 milliseconds' });
        // The attempt may have timed out meanwhile, and then there is nothing left to fail.
        await client.activity.fail({ workflowId, runId, activityId: activity.activityId! }, failure).then(
          () => log(`retrying ${activity.activityType?.name} ${activity.activityId} of ${workflowId}: its worker ${activity.lastWorkerIdentity} died`),
          (err: Error) => log(`could not take over ${activity.activityId} of ${workflowId}: ${err.message}`));
      }
      if (orphaned.length > 0) await connection.workflowService.resetStickyTaskQueue({ namespace: config.namespace, execution: { workflowId, runId } });
    }
  } finally {
    await connection.close();
  }
}
