/**
 * P3: from a server's signal HTTP request to the start of the resource that waited for it, over 50
 * signals (one stack each). Times come from the Temporal history of each stack: when the signal was
 * recorded, and when a worker started the dependent resource's create activity.
 */
import { Client, Connection } from '@temporalio/client';
import { temporalAddress } from '../src/config';
import { stackWorkflowId } from '../workflows/definitions';
import { createWaiting, finalState, HEAT_WAIT, localHandle, percentile, startBench, table } from './support';

const SIGNALS = Number(process.env.BENCH_SIGNALS ?? 50);

const millis = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;

async function run(): Promise<void> {
  const bench = await startBench('wait-signal');
  const connection = await Connection.connect({ address: temporalAddress(bench.config) });
  const temporal = new Client({ connection, namespace: bench.config.namespace });
  const toSignaled: number[] = [];
  const toStart: number[] = [];
  try {
    for (let i = 0; i < SIGNALS; i++) {
      const stack = `bench-wait-${process.pid}-${i}`;
      const { url, token } = localHandle(bench, await createWaiting(bench, stack, HEAT_WAIT));
      const sent = Date.now();
      const response = await fetch(url, { method: 'POST', headers: { 'X-Auth-Token': token }, body: '{"status": "SUCCESS"}' });
      if (response.status !== 200) throw new Error(`signal ${i}: HTTP ${response.status} ${await response.text()}`);
      const state = await finalState(bench, stack);
      if (state.status !== 'CREATE_COMPLETE') throw new Error(`${stack}: ${state.status} ${state.statusReason}`);
      const { events } = await temporal.workflow.getHandle(stackWorkflowId(stack)).fetchHistory();
      const signaled = events!.find((e) => e.workflowExecutionSignaledEventAttributes);
      // The handle's create is the first activity; the dependent's is the second.
      const started = events!.filter((e) => e.activityTaskStartedEventAttributes)[1];
      toSignaled.push(millis(signaled!.eventTime) - sent);
      toStart.push(millis(started!.eventTime) - sent);
      await bench.client.delete(stack);
      await finalState(bench, stack);
    }
  } finally {
    await connection.close();
    await bench.close();
  }
  const row = (what: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return [what, sorted.length, percentile(sorted, 50).toFixed(1), percentile(sorted, 95).toFixed(1), sorted[sorted.length - 1]!.toFixed(1)];
  };
  console.log(`P3 wait condition signal latency (${SIGNALS} signals, one stack each; target median <= 200 ms)\n`);
  console.log(table(['from the HTTP request to', 'n', 'median ms', 'p95 ms', 'max ms'], [
    row('signal recorded in history', toSignaled),
    row('dependent resource started', toStart),
  ]));
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
