/**
 * How a stack update replaces servers and Neutron networks: new copy first, each copy under its own copy
 * id, unless both copies would hold a fixed address or a CIDR. The order is read from the engine's own events.
 */
import type { ChildProcess } from 'node:child_process';
import { docker, recordHistories, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
const stacks: string[] = [];
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  for (const stack of stacks) {
    if (showStack(stack).status !== 'DELETE_COMPLETE') stoke('stack', 'delete', stack, '--wait');
  }
  await stopWorker(worker);
});

const seconds = () => Math.floor(Date.now() / 1000);

/**
 * The creates and destroys of the stack's containers (by id) and networks (by name) from `sinceMs` on, in the
 * engine's order. The engine's query takes whole seconds; its events carry nanoseconds, which cut the window
 * where it begins. Network events carry no labels to filter on: their names, all prefixed by the stack's, tell.
 */
async function engineEvents(stack: string, stackId: string, sinceMs: number): Promise<string[]> {
  const since = Math.floor(sinceMs / 1000);
  const stream = (await docker().getEvents({ since, until: seconds() + 1, filters: { type: ['container', 'network'], event: ['create', 'destroy'] } })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  const events = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { Type: string; Action: string; timeNano: number; Actor: { ID: string; Attributes: Record<string, string> } });
  return events.filter((e) => e.timeNano / 1e6 >= sinceMs)
    .filter((e) => (e.Type === 'container' ? e.Actor.Attributes['org.stoke.stack-id'] === stackId : e.Actor.Attributes.name?.startsWith(`${stack}-`)))
    .map((e) => `${e.Action} ${e.Type === 'container' ? e.Actor.ID : e.Actor.Attributes.name}`);
}

/** Runs an update to `template`, which must complete, and returns the engine's events meanwhile. */
async function update(stack: string, template: string): Promise<string[]> {
  const stackId = showStack(stack).id;
  const start = Date.now();
  expect(stoke('stack', 'update', stack, '-t', template, '--wait').stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`);
  return engineEvents(stack, stackId, start);
}

/** Asserts that `first` happened, and before `then`. */
function before(events: string[], first: string, then: string): void {
  expect(events).toContain(first);
  expect(events).toContain(then);
  expect(events.indexOf(first)).toBeLessThan(events.indexOf(then));
}

const subnetsOf = async (network: string) => ((await docker().getNetwork(network).inspect()).IPAM?.Config ?? []).map((c) => c.Subnet);
const gone = (network: string) => docker().getNetwork(network).inspect().then(() => false, () => true);
// A second octet of the test's own, a third at random: a network left by an interrupted run never overlaps this one's.
const cidr = (second: number) => `10.${second}.${Math.floor(Math.random() * 250)}`;

/** A server on a net with one subnet; `v` is the server's metadata, whose change replaces it. */
const netAndServer = (net: string, prefix: string, v: string) => writeTemplate(`
heat_template_version: 2016-10-14
resources:
  net:
    type: OS::Neutron::Net
    properties: {name: ${net}}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: ${prefix}.0/24}
  server:
    type: OS::Nova::Server
    depends_on: subnet
    properties: {image: busybox, flavor: m1.tiny, networks: [{network: {get_resource: net}}], metadata: {v: "${v}"}}
outputs:
  instance: {value: {get_attr: [server, instance_name]}}
`);

test('a server without a fixed address is replaced new copy first, on the same net, under its own copy id', async () => {
  const stack = uniqueName('replace-server');
  stacks.push(stack);
  const prefix = cidr(247);
  expect(stoke('stack', 'create', stack, '-t', netAndServer('a', prefix, '1'), '--wait').status).toBe(0);
  const created = showStack(stack).resources;

  const events = await update(stack, netAndServer('a', prefix, '2'));
  const replaced = showStack(stack).resources;
  const copy = replaced.server!.copy!;
  expect(copy).toMatch(/^[0-9a-f]{8}$/);
  expect(events).toEqual([`create ${replaced.server!.physicalId}`, `destroy ${created.server!.physicalId}`]);
  const made = await docker().getContainer(replaced.server!.physicalId).inspect();
  expect(made.Name).toBe(`/${stack}-server-${copy}`);
  expect(made.Config.Labels['org.stoke.copy']).toBe(copy);
  expect(made.Config.Labels['org.stoke.meta.v']).toBe('2');
  expect(made.Config.Hostname).toBe(`${stack}-server`);
  expect(showStack(stack).outputs.instance!.value).toBe(`${stack}-server-${copy}`);
  expect(replaced.net!.physicalId).toBe(created.net!.physicalId);

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toEqual([]);
  expect(await gone(`${stack}-a`)).toBe(true);
});

test('a net renamed with another CIDR is replaced new copy first, with its server; the old copies go after, the server before its net', async () => {
  const stack = uniqueName('replace-net');
  stacks.push(stack);
  const [first, second] = [cidr(248), cidr(244)];
  expect(stoke('stack', 'create', stack, '-t', netAndServer('a', first, '1'), '--wait').status).toBe(0);
  const created = showStack(stack).resources;

  const events = await update(stack, netAndServer('b', second, '1'));
  const after = showStack(stack).resources;
  const network = after.net!.physicalId;
  expect(network).toBe(`${stack}-b-${after.net!.copy}`);
  before(events, `create ${network}`, `destroy ${stack}-a`);
  before(events, `create ${after.server!.physicalId}`, `destroy ${created.server!.physicalId}`);
  before(events, `destroy ${created.server!.physicalId}`, `destroy ${stack}-a`);
  expect(await subnetsOf(network)).toEqual([`${second}.0/24`]);
  expect(await gone(`${stack}-a`)).toBe(true);
  const server = await docker().getContainer(after.server!.physicalId).inspect();
  expect(server.State.Running).toBe(true);
  expect(Object.keys(server.NetworkSettings.Networks)).toEqual([network]);
  expect((await stackContainers(stack)).map((c) => c.Id)).toEqual([after.server!.physicalId]);
  await recordHistories(stack, 'replace-infra-new-copy-first');

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toEqual([]);
  expect(await gone(network)).toBe(true);
});

test('a server with a fixed address, and a subnet whose new net takes the same CIDR, are replaced old copy first, and the update completes', async () => {
  const stack = uniqueName('replace-infra-fixed');
  stacks.push(stack);
  const [first, second] = [cidr(249), cidr(246)];
  const version = (bare: string, v: string) => writeTemplate(`
heat_template_version: 2016-10-14
resources:
  net:
    type: OS::Neutron::Net
    properties: {name: fixed}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: ${first}.0/24}
  server:
    type: OS::Nova::Server
    depends_on: subnet
    properties: {image: busybox, flavor: m1.tiny, networks: [{network: {get_resource: net}, fixed_ip: ${first}.10}], metadata: {v: "${v}"}}
  bare:
    type: OS::Neutron::Net
    properties: {name: ${bare}}
  bare_subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: bare}, cidr: ${second}.0/24}
`);
  expect(stoke('stack', 'create', stack, '-t', version('one', '1'), '--wait').status).toBe(0);
  const created = showStack(stack).resources;

  const events = await update(stack, version('two', '2'));
  const after = showStack(stack).resources;
  // Both copies would hold the address: the old one goes first, and the new one gets it.
  before(events, `destroy ${created.server!.physicalId}`, `create ${after.server!.physicalId}`);
  const server = await docker().getContainer(after.server!.physicalId).inspect();
  expect(server.State.Running).toBe(true);
  expect(server.NetworkSettings.Networks[`${stack}-fixed`]!.IPAddress).toBe(`${first}.10`);
  // The renamed net's new copy is made first, and gets the CIDR once the old subnet gave it back.
  const bare = after.bare!.physicalId;
  expect(bare).toBe(`${stack}-two-${after.bare!.copy}`);
  expect(await subnetsOf(bare)).toEqual([`${second}.0/24`]);
  expect(await gone(`${stack}-one`)).toBe(true);

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await gone(bare)).toBe(true);
  expect(await gone(`${stack}-fixed`)).toBe(true);
});

test('a renamed net whose subnet keeps its CIDR while a server still uses the old net fails, saying why, and rolls back with the old server running', async () => {
  const stack = uniqueName('replace-infra-overlap');
  stacks.push(stack);
  const prefix = cidr(245);
  const version = (net: string) => writeTemplate(`
heat_template_version: 2016-10-14
resources:
  net:
    type: OS::Neutron::Net
    properties: {name: ${net}}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: ${prefix}.0/24}
  server:
    type: OS::Nova::Server
    depends_on: subnet
    properties: {image: busybox, flavor: m1.tiny, networks: [{network: {get_resource: net}}]}
`);
  expect(stoke('stack', 'create', stack, '-t', version('a'), '--wait').status).toBe(0);
  const created = showStack(stack).resources;

  const failed = stoke('stack', 'update', stack, '-t', version('b'), '--wait');
  expect(failed.status).toBe(1);
  expect(failed.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Resource UPDATE failed: subnet: resources.subnet.properties.cidr: Docker refused the subnet ${prefix}.0/24`);
  expect(failed.stdout).toMatch(/overlaps/i);
  const state = showStack(stack).resources;
  expect(state.net!.physicalId).toBe(`${stack}-a`);
  expect(state.server!.physicalId).toBe(created.server!.physicalId);
  expect((await docker().getContainer(created.server!.physicalId).inspect()).State.Running).toBe(true);
  expect(await subnetsOf(`${stack}-a`)).toEqual([`${prefix}.0/24`]);
  expect((await docker().listNetworks({ filters: { label: [`org.stoke.stack-id=${showStack(stack).id}`] } })).map((n) => n.Name)).toEqual([`${stack}-a`]);

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
});
