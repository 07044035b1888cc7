import { stopServices, type StartedService } from '../src/runtime/runtime';

/** Stops only what the setup started: a developer's own running dev server is left alone. */
export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as { stokeServices?: StartedService[] }).stokeServices ?? [];
  await stopServices(services, (message) => console.log(`[teardown] ${message}`));
}
