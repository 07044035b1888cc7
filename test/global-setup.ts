/**
 * Starts what the integration tests need through the project's own bootstrap (the same code as
 * `stoke dev`): a Temporal dev server and a Docker engine when none answers, and the local images.
 */
import { loadConfig } from '../src/config';
import { freePort } from './helpers';
import { prepareNamespace } from '../src/runtime/worker';
import { ensureDocker, ensureImages, ensureTemporal, type StartedService } from '../src/runtime/runtime';

export default async function globalSetup(): Promise<void> {
  // Tests get their own task queue, so a worker left by `stoke quickstart` never picks up their stacks.
  process.env.STOKE_TASK_QUEUE = `stoke-test-${process.pid}`;
  // …and their own namespace, so test stacks never show in a user's `stoke stack list`.
  process.env.TEMPORAL_NAMESPACE = 'stoke-test';
  // …and their own signal gateway port, so a gateway of another checkout (another key) never answers them;
  // on the default addresses (loopback and the bridge), as users run it.
  process.env.STOKE_SIGNAL_BIND = String(await freePort());
  const config = loadConfig();
  const log = (message: string) => console.log(`[setup] ${message}`);
  const services: StartedService[] = [];
  const temporal = await ensureTemporal(config, log);
  if (temporal) services.push(temporal);
  await prepareNamespace(config);
  const docker = await ensureDocker(config, log);
  if (docker.service) services.push(docker.service);
  await ensureImages(docker.endpoint, log);
  process.env.STOKE_TEST_DOCKER = docker.endpoint;
  (globalThis as { stokeServices?: StartedService[] }).stokeServices = services;
}
