/**
 * The container activities' idempotence against the real engine, run in an activity context: a retried
 * create adopts what the earlier attempt made, a delete of something already gone succeeds, and a
 * stack delete keeps what deletion_policy Retain protects.
 */
import type { ChildProcess } from 'node:child_process';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createContainer, deleteContainer } from '../../src/resources/docker/handler';
import type { CreateResourceRequest } from '../../src/resources/plugin';
import { SLEEPER, docker, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

const endpoint = () => process.env.STOKE_TEST_DOCKER!;
const request = (stack: string, properties: CreateResourceRequest['properties'] = {}): CreateResourceRequest => ({
  stack, stackId: `${stack}-id`, resource: 'web', type: 'DockerInc::Docker::Container',
  properties: { image: 'busybox', cmd: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"], ...properties }, attributes: ['network_ip'],
});
const run = <T>(fn: () => Promise<T>, attempt = 1) => new MockActivityEnvironment({ attempt }).run(fn);

test('a retried create adopts the container of the earlier attempt, found by its labels', async () => {
  const stack = uniqueName('adopt');
  const first = await run(() => createContainer(request(stack), endpoint()));
  const again = await run(() => createContainer(request(stack), endpoint()), 2);
  expect(again.physicalId).toBe(first.physicalId);
  expect(again.attributes.network_ip).toBe(first.attributes.network_ip);
  expect((await stackContainers(stack)).map((c) => c.Id)).toEqual([first.physicalId]);
  await run(() => deleteContainer({ ...request(stack), physicalId: first.physicalId }, endpoint()));
});

test('a created but never started container (a crash between create and start) is adopted and started', async () => {
  const stack = uniqueName('halfway');
  const made = await docker().createContainer({
    name: `${stack}-web`, Image: 'busybox', Cmd: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"],
    Labels: { 'org.stoke.stack': stack, 'org.stoke.stack-id': `${stack}-id`, 'org.stoke.resource': 'web' },
  });
  // A first attempt does not search by labels: the name the container holds leads it there.
  const created = await run(() => createContainer(request(stack), endpoint()));
  expect(created.physicalId).toBe(made.id);
  expect((await made.inspect()).State.Running).toBe(true);
  await run(() => deleteContainer({ ...request(stack), physicalId: '' }, endpoint()));
  expect(await stackContainers(stack)).toEqual([]);
});

test('a name taken by a container that is not this resource\'s fails at once instead of adopting it', async () => {
  const stack = uniqueName('taken');
  const stranger = await docker().createContainer({ name: `${stack}-web`, Image: 'busybox', Cmd: ['true'] });
  try {
    const failure = await run(() => createContainer(request(stack), endpoint())).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).message).toMatch(/Conflict. The container name "\/.*-web" is already in use/);
  } finally {
    await stranger.remove({ force: true });
  }
});

test('two copies of one resource (a stack update\'s): a retried create adopts its own copy, a delete by labels removes only its own', async () => {
  const stack = uniqueName('copies');
  const old = await run(() => createContainer(request(stack), endpoint()));
  const fresh = { ...request(stack), copy: 'c0ffee01' };
  const made = await run(() => createContainer(fresh, endpoint()));
  expect(made.physicalId).not.toBe(old.physicalId);
  const again = await run(() => createContainer(fresh, endpoint()), 2);
  expect(again.physicalId).toBe(made.physicalId);
  const info = await docker().getContainer(made.physicalId).inspect();
  expect(info.Name).toBe(`/${stack}-web-c0ffee01`);
  expect(info.Config.Labels['org.stoke.copy']).toBe('c0ffee01');
  // The old copy, as a create left it (no copy label), found by its labels alone.
  await run(() => deleteContainer({ ...request(stack), physicalId: '' }, endpoint()));
  expect((await stackContainers(stack)).map((c) => c.Id)).toEqual([made.physicalId]);
  await run(() => deleteContainer({ ...fresh, physicalId: '' }, endpoint()));
  expect(await stackContainers(stack)).toEqual([]);
});

test('delete stops, removes, and succeeds again when the container is already gone; without an id it finds it by labels', async () => {
  const stack = uniqueName('gone');
  const created = await run(() => createContainer(request(stack), endpoint()));
  await run(() => deleteContainer({ ...request(stack), physicalId: '' }, endpoint()));
  expect(await stackContainers(stack)).toEqual([]);
  await expect(run(() => deleteContainer({ ...request(stack), physicalId: created.physicalId }, endpoint()))).resolves.toBeUndefined();
});

describe('through the CLI', () => {
  let worker: ChildProcess | undefined;
  beforeAll(async () => {
    worker = await startWorker();
  });
  afterAll(async () => {
    await stopWorker(worker);
  });

  test('deletion_policy Retain keeps the container when the stack is deleted', async () => {
    const stack = uniqueName('retain');
    const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  kept:
    type: DockerInc::Docker::Container
    deletion_policy: Retain
    properties: {image: busybox, cmd: ${SLEEPER}}
  dropped:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
`);
    expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
    const kept = showStack(stack).resources.kept!.physicalId;
    expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
    const left = await stackContainers(stack);
    expect(left.map((c) => c.Id)).toEqual([kept]);
    expect(left[0]!.State).toBe('running');
    await docker().getContainer(kept).remove({ force: true });
  });

  test('a container removed behind stoke\'s back does not stop the stack delete', async () => {
    const stack = uniqueName('vanished');
    const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
`);
    expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
    await docker().getContainer(showStack(stack).resources.web!.physicalId).remove({ force: true });
    const deleted = stoke('stack', 'delete', stack, '--wait');
    expect(deleted.stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  });
});

describe('an endpoint that cannot be reached yet is a retryable failure (Temporal retries it until the stack times out)', () => {
  const cases: [string, string, RegExp][] = [
    ['a refused tcp:// connection', 'tcp://127.0.0.1:9', /ECONNREFUSED/],
    ['a unix socket that does not exist yet', 'unix:///tmp/stoke-no-such-dir/docker.sock', /ENOENT/],
  ];
  test.each(cases)('%s', async (_what, endpointUrl, code) => {
    const failure = await run(() => createContainer(request(uniqueName('unreachable'), { docker_endpoint: endpointUrl }), endpoint())).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    // Not an ApplicationFailure marked non-retryable: Temporal's retry policy applies.
    expect(failure instanceof ApplicationFailure && failure.nonRetryable).toBe(false);
    expect((failure as Error).message).toMatch(code);
  });

  test('a malformed endpoint is not retried', async () => {
    const failure = await run(() => createContainer(request(uniqueName('malformed'), { docker_endpoint: 'ftp://host' }), endpoint())).catch((err: unknown) => err);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as Error).message).toContain("unsupported scheme 'ftp:'");
  });
});
