/**
 * Handlers read the rest of their stack from the request alone (siblings, addresses), and the
 * activities dispatch to them through the registry, with an alias's names translated both ways.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { serverContainerName, type ServerSpec } from '../../activities/compute';
import { createNeutronFloatingIp, createPort } from '../../src/resources/networks/handler';
import type { CreateResourceRequest, Sibling } from '../../src/resources/plugin';
import { bootServer } from '../../src/resources/servers/server';
import { createMultipartMime } from '../../src/resources/servers/software';
import { mimeParts } from '../../src/resources/servers/user-data';
import { siblingLookup } from '../../src/resources/siblings';
import { DEFAULT_CATALOG } from '../../src/runtime/catalog';
import { docker, uniqueName } from '../helpers';

const request = (type: string, resource: string, properties: CreateResourceRequest['properties'], more: Partial<CreateResourceRequest> = {}): CreateResourceRequest =>
  ({ stack: 'demo', stackId: 'demo-id', resource, type, properties, attributes: [], ...more });

const sibling = (type: string, physicalId: string, attributes: Sibling['attributes'], refId?: string): Sibling => ({ type, physicalId, refId, attributes, properties: {} });

const config = sibling('OS::Heat::SoftwareConfig', 'cfg-1', { config: '#!/bin/sh\necho configured' });
const port = sibling('OS::Neutron::Port', 'port-1', { network_id: 'demo-private', mac_address: 'fa:16:3e:00:00:01', fixed_ips: [{ subnet_id: 's', ip_address: '10.9.0.7' }] });

async function failureOf(work: () => unknown): Promise<ApplicationFailure> {
  try {
    await work();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

test('siblings are found by physical id or by Ref, and only among the siblings', () => {
  const lookup = siblingLookup(request('OS::Heat::None', 'x', {}, { siblings: { cfg: config, handle: sibling('OS::Heat::WaitConditionHandle', 'demo-handle', {}, 'http://signal') } }));
  expect(lookup('cfg-1')).toMatchObject({ name: 'cfg', type: 'OS::Heat::SoftwareConfig' });
  expect(lookup('http://signal')).toMatchObject({ name: 'handle' });
  expect(lookup('port-1')).toBeUndefined();
});

test('a MultipartMime takes the text of the config resources its parts name', () => {
  const made = createMultipartMime(request('OS::Heat::MultipartMime', 'mime', { parts: [{ config: 'cfg-1' }, { config: 'echo as written' }] }, { siblings: { cfg: config } }));
  expect(mimeParts(String(made.attributes.config)).map((p) => p.body.trim())).toEqual(['#!/bin/sh\necho configured', 'echo as written']);
});

test('a floating IP is the address of the port it names', () => {
  const made = createNeutronFloatingIp(request('OS::Neutron::FloatingIP', 'fip', { port_id: 'port-1' }, { siblings: { port } }));
  expect(made.attributes).toMatchObject({ floating_ip_address: '10.9.0.7', fixed_ip_address: '10.9.0.7' });
});

test('a request from a workflow that sends no siblings fails at once, saying so', async () => {
  const failure = await failureOf(() => createNeutronFloatingIp(request('OS::Neutron::FloatingIP', 'fip', { port_id: 'port-1' })));
  expect(failure.nonRetryable).toBe(true);
  expect(failure.type).toBe('RequestLacksStackData');
  expect(failure.message).toMatch(/^resources\.fip: the request carries no siblings/);
});

test('a server joins the network of the port it names, with its address, and boots the config its user_data names', async () => {
  const booted: ServerSpec[] = [];
  const req = request('OS::Nova::Server', 'vm', { image: 'cirros', flavor: 'm1.tiny', networks: [{ port: 'port-1' }], user_data: 'cfg-1' }, { siblings: { cfg: config, port } });
  const created = await bootServer(req, {
    driver: {
      boot: async (spec) => (booted.push(spec), 'server-1'),
      waitRunning: async () => undefined,
      addresses: async () => [{ network: 'demo-private', ip: '10.9.0.7', ipv6: '', mac: 'fa:16:3e:00:00:01' }],
      delete: async () => undefined,
      exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }),
      exists: async () => true,
    },
    catalog: DEFAULT_CATALOG,
    lookup: siblingLookup(req),
    prepareImage: async () => undefined,
    registryFor: () => undefined,
    networkGateway: async () => '172.17.0.1',
    networkLabel: async () => 'private-net',
    ensureVolume: async (resource) => resource,
  });
  expect(booted[0]!.networks).toEqual([{ network: 'demo-private', ip: '10.9.0.7', mac: 'fa:16:3e:00:00:01' }]);
  expect(booted[0]!.bootScript).toContain('echo configured');
  expect(created.attributes.first_address).toBe('10.9.0.7');
});

test("a server an update makes beside the old one boots under its copy id: the copy's container name and instance_name, the same hostname", async () => {
  const booted: ServerSpec[] = [];
  const boot = (copy?: string) => bootServer(request('OS::Nova::Server', 'vm', { image: 'cirros', flavor: 'm1.tiny' }, copy ? { copy } : {}), {
    driver: {
      boot: async (spec) => (booted.push(spec), 'server-1'),
      waitRunning: async () => undefined,
      addresses: async () => [],
      delete: async () => undefined,
      exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }),
      exists: async () => true,
      status: async () => 'running',
    },
    catalog: DEFAULT_CATALOG, lookup: () => undefined, prepareImage: async () => undefined, registryFor: () => undefined,
    networkGateway: async () => '', networkLabel: async (network) => network, ensureVolume: async (resource) => resource,
  });
  const first = await boot();
  const copy = await boot('c0ffee12');
  expect(booted.map((spec) => spec.copy)).toEqual([undefined, 'c0ffee12']);
  expect([first.attributes.instance_name, copy.attributes.instance_name]).toEqual(['demo-vm', 'demo-vm-c0ffee12']);
  expect([first.attributes.name, copy.attributes.name]).toEqual(['demo-vm', 'demo-vm']);
  expect(serverContainerName('demo', 'vm', 'c0ffee12')).toBe('demo-vm-c0ffee12');
});

test('a port is given an address its stack does not hold yet', async () => {
  const name = uniqueName('ports');
  const subnet = `10.231.${process.pid % 250}`;
  await docker().createNetwork({ Name: name, Driver: 'bridge', IPAM: { Driver: 'default', Config: [{ Subnet: `${subnet}.0/29`, Gateway: `${subnet}.1` }] } });
  try {
    // A /29 leaves .2 to .6 to ports; the stack holds all of them but .5.
    const taken = [`${subnet}.2`, `${subnet}.3`, `${subnet}.4`, `${subnet}.6`];
    const made = await createPort(request('OS::Neutron::Port', 'p', { network: name }, { addresses: taken }), { dockerEndpoint: process.env.STOKE_TEST_DOCKER! });
    expect(made.attributes.fixed_ips).toEqual([{ subnet_id: `${name}/${subnet}.0/29`, ip_address: `${subnet}.5` }]);
    const failure = await failureOf(() => createPort(request('OS::Neutron::Port', 'p', { network: name }), { dockerEndpoint: process.env.STOKE_TEST_DOCKER! }));
    expect(failure.type).toBe('RequestLacksStackData');
  } finally {
    await docker().getNetwork(name).remove();
  }
});

describe('the activities', () => {
  const activities = createActivities({
    dockerEndpoint: process.env.STOKE_TEST_DOCKER!, catalog: DEFAULT_CATALOG, signals: { key: Buffer.alloc(32), baseUrl: async () => 'http://127.0.0.1:1' },
  });
  const run = <T>(work: () => Promise<T>) => new MockActivityEnvironment().run(work);

  test('dispatch by the handler the request names, or by its type when a workflow older than the field sent none', async () => {
    await expect(run(() => activities.createResource(request('OS::Heat::None', 'n', {}, { handler: 'OS::Heat::None' })))).resolves.toEqual({ physicalId: 'demo-n', attributes: {} });
    const random = await run(() => activities.createResource(request('OS::Heat::RandomString', 'r', { length: 12 }, { attributes: ['value'] })));
    expect(random.attributes.value).toMatch(/^[A-Za-z0-9]{12}$/);
    const handle = await run(() => activities.createResource(request('AWS::CloudFormation::WaitConditionHandle', 'h', {})));
    expect(handle.refId).toMatch(/^http:\/\/127\.0\.0\.1:1\/.*\?Signature=/);
  });

  test('a type without a handler cannot be created; one without a delete or suspend hook has nothing to do', async () => {
    const failure = await failureOf(() => run(() => activities.createResource(request('OS::Heat::WaitCondition', 'w', {}))));
    expect(failure).toMatchObject({ type: 'UnknownResourceType', nonRetryable: true, message: 'no handler for resource type OS::Heat::WaitCondition' });
    const existing = { ...request('OS::Heat::RandomString', 'r', {}), physicalId: 'demo-r' };
    await expect(run(() => activities.deleteResource(existing))).resolves.toBeUndefined();
    await expect(run(() => activities.suspendResource(existing))).resolves.toBeUndefined();
    await expect(run(() => activities.deleteResource({ ...existing, type: 'OS::Heat::WaitCondition' }))).resolves.toBeUndefined();
  });

  test('an alias runs its target\'s handler: properties renamed in, attributes renamed back out', async () => {
    const stack = uniqueName('alias');
    const req = { ...request('OS::Heat::Docker', 'old', { Image: 'busybox', Cmd: ['sleep', '300'] }, { attributes: ['NetworkIp', 'LogsHead'] }), stack, stackId: `${stack}-id` };
    const created = await run(() => activities.createResource({ ...req, handler: 'DockerInc::Docker::Container' }));
    try {
      expect(Object.keys(created.attributes).sort()).toEqual(['LogsHead', 'NetworkIp']);
      expect(created.attributes.NetworkIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const info = await docker().getContainer(created.physicalId).inspect();
      expect(info.Config.Cmd).toEqual(['sleep', '300']);
    } finally {
      await run(() => activities.deleteResource({ ...req, physicalId: created.physicalId }));
    }
    await expect(docker().getContainer(created.physicalId).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
