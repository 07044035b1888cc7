/**
 * R5: the signal gateway under abuse. While a real wait is pending, 1000 bad requests (wrong tokens,
 * oversized and malformed bodies, unknown stacks, unknown handles), 50 at a time; each must get its
 * own 4xx. Then the real signal must still complete the stack, and the gateway must still answer.
 */
import { handleToken, loadSignalKey } from '../src/gateway/signal';
import { createWaiting, finalState, HEAT_WAIT, localHandle, percentile, startBench, table } from './support';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const CONCURRENCY = 50;

interface Abuse {
  readonly kind: string;
  readonly expected: number;
  readonly request: () => { url: string; init: RequestInit };
}

async function run(): Promise<void> {
  const bench = await startBench('gateway-abuse');
  const stack = `bench-abuse-${process.pid}`;
  const state = await createWaiting(bench, stack, HEAT_WAIT);
  const { url, token } = localHandle(bench, state);
  const key = loadSignalKey(bench.config);
  const base = url.slice(0, url.indexOf('/v1/'));
  const post = (target: string, body: string, auth: string): { url: string; init: RequestInit } =>
    ({ url: target, init: { method: 'POST', headers: { 'X-Auth-Token': auth }, body } });
  const oversized = JSON.stringify({ status: 'SUCCESS', data: 'x'.repeat(100 * 1024) });
  const abuses: Abuse[] = [
    { kind: 'wrong token', expected: 403, request: () => post(url, '{"status": "SUCCESS"}', `${token.slice(0, -4)}AAAA`) },
    { kind: 'no token', expected: 403, request: () => ({ url, init: { method: 'POST', body: '{"status": "SUCCESS"}' } }) },
    { kind: 'oversized body (100 KiB)', expected: 413, request: () => post(url, oversized, token) },
    { kind: 'malformed JSON', expected: 400, request: () => post(url, '{"status": "SUCC', token) },
    { kind: 'invalid status', expected: 400, request: () => post(url, '{"status": "DONE"}', token) },
    {
      kind: 'unknown stack (valid token)', expected: 404,
      request: () => post(`${base}/v1/signal/nostack/${state.id}/handle`, '{}', handleToken(key, 'nostack', state.id, 'handle')),
    },
    {
      kind: 'unknown handle (valid token)', expected: 404,
      request: () => post(`${base}/v1/signal/${stack}/${state.id}/nohandle`, '{}', handleToken(key, stack, state.id, 'nohandle')),
    },
  ];
  const results = new Map(abuses.map((a) => [a.kind, { statuses: new Map<string, number>(), ms: [] as number[] }]));
  let next = 0;
  const started = Date.now();
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < REQUESTS; i = next++) {
        const abuse = abuses[i % abuses.length]!;
        const { url: target, init } = abuse.request();
        const t0 = Date.now();
        let status: string;
        try {
          const response = await fetch(target, init);
          await response.text();
          status = String(response.status);
        } catch (err) {
          status = `error: ${(err as Error).message}`;
        }
        const result = results.get(abuse.kind)!;
        result.ms.push(Date.now() - t0);
        result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
      }
    }));
    const abuseSeconds = (Date.now() - started) / 1000;
    const stillWaiting = (await bench.client.state(stack)).status === 'CREATE_IN_PROGRESS';
    const real = await fetch(url, { method: 'POST', headers: { 'X-Auth-Token': token }, body: '{"status": "SUCCESS", "reason": "real"}' });
    const final = await finalState(bench, stack);
    const after = await fetch(url, { method: 'POST', headers: { 'X-Auth-Token': token }, body: '{}' });

    console.log(`R5 signal gateway under abuse: ${REQUESTS} bad requests, ${CONCURRENCY} at a time, in ${abuseSeconds.toFixed(1)} s\n`);
    console.log(table(['request', 'sent', 'expected', 'answers', 'p50 ms', 'p95 ms'], abuses.map((a) => {
      const r = results.get(a.kind)!;
      const sorted = [...r.ms].sort((x, y) => x - y);
      return [a.kind, r.ms.length, a.expected, [...r.statuses].map(([s, n]) => `${s} x${n}`).join(', '),
        percentile(sorted, 50), percentile(sorted, 95)];
    })));
    const wrong = abuses.reduce((sum, a) => sum + [...results.get(a.kind)!.statuses].filter(([s]) => s !== String(a.expected)).reduce((n, [, c]) => n + c, 0), 0);
    console.log(`\nbad requests answered otherwise than expected: ${wrong}`);
    console.log(`stack still waiting after the abuse: ${stillWaiting ? 'yes' : 'NO'}`);
    console.log(`real signal: HTTP ${real.status}, stack ${final.status}`);
    console.log(`gateway after: HTTP ${after.status} (409 expected: the stack no longer waits)`);
    if (wrong > 0 || !stillWaiting || real.status !== 200 || final.status !== 'CREATE_COMPLETE' || after.status !== 409) process.exitCode = 1;
    await bench.client.delete(stack);
    await finalState(bench, stack);
  } finally {
    await bench.close();
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
