/**
 * The production topology of `stoke cluster up`, started by the global setup with STOKE_TEST_CLUSTER=1
 * (`npm run test:cluster`): Temporal's server on PostgreSQL, its UI server, two stoke workers, two Docker
 * engines, the gateway and the codec server. Stacks here are run by the cluster's own workers (its task queue,
 * its state folder's key), reached as a user reaches them: the CLI with the cluster's settings and nothing else.
 */
import { execFileSync } from 'node:child_process';
import { Connection } from '@temporalio/client';
import Docker from 'dockerode';
import { loadConfig } from '../../src/config';
import { clusterLayout } from '../../src/runtime/cluster';
import { dockerOptions } from '../../src/runtime/docker-endpoint';
import { stokeWith, uniqueName, waitUntil, writeTemplate, type CliResult } from '../helpers';

const env = { ...process.env, ...(JSON.parse(process.env.STOKE_TEST_CLUSTER_ENV ?? '{}') as NodeJS.ProcessEnv) };
const layout = clusterLayout(loadConfig(env));
const stoke = (...args: string[]): CliResult => stokeWith(env, ...args);
const engines = { local: new Docker(dockerOptions(env.DOCKER_HOST!)), second: new Docker(dockerOptions(layout.docker2)) };
const stacks: string[] = [];

function psql(sql: string): string {
  return execFileSync('psql', ['-h', '127.0.0.1', '-p', String(layout.ports.postgres), '-U', 'temporal', '-d', 'temporal', '-tAc', sql], { encoding: 'utf8' }).trim();
}

function status(): { result: CliResult; services: Record<string, { state: string; pid: number | string }> } {
  const result = stoke('cluster', 'status', '-f', 'json');
  const rows = JSON.parse(result.stdout) as { service: string; state: string; pid: number | string }[];
  return { result, services: Object.fromEntries(rows.map((row) => [row.service, row])) };
}

const template = () => writeTemplate(`
heat_template_version: 2016-10-14
resources:
${[1, 2].map((i) => `  here${i}: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: [sleep, "3600"]}}`).join('\n')}
${[1, 2].map((i) => `  there${i}: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: [sleep, "3600"], docker_endpoint: "${layout.docker2}"}}`).join('\n')}
`);

const labelled = async (engine: Docker, stack: string) => (await engine.listContainers({ all: true, filters: { label: [`org.stoke.stack=${stack}`] } })).length;

afterAll(() => {
  for (const stack of stacks) stoke('stack', 'delete', stack, '--wait', '-y');
});

test('every service of the cluster runs, and the status says where each answers', () => {
  const { result, services } = status();
  expect(result.status).toBe(0);
  expect(Object.keys(services)).toEqual(['postgres', 'temporal', 'temporal-ui', 'dockerd', 'dockerd-2', 'codec-server', 'gateway', 'worker-1', 'worker-2']);
  // The first engine is the tests' own, which the cluster found running rather than started.
  expect(Object.entries(services).filter(([, s]) => s.state !== 'running')).toEqual([['dockerd', expect.objectContaining({ state: 'external', address: env.DOCKER_HOST })]]);
});

test('a stack over both engines is created and deleted by the cluster\'s workers, its history in PostgreSQL, its workflow in the UI server', async () => {
  const stack = uniqueName('cluster');
  stacks.push(stack);
  // Pinned to the local engine: the two that name no docker_endpoint go there.
  const created = stoke('stack', 'create', stack, '-t', template(), '--engine', env.DOCKER_HOST!, '--wait');
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  expect([await labelled(engines.local, stack), await labelled(engines.second, stack)]).toEqual([2, 2]);
  expect(Number(psql(`SELECT count(*) FROM executions WHERE workflow_id = 'stack:${stack}'`))).toBe(1);

  const ui = `http://127.0.0.1:${layout.ports.ui}`;
  const settings = await (await fetch(`${ui}/api/v1/settings`)).json() as { Codec?: { Endpoint?: string } };
  expect(settings.Codec?.Endpoint).toBe(`http://127.0.0.1:${env.STOKE_CODEC_PORT}`);
  const described = await (await fetch(`${ui}/api/v1/namespaces/default/workflows/${encodeURIComponent(`stack:${stack}`)}`)).json() as { workflowExecutionInfo?: { type?: { name?: string } } };
  expect(described.workflowExecutionInfo?.type?.name).toBe('createStack');

  expect(stoke('stack', 'delete', stack, '--wait', '-y').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect([await labelled(engines.local, stack), await labelled(engines.second, stack)]).toEqual([0, 0]);
});

test('stacks that name no engine are placed each on the less loaded engine, all their containers together, and say where', async () => {
  const plain = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  a: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: [sleep, "3600"]}}
  b: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: [sleep, "3600"]}}
`);
  const load = async (engine: Docker) => (await engine.listContainers({ all: true, filters: { label: ['org.stoke.stack'] } })).length;
  // A stack pinned to the local engine first, so that the second, empty, is the less loaded at the start.
  const filler = uniqueName('filler');
  stacks.push(filler);
  expect(stoke('stack', 'create', filler, '-t', plain, '--engine', env.DOCKER_HOST!, '--wait').stdout).toContain(`Stack ${filler} CREATE_COMPLETE`);
  const placed: string[] = [];
  for (const i of [1, 2, 3]) {
    const [local, second] = [await load(engines.local), await load(engines.second)];
    const expected = second < local ? layout.docker2 : env.DOCKER_HOST!;
    const stack = uniqueName(`placed${i}`);
    stacks.push(stack);
    expect(stoke('stack', 'create', stack, '-t', plain, '--wait').stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
    expect([await labelled(engines.local, stack), await labelled(engines.second, stack)]).toEqual(expected === layout.docker2 ? [0, 2] : [2, 0]);
    expect((JSON.parse(stoke('stack', 'resource', 'show', stack, 'a', '-f', 'json').stdout) as { engine?: string }).engine).toBe(expected);
    placed.push(expected);
  }
  // The filler made the local engine the busier: the first placed stack cannot have gone there.
  expect(placed[0]).toBe(layout.docker2);
});

test('with one worker killed the other runs the stacks; status says which is down, and `cluster up` starts only it again', async () => {
  const before = status().services;
  process.kill(Number(before['worker-1']!.pid), 'SIGKILL');
  await waitUntil('worker-1 to be reported stopped', () => (status().services['worker-1']!.state === 'stopped' ? true : undefined), 30_000);
  const down = status();
  expect(down.result.status).toBe(1);

  const stack = uniqueName('survivor');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', template(), '--wait').stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  const identities = [...new Set(await workersOf(stack))];
  expect(identities.length).toBeGreaterThan(0);
  expect(identities.filter((identity) => !identity.startsWith(`${before['worker-2']!.pid}@`))).toEqual([]);

  const up = stoke('cluster', 'up');
  expect(up.status).toBe(0);
  const after = status();
  expect(after.result.status).toBe(0);
  expect(after.services['worker-2']!.pid).toBe(before['worker-2']!.pid);
  expect(after.services['worker-1']!.pid).not.toBe(before['worker-1']!.pid);
});

/** The identities of the workers that completed the stack's workflow tasks and started its activities, as its history records them. */
async function workersOf(stack: string): Promise<string[]> {
  const connection = await Connection.connect({ address: `127.0.0.1:${layout.ports.frontend}` });
  try {
    const { history } = await connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: `stack:${stack}` } });
    return (history?.events ?? []).flatMap((e) => [e.workflowTaskCompletedEventAttributes?.identity, e.activityTaskStartedEventAttributes?.identity])
      .filter((identity): identity is string => !!identity);
  } finally {
    await connection.close();
  }
}
