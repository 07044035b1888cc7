import * as fs from 'node:fs';
import { loadConfig } from '../src/config';
import { stopServices, type StartedService } from '../src/runtime/runtime';

/** Stops only what the setup started: a developer's own running dev server is left alone. */
export default async function globalTeardown(): Promise<void> {
  const log = (message: string) => console.log(`[teardown] ${message}`);
  if (process.env.STOKE_TEST_CLUSTER_ENV) {
    const env = JSON.parse(process.env.STOKE_TEST_CLUSTER_ENV) as NodeJS.ProcessEnv;
    await (await import('../src/runtime/cluster')).clusterDown(loadConfig(env), log);
    fs.rmSync(env.STOKE_HOME!, { recursive: true, force: true });
  }
  const services = (globalThis as { stokeServices?: StartedService[] }).stokeServices ?? [];
  await stopServices(services, log);
  if (process.env.STOKE_TEST_TMP) fs.rmSync(process.env.STOKE_TEST_TMP, { recursive: true, force: true });
}
