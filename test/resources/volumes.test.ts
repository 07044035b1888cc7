/** A server boots with the volumes its request's mounts name: the volume resources it requires, or those it makes first. */
import type { ServerSpec } from '../../activities/compute';
import type { CreateResourceRequest, Sibling } from '../../src/resources/plugin';
import { bootServer } from '../../src/resources/servers/server';
import { siblingLookup } from '../../src/resources/siblings';
import { DEFAULT_CATALOG } from '../../src/runtime/catalog';

const volume = (physicalId: string, properties: Sibling['properties'] = {}): Sibling => ({ type: 'OS::Cinder::Volume', physicalId, attributes: {}, properties });

async function booted(req: CreateResourceRequest, made: string[] = []): Promise<ServerSpec> {
  const specs: ServerSpec[] = [];
  await bootServer(req, {
    driver: {
      boot: async (spec) => (specs.push(spec), 'server-1'), waitRunning: async () => undefined, addresses: async () => [],
      delete: async () => undefined, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), exists: async () => true, status: async () => 'running',
    },
    catalog: DEFAULT_CATALOG, lookup: siblingLookup(req), prepareImage: async () => undefined, registryFor: () => undefined,
    networkGateway: async () => '', networkLabel: async (network) => network,
    ensureVolume: async (resource) => (made.push(resource), `made-${resource}`),
  });
  return specs[0]!;
}

const server = (more: Partial<CreateResourceRequest>): CreateResourceRequest =>
  ({ stack: 'demo', stackId: 'demo-id', resource: 'vm', type: 'OS::Nova::Server', properties: { image: 'cirros', flavor: 'm1.tiny' }, attributes: [], ...more });

test('a server mounts the volumes its attachments name, read-only where the volume says so, at Nova\'s by-id path when no mountpoint is given', async () => {
  const spec = await booted(server({
    siblings: { data: volume('demo-data-demo-id', { read_only: true }), logs: volume('demo-logs-demo-id') },
    mounts: [{ attachment: 'a1', volume: 'data', mountpoint: '/dev/vdb' }, { attachment: 'a2', volume: 'logs', mountpoint: '' }],
  }));
  expect(spec.volumes).toEqual([
    { volume: 'demo-data-demo-id', target: '/dev/vdb', readOnly: true },
    { volume: 'demo-logs-demo-id', target: '/dev/disk/by-id/virtio-demo-logs-demo-id', readOnly: false },
  ]);
});

test('a volume that comes after its server (it refers to the server) is made by the server, for the volume to adopt', async () => {
  const made: string[] = [];
  const spec = await booted(server({ siblings: {}, mounts: [{ attachment: 'a1', volume: 'data', mountpoint: '/data' }] }), made);
  expect(made).toEqual(['data']);
  expect(spec.volumes).toEqual([{ volume: 'made-data', target: '/data', readOnly: false }]);
  expect((await booted(server({ siblings: {} }))).volumes).toEqual([]);
});
