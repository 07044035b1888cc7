/**
 * A worker killed in the middle of a container's create: the worker started after it fails the attempt
 * the dead one held, so Temporal retries it at once instead of after the heartbeat timeout, and the retry
 * adopts what there is, making no second container. The new worker starts from the workflow bundle the
 * killed one left, not bundling again.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, temporalAddress } from '../../src/config';
import { WORKER_DIED } from '../../src/runtime/takeover';
import { SLEEPER, showStack, stackContainers, startDockerProxy, startWorker, stoke, stokeAsync, stopWorker, uniqueName, waitUntil, writeTemplate, type DockerProxy } from '../helpers';

let worker: ChildProcess | undefined;
let proxy: DockerProxy | undefined;
const stack = uniqueName('takeover');

afterAll(async () => {
  proxy?.release();
  // Not spawnSync: the proxy the delete goes through answers from this process.
  if (worker && showStack(stack).status !== 'DELETE_COMPLETE') await stokeAsync('stack', 'delete', stack, '--wait');
  await stopWorker(worker);
  await proxy?.close();
});

/** The createResource attempts' start events of the stack's create, from its history. */
async function createStarts(): Promise<{ attempt: number; lastFailureType?: string; timedOut: boolean }[]> {
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddress(config) });
  try {
    const history = await new Client({ connection, namespace: config.namespace }).workflow.getHandle(`stack:${stack}`).fetchHistory();
    return history.events!.flatMap((e) => {
      const started = e.activityTaskStartedEventAttributes;
      if (!started) return [];
      return [{ attempt: started.attempt!, lastFailureType: started.lastFailure?.applicationFailureInfo?.type ?? undefined, timedOut: !!started.lastFailure?.timeoutFailureInfo }];
    });
  } finally {
    await connection.close();
  }
}

test('the attempt a killed worker held is failed by the next worker and retried at once; one container results', async () => {
  // The local activity that creates and starts the container hands its wait for health to an ordinary one, whose
  // engine version check, the first after the start, hangs: the worker is then surely mid-activity.
  const started = () => proxy!.requests.some((r) => r.method === 'POST' && /\/start$/.test(r.path));
  proxy = await startDockerProxy({ hold: (method, path) => method === 'GET' && /\/version$/.test(path) && started() });
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      cmd: ${SLEEPER}
      cpu_shares: 512
      docker_endpoint: "${proxy.endpoint}"
      healthcheck: {test: ["CMD-SHELL", "true"], interval: 1s}
`);
  const kept = () => fs.readdirSync(loadConfig().runDir).filter((name) => /^workflow-bundle-[0-9a-f]{32}\.js$/.test(name));
  for (const bundle of kept()) fs.rmSync(path.join(loadConfig().runDir, bundle));
  worker = await startWorker();
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  await waitUntil('the ordinary create to reach the engine', () => {
    const start = proxy!.requests.findIndex((r) => r.method === 'POST' && /\/start$/.test(r.path));
    return start < 0 ? undefined : proxy!.requests.slice(start).find((r) => /\/version$/.test(r.path));
  });
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker!.once('exit', resolve));
  // Its start must take less than the activity's heartbeat timeout (20 s), or the timeout fails the attempt first.
  const restarted = Date.now();
  worker = await startWorker();
  // …which it does quicker with the workflow bundle the killed worker left, made from the same code.
  const bundles = kept();
  expect(bundles).toHaveLength(1);
  expect(fs.statSync(path.join(loadConfig().runDir, bundles[0]!)).mtimeMs).toBeLessThan(restarted);

  const done = await waitUntil('the stack to complete', () => {
    const state = showStack(stack);
    return state.status.endsWith('_IN_PROGRESS') ? undefined : state;
  });
  expect(done.status).toBe('CREATE_COMPLETE');
  expect(await createStarts()).toEqual([{ attempt: 2, lastFailureType: WORKER_DIED, timedOut: false }]);
  expect((await stackContainers(stack)).map((c) => c.Id)).toEqual([done.resources.web!.physicalId]);
});
