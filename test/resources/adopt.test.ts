/**
 * The adopt hooks behind the adoptResource activity: a container is found by its id on the real engine and
 * read, never restarted; one of another stack or resource is refused; a random string takes its value back;
 * a missing object and a type without the hook are named; a server is read from its container and must run.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { AdoptResourceRequest } from '../../src/resources/plugin';
import { DEFAULT_CATALOG } from '../../src/runtime/catalog';
import { docker, uniqueName } from '../helpers';

const activities = createActivities({
  dockerEndpoint: process.env.STOKE_TEST_DOCKER!, catalog: DEFAULT_CATALOG, signals: { key: Buffer.alloc(32), baseUrl: async () => 'http://127.0.0.1:1' },
});
const run = <T>(work: () => Promise<T>) => new MockActivityEnvironment().run(work);

const request = (type: string, resource: string, physicalId: string, more: Partial<AdoptResourceRequest> = {}): AdoptResourceRequest =>
  ({ stack: 'demo', stackId: 'demo-id', resource, type, properties: {}, attributes: [], physicalId, data: {}, ...more });

async function failureOf(work: () => Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await work();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

test('a random string takes its value from the adopt data; without one it is refused; None takes its id', async () => {
  await expect(run(() => activities.adoptResource(request('OS::Heat::RandomString', 'r', 'old-r', { data: { value: 'kept' } }))))
    .resolves.toEqual({ physicalId: 'old-r', refId: 'kept', attributes: { value: 'kept' } });
  const failure = await failureOf(() => run(() => activities.adoptResource(request('OS::Heat::RandomString', 'r', 'old-r'))));
  expect(failure).toMatchObject({ type: 'InvalidAdoptData', nonRetryable: true, message: 'resources.r: the adopt data holds no value for it (resource_data.value)' });
  await expect(run(() => activities.adoptResource(request('OS::Heat::None', 'n', 'old-n')))).resolves.toEqual({ physicalId: 'old-n', attributes: {} });
});

test('a type without an adopt hook says so', async () => {
  const failure = await failureOf(() => run(() => activities.adoptResource(request('OS::Heat::WaitConditionHandle', 'h', 'demo-h'))));
  expect(failure).toMatchObject({ type: 'AdoptNotSupported', nonRetryable: true, message: 'resource type OS::Heat::WaitConditionHandle cannot be adopted: it has no adopt hook' });
});

test('a container is adopted by its id, as it runs; one labelled for another stack or resource is refused; a missing one is named', async () => {
  const stack = uniqueName('adopt');
  const labels = { 'org.stoke.stack': stack, 'org.stoke.stack-id': `${stack}-id`, 'org.stoke.resource': 'web' };
  const container = await docker().createContainer({ Image: 'busybox', Cmd: ['sleep', '300'], Labels: labels });
  try {
    await container.start();
    const before = await container.inspect();
    const req = request('DockerInc::Docker::Container', 'web', container.id, { stack, stackId: `${stack}-id`, properties: { image: 'busybox' }, attributes: ['network_ip'] });
    const adopted = await run(() => activities.adoptResource(req));
    expect(adopted).toEqual({ physicalId: container.id, attributes: { network_ip: before.NetworkSettings.IPAddress } });
    const after = await container.inspect();
    expect([after.State.StartedAt, after.RestartCount, after.State.Running]).toEqual([before.State.StartedAt, before.RestartCount, true]);

    const other = await failureOf(() => run(() => activities.adoptResource({ ...req, stackId: 'another-id' })));
    expect(other).toMatchObject({ type: 'AdoptedResourceMismatch', nonRetryable: true,
      message: `container ${container.id} belongs to resource 'web' of stack id ${stack}-id, not to 'web' of stack id another-id` });
    const renamed = await failureOf(() => run(() => activities.adoptResource({ ...req, resource: 'db' })));
    expect(renamed.message).toBe(`container ${container.id} belongs to resource 'web' of stack id ${stack}-id, not to 'db' of stack id ${stack}-id`);
  } finally {
    await container.remove({ force: true });
  }
  const gone = await failureOf(() => run(() => activities.adoptResource(request('DockerInc::Docker::Container', 'web', container.id))));
  expect(gone).toMatchObject({ type: 'AdoptedResourceMissing', nonRetryable: true });
  expect(gone.message).toMatch(new RegExp(`^container ${container.id} to adopt is not on the engine at `));
});

test('a server is adopted from its container (its own image, hostname, name and metadata labels); one not running is refused', async () => {
  const name = uniqueName('adopt-server');
  const container = await docker().createContainer({
    name, Image: 'busybox', Hostname: 'kept-host', Cmd: ['sleep', '300'], Labels: { 'org.stoke.meta.role': 'db' },
  });
  try {
    const req = request('OS::Nova::Server', 'server', container.id, { external: true, properties: {}, attributes: [] });
    const stopped = await failureOf(() => run(() => activities.adoptResource(req)));
    expect(stopped).toMatchObject({ type: 'ResourceDrifted', nonRetryable: true, message: `server ${container.id.slice(0, 12)} to adopt is not running (created)` });
    await container.start();
    const ip = (await container.inspect()).NetworkSettings.Networks.bridge!.IPAddress;
    const { physicalId, attributes } = await run(() => activities.adoptResource(req));
    expect(physicalId).toBe(container.id);
    expect(attributes).toMatchObject({ name: 'kept-host', instance_name: name, first_address: ip, networks: { private: [ip], bridge: [ip] } });
    expect(attributes.show).toMatchObject({ image: 'busybox', local_image: 'busybox', metadata: { role: 'db' } });
  } finally {
    await container.remove({ force: true });
  }
});
