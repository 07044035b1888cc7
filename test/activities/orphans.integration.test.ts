/**
 * What a stack leaves behind when an attempt outlives the workflow's interest in it: a create cancelled
 * while the engine was slow must make nothing after rollback looked, a delete sweeps what carries the
 * stack's id and no resource accounted for (sparing retained ones), and a net is found by its labels.
 */
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { deleteNet } from '../../src/resources/networks/handler';
import { loadConfig, temporalAddress } from '../../src/config';
import {
  SLEEPER, docker, recordHistories, showStack, stackContainers, startDockerProxy, startWorker, stoke, stokeAsync, stopWorker, uniqueName, waitUntil,
  writeTemplate, type DockerProxy,
} from '../helpers';

let worker: ChildProcess | undefined;
const proxies: DockerProxy[] = [];
const leftovers: string[] = [];

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  await stopWorker(worker);
  for (const proxy of proxies) await proxy.close();
  for (const id of leftovers) await docker().getContainer(id).remove({ force: true }).catch(() => undefined);
});

async function cancelWorkflow(stack: string): Promise<void> {
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddress(config) });
  try {
    await new Client({ connection, namespace: config.namespace }).workflow.getHandle(`stack:${stack}`).cancel();
  } finally {
    await connection.close();
  }
}

test('a create cancelled while the engine is slow makes no container after rollback, and the name can be used again', async () => {
  const stack = uniqueName('cancelled');
  // The engine answers the version check, made before the create, only when the test says so.
  const slow = await startDockerProxy({ hold: (method, path) => method === 'GET' && /\/version$/.test(path) });
  proxies.push(slow);
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, cpu_shares: 512, docker_endpoint: "${slow.endpoint}"}
`);
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  const held = await waitUntil('the version check to reach the slow engine', () => slow.requests.find((r) => r.path.endsWith('/version')));
  await cancelWorkflow(stack);
  const rolledBack = await waitUntil('the rollback', () => {
    const state = showStack(stack);
    return /^ROLLBACK_(COMPLETE|FAILED)$/.test(state.status) ? state : undefined;
  });
  expect(rolledBack.status).toBe('ROLLBACK_COMPLETE');

  // Whatever the attempt still meant to do, it may do now: it either gave up its request or goes on to create.
  slow.release();
  await waitUntil('the attempt to give up or create', () =>
    held.abandoned || slow.requests.some((r) => r.method === 'POST' && r.path.includes('/containers/create') && r.finished) ? true : undefined);
  const orphans = await stackContainers(stack);
  leftovers.push(...orphans.map((c) => c.Id));
  expect(orphans).toEqual([]);
  expect(held.abandoned).toBe(true);

  // The slow engine is served by this process: the CLI must not block it.
  expect((await stokeAsync('stack', 'delete', stack, '--wait')).status).toBe(0);
  await recordHistories(stack, 'cancelled-create');
  const again = await stokeAsync('stack', 'create', stack, '-t', template, '--wait');
  expect(again.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  expect((await stokeAsync('stack', 'delete', stack, '--wait')).status).toBe(0);
  expect(await stackContainers(stack)).toEqual([]);
});

test('a delete sweeps a container that carries the stack id but is in no resource, and spares a retained one', async () => {
  const stack = uniqueName('sweep');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  kept:
    type: DockerInc::Docker::Container
    deletion_policy: Retain
    properties: {image: busybox, cmd: ${SLEEPER}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  const state = showStack(stack);
  leftovers.push(state.resources.kept!.physicalId);
  // As an attempt whose result never reached the workflow would have left it.
  const ghost = await docker().createContainer({
    name: `${stack}-ghost`, Image: 'busybox', Cmd: ['sleep', '3600'],
    Labels: { 'org.stoke.stack': stack, 'org.stoke.stack-id': state.id, 'org.stoke.resource': 'ghost' },
  });
  leftovers.push(ghost.id);

  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  const left = await stackContainers(stack);
  expect(left.map((c) => c.Labels['org.stoke.resource'])).toEqual(['kept']);
  await recordHistories(stack, 'sweep');
});

test('a net whose id never reached the state is found by its labels and deleted', async () => {
  const stack = uniqueName('netlabels');
  const stackId = `id-${stack}`;
  const name = `${stack}-private`;
  await docker().createNetwork({ Name: name, Driver: 'bridge', Labels: { 'org.stoke.stack': stack, 'org.stoke.stack-id': stackId, 'org.stoke.resource': 'private' } });
  await deleteNet({ stack, stackId, resource: 'private', type: 'OS::Neutron::Net', physicalId: '', properties: {} }, { dockerEndpoint: process.env.STOKE_TEST_DOCKER! });
  const found = await docker().listNetworks({ filters: { name: [name] } });
  await Promise.all(found.map((n) => docker().getNetwork(n.Id).remove()));
  expect(found).toEqual([]);
});
