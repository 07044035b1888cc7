/**
 * Starts what the integration tests need through the project's own bootstrap (the same code as
 * `stoke dev`): a Temporal dev server and a Docker engine when none answers, and the local images.
 * With STOKE_TEST_CLUSTER=1 (`npm run test:cluster`) the tests run against `stoke cluster up` instead: Temporal's
 * server on PostgreSQL, in a state folder of its own, stopped again by the teardown.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config';
import { freePort } from './helpers';
import { prepareNamespace } from '../src/runtime/worker';
import { ensureDocker, ensureImages, ensureTemporal, type StartedService } from '../src/runtime/runtime';

/** Where the test cluster answers: the dev server's port of a state folder of its own. */
const CLUSTER_PORT = 7500;

export default async function globalSetup(): Promise<void> {
  // Tests get their own task queue, so a worker left by `stoke quickstart` never picks up their stacks.
  process.env.STOKE_TASK_QUEUE = `stoke-test-${process.pid}`;
  // …and their own namespace, so test stacks never show in a user's `stoke stack list`.
  process.env.TEMPORAL_NAMESPACE = 'stoke-test';
  // …and their own signal gateway port, so a gateway of another checkout (another key) never answers them;
  // on the default addresses (loopback and the bridge), as users run it.
  process.env.STOKE_SIGNAL_BIND = String(await freePort());
  // The tests' files (templates, keys, state folders of their own) go in one folder, removed by the teardown.
  process.env.STOKE_TEST_TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-jest-'));
  const log = (message: string) => console.log(`[setup] ${message}`);
  const services: StartedService[] = [];
  const docker = await ensureDocker(loadConfig(), log);
  if (docker.service) services.push(docker.service);
  await ensureImages(docker.endpoint, log);
  process.env.STOKE_TEST_DOCKER = docker.endpoint;
  (globalThis as { stokeServices?: StartedService[] }).stokeServices = services;
  if (process.env.STOKE_TEST_CLUSTER === '1') await startCluster(docker.endpoint, log);
  const config = loadConfig();
  const temporal = await ensureTemporal(config, log);
  if (temporal) services.push(temporal);
  await prepareNamespace(config);
}

/**
 * The cluster's own services (workers, gateway, codec server) use its state folder, namespace `default` and task
 * queue `stoke-cluster`, never the tests' queue, so a test that stops its worker is not served by the cluster's.
 */
async function startCluster(dockerEndpoint: string, log: (message: string) => void): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-test-cluster-'));
  const env: NodeJS.ProcessEnv = {
    STOKE_HOME: home, STOKE_DEV_PORT: String(CLUSTER_PORT), TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: 'default', STOKE_TASK_QUEUE: 'stoke-cluster',
    STOKE_CODEC_PORT: String(await freePort()), STOKE_SIGNAL_BIND: String(await freePort()), STOKE_API: '0', DOCKER_HOST: dockerEndpoint,
  };
  const { clusterUp } = await import('../src/runtime/cluster');
  const cli = path.resolve(__dirname, '..', 'dist', 'src', 'cli', 'cli.js');
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    await clusterUp(loadConfig(), cli, log);
  } finally {
    for (const key of Object.keys(env)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
  // The tests reach the cluster where they would reach the dev server; the cluster test reads its settings here.
  process.env.STOKE_DEV_PORT = String(CLUSTER_PORT);
  delete process.env.TEMPORAL_ADDRESS;
  process.env.STOKE_TEST_CLUSTER_ENV = JSON.stringify(env);
}
