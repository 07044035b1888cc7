/** What a stack update does to each resource, decided from the old state and the new plan alone. */
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { JsonObject, ResourceState, StackPlan, StackState } from '../../src/template/types';
import { changedProperties, deletesFirst, diffResource, externalUpdate, removedResources } from '../../workflows/update-plan';

function plan(resources: string): StackPlan {
  const { plan: planned, errors } = planStack({ stackName: 'demo', template: parseFile(`heat_template_version: 2016-10-14\nresources:\n${resources}`, 'demo.yaml') });
  expect(errors).toEqual([]);
  return planned!;
}

/** The state a create of `from` leaves: each resource made, with its planned properties as resolved. */
function created(from: StackPlan): StackState {
  const resources = Object.fromEntries(Object.entries(from.resources).map(([name, r]): [string, ResourceState] => [name, {
    type: r.type, handler: r.handler, runs: r.runs, status: 'CREATE_COMPLETE', statusReason: '', physicalId: `id-${name}`, attributes: {},
    requires: r.requires, deletionPolicy: r.deletionPolicy, properties: r.properties, updatedAt: '', ...(r.externalId !== undefined ? { externalId: r.externalId } : {}),
  }]));
  return { name: 'demo', id: 'x', status: 'CREATE_COMPLETE', statusReason: '', resources, outputs: {}, createdAt: '', updatedAt: '' };
}

const container = (props: string) => `  web:\n    type: DockerInc::Docker::Container\n    properties: {image: busybox, ${props}}\n`;

/** The change a resource undergoes when `before` is updated to `after`. */
function change(before: string, after: string, name = 'web') {
  const next = plan(after);
  return diffResource(created(plan(before)).resources[name]!, next.resources[name]!, next.resources[name]!.properties);
}

test('the same definition is unchanged, whatever the key order', () => {
  expect(change(container('cmd: [sleep, "1000"], memory: 8000000'), container('memory: 8000000, cmd: [sleep, "1000"]'))).toEqual({ change: 'unchanged', changed: [] });
  expect(changedProperties({ a: { x: 1, y: [1, { z: 2 }] } }, { a: { y: [1, { z: 2 }], x: 1 } })).toEqual([]);
});

test('a container whose memory, cpu_shares, cpu_set or restart policy changed is updated in place', () => {
  expect(change(container('memory: 8000000'), container('memory: 16000000'))).toEqual({ change: 'update', changed: ['memory'] });
  expect(change(container('cpu_shares: 512'), container('cpu_shares: 256, cpu_set: "0", restart_policy: {Name: always}')))
    .toEqual({ change: 'update', changed: ['cpu_set', 'cpu_shares', 'restart_policy'] });
});

test('any other change replaces the container, and names what changed', () => {
  expect(change(container('env: [A=1]'), container('env: [A=2]'))).toEqual({ change: 'replace', changed: ['env'] });
  expect(change(container('env: [A=1], memory: 8000000'), container('env: [A=2], memory: 16000000'))).toEqual({ change: 'replace', changed: ['env', 'memory'] });
});

test('a changed type replaces the resource even when the properties match', () => {
  expect(change('  r: {type: OS::Heat::None}\n', '  r: {type: OS::Heat::TestResource}\n', 'r')).toEqual({ change: 'replace', changed: ['type'] });
});

test('a type without an update hook is replaced on any change: a RandomString keeps its value only while its properties stay', () => {
  const random = (length: number) => `  pw: {type: OS::Heat::RandomString, properties: {length: ${length}}}\n`;
  expect(plan(random(8)).resources.pw!.runs.updatable).toBeUndefined();
  expect(change(random(8), random(8), 'pw').change).toBe('unchanged');
  expect(change(random(8), random(9), 'pw')).toEqual({ change: 'replace', changed: ['length'] });
});

test("a deployment is updated in place when its config or input values change (Heat's deployment update), and replaced on a new server", () => {
  const deployment = (props: string) => `  deploy:\n    type: OS::Heat::SoftwareDeployment\n    properties: {server: srv, config: cfg, ${props}}\n`;
  expect(plan(deployment('')).resources.deploy!.runs.updatable).toEqual(['actions', 'config', 'input_values', 'name']);
  expect(change(deployment('input_values: {a: 1}'), deployment('input_values: {a: 2}'), 'deploy')).toEqual({ change: 'update', changed: ['input_values'] });
  expect(change(deployment(''), deployment('actions: [CREATE]').replace('config: cfg', 'config: other'), 'deploy'))
    .toEqual({ change: 'update', changed: ['actions', 'config'] });
  expect(change(deployment(''), deployment('').replace('server: srv', 'server: elsewhere'), 'deploy')).toEqual({ change: 'replace', changed: ['server'] });
});

test('a resource whose create failed is made anew even when its definition is the same', () => {
  const before = created(plan(container('memory: 8000000')));
  before.resources.web!.status = 'CREATE_FAILED';
  const next = plan(container('memory: 8000000'));
  expect(diffResource(before.resources.web!, next.resources.web!, next.resources.web!.properties).change).toBe('replace');
});

test('the plan carries what the workflow cannot ask the registry: what updates in place', () => {
  const next = plan(`${container('memory: 8000000')}  pw: {type: OS::Heat::RandomString}\n`);
  expect(next.resources.web!.runs.updatable).toEqual(['cpu_set', 'cpu_shares', 'memory', 'restart_policy']);
});

/** Whether replacing `before` by `after` deletes the old copy first. */
function oldFirst(before: string, after: string, name = 'web'): boolean {
  const next = plan(after);
  return deletesFirst(next.resources[name]!, created(plan(before)).resources[name]!, next.resources[name]!.properties);
}

test('a container is replaced new copy first: its handler tells copies apart; in-worker values too', () => {
  expect(oldFirst(container('env: [A=1]'), container('env: [A=2]'))).toBe(false);
  const random = (length: number) => `  pw: {type: OS::Heat::RandomString, properties: {length: ${length}}}\n`;
  expect(oldFirst(random(8), random(9), 'pw')).toBe(false);
});

test('a container whose old and new copies both take a fixed name or host ports is replaced old copy first', () => {
  expect(oldFirst(container('name: web1, env: [A=1]'), container('name: web1, env: [A=2]'))).toBe(true);
  expect(oldFirst(container('port_bindings: {80: 8080}, env: [A=1]'), container('port_bindings: {80: 8080}, env: [A=2]'))).toBe(true);
  // Only one copy holds the name: both can exist at once.
  expect(oldFirst(container('name: web1'), container('env: [A=2]'))).toBe(false);
  expect(oldFirst(container('env: [A=1]'), container('name: web1'))).toBe(false);
  expect(oldFirst(container('port_bindings: {}, env: [A=1]'), container('port_bindings: {}, env: [A=2]'))).toBe(false);
});

test('what an engine holds without copies told apart (a deployment), or planned before copies were, is replaced old copy first', () => {
  const deployment = (server: string) => `  deploy: {type: OS::Heat::SoftwareDeployment, properties: {server: ${server}, config: cfg}}\n`;
  expect(oldFirst(deployment('a'), deployment('b'), 'deploy')).toBe(true);
  const next = plan(container('env: [A=2]'));
  const { copies: _copies, exclusive: _exclusive, ...before } = next.resources.web!.runs;
  expect(deletesFirst({ ...next.resources.web!, runs: before }, created(plan(container('env: [A=1]'))).resources.web!, next.resources.web!.properties)).toBe(true);
});

test('the plan carries which container properties two copies cannot share', () => {
  expect(plan(container('memory: 8000000')).resources.web!.runs).toMatchObject({ copies: true, exclusive: ['name', 'port_bindings'] });
  expect(plan('  pw: {type: OS::Heat::RandomString}\n').resources.pw!.runs.exclusive).toBeUndefined();
});

test('a resource marked unhealthy is replaced though its definition is the same; the mark reset, it is kept', () => {
  const before = created(plan(container('memory: 8000000')));
  const next = plan(container('memory: 8000000'));
  before.resources.web!.status = 'CHECK_FAILED';
  expect(diffResource(before.resources.web!, next.resources.web!, next.resources.web!.properties)).toEqual({ change: 'replace', changed: [] });
  before.resources.web!.status = 'CHECK_COMPLETE';
  expect(diffResource(before.resources.web!, next.resources.web!, next.resources.web!.properties).change).toBe('unchanged');
});

test('a nested stack whose create or update failed is updated in place, as Heat\'s StackResource; one that failed a check, or is gone, is replaced', () => {
  const stack = '  app: {type: OS::Heat::Stack, properties: {template: {heat_template_version: 2016-10-14}}}\n';
  const before = created(plan(stack));
  const next = plan(stack);
  const diff = () => diffResource(before.resources.app!, next.resources.app!, next.resources.app!.properties);
  for (const status of ['UPDATE_FAILED', 'CREATE_FAILED'] as const) {
    before.resources.app!.status = status;
    expect(diff()).toEqual({ change: 'update', changed: [] });
  }
  // An update begun before this rule replays as it ran: the failed child replaced.
  expect(diffResource(before.resources.app!, next.resources.app!, next.resources.app!.properties, false).change).toBe('replace');
  before.resources.app!.status = 'CHECK_FAILED';
  expect(diff().change).toBe('replace');
  Object.assign(before.resources.app!, { status: 'CREATE_FAILED', physicalId: '' });
  expect(diff().change).toBe('replace');
});

test('removed resources are told by name', () => {
  const before = created(plan(`${container('memory: 8000000')}  a: {type: OS::Heat::None}\n`));
  const after = plan(`${container('memory: 8000000')}  b: {type: OS::Heat::None}\n`);
  expect(removedResources(before, after)).toEqual(['a']);
});

test('properties resolved from a replaced dependency differ, so the dependent changes too', () => {
  const before = created(plan(`  pw: {type: OS::Heat::RandomString}\n${container('env: [{get_resource: pw}]')}`));
  before.resources.web!.properties = { ...before.resources.web!.properties, env: ['old-value'] } as JsonObject;
  const next = plan(`  pw: {type: OS::Heat::RandomString}\n${container('env: [{get_resource: pw}]')}`);
  expect(diffResource(before.resources.web!, next.resources.web!, { ...next.resources.web!.properties, env: ['new-value'] })).toEqual({ change: 'replace', changed: ['env'] });
});

const server = (props: string) => `  vm:\n    type: OS::Nova::Server\n    properties: {image: cirros, flavor: m1.tiny, ${props}}\n`;

test('a server is replaced new copy first, with its own name or networks that fix no address: a hostname is no collision', () => {
  expect(oldFirst(server('metadata: {v: "1"}'), server('metadata: {v: "2"}'), 'vm')).toBe(false);
  expect(oldFirst(server('name: web, metadata: {v: "1"}'), server('name: web, metadata: {v: "2"}'), 'vm')).toBe(false);
  expect(oldFirst(server('networks: [{network: n}], metadata: {v: "1"}'), server('networks: [{network: n}], metadata: {v: "2"}'), 'vm')).toBe(false);
});

test('a server whose old and new copies both fix an address, by fixed_ip or by a port, is replaced old copy first', () => {
  const fixed = (ip: string, v: string) => server(`networks: [{network: n}, {network: m, fixed_ip: ${ip}}], metadata: {v: "${v}"}`);
  expect(oldFirst(fixed('10.0.0.5', '1'), fixed('10.0.0.5', '2'), 'vm')).toBe(true);
  expect(oldFirst(server('networks: [{port: p1}]'), server('networks: [{port: p1}], metadata: {v: "2"}'), 'vm')).toBe(true);
  // Only the new copy fixes its address: the old one holds none of it.
  expect(oldFirst(server('networks: [{network: m}]'), fixed('10.0.0.5', '2'), 'vm')).toBe(false);
  const instance = (props: string) => `  vm:\n    type: AWS::EC2::Instance\n    properties: {ImageId: cirros, InstanceType: m1.tiny, ${props}}\n`;
  expect(oldFirst(instance('PrivateIpAddress: 10.0.0.5, KeyName: a'), instance('PrivateIpAddress: 10.0.0.5, KeyName: b'), 'vm')).toBe(true);
  expect(oldFirst(instance('KeyName: a'), instance('KeyName: b'), 'vm')).toBe(false);
});

test('a net is replaced new copy first; a subnet whose copies both take a CIDR, or a port both fix an address of, old copy first', () => {
  const net = (name: string) => `  net: {type: OS::Neutron::Net, properties: {name: ${name}}}\n`;
  expect(oldFirst(net('a'), net('b'), 'net')).toBe(false);
  const subnet = (props: string) => `  sub: {type: OS::Neutron::Subnet, properties: {network: n, ${props}}}\n`;
  expect(oldFirst(subnet('cidr: 10.0.0.0/24, name: a'), subnet('cidr: 10.0.0.0/24, name: b'), 'sub')).toBe(true);
  expect(oldFirst(subnet('name: a'), subnet('name: b'), 'sub')).toBe(false);
  const port = (props: string) => `  port: {type: OS::Neutron::Port, properties: {network: n, ${props}}}\n`;
  expect(oldFirst(port('fixed_ips: [{ip_address: 10.0.0.5}], name: a'), port('fixed_ips: [{ip_address: 10.0.0.5}], name: b'), 'port')).toBe(true);
  // A subnet alone fixes no address: the port takes a free one.
  expect(oldFirst(port('fixed_ips: [{subnet: s}], name: a'), port('fixed_ips: [{subnet: s}], name: b'), 'port')).toBe(false);
  expect(oldFirst('  r: {type: OS::Neutron::Router, properties: {name: a}}\n', '  r: {type: OS::Neutron::Router, properties: {name: b}}\n', 'r')).toBe(false);
});

test('the plan carries which server and network properties two copies cannot share, down to the key of a list item', () => {
  expect(plan(server('name: web')).resources.vm!.runs).toMatchObject({ copies: true, exclusive: ['networks.fixed_ip', 'networks.port'] });
  expect(plan('  vm: {type: AWS::EC2::Instance, properties: {ImageId: cirros, InstanceType: m1.tiny}}\n').resources.vm!.runs.exclusive).toEqual(['PrivateIpAddress']);
  expect(plan('  sub: {type: OS::Neutron::Subnet, properties: {network: n, cidr: 10.0.0.0/24}}\n').resources.sub!.runs.exclusive).toEqual(['cidr']);
  expect(plan('  net: {type: OS::Neutron::Net}\n').resources.net!.runs).toMatchObject({ copies: true });
  expect(plan('  net: {type: OS::Neutron::Net}\n').resources.net!.runs.exclusive).toBeUndefined();
});

test('an external resource is kept whatever its properties say; a change of its external_id is refused; a failed take-over is tried again', () => {
  const external = (id: string, props = '') => `  web:\n    type: DockerInc::Docker::Container\n    external_id: ${id}\n${props}`;
  const update = (before: string, after: string, status?: ResourceState['status']) => {
    const old = created(plan(before)).resources.web!;
    return externalUpdate(status ? { ...old, status } : old, plan(after).resources.web!);
  };
  expect(update(external('abc'), external('abc', '    properties: {image: alpine}\n'))).toBe('kept');
  expect(update(external('abc'), external('abd'))).toBe('refused');
  expect(update(external('abc'), container('cmd: [sleep, "1"]'))).toBe('refused');
  expect(update(container('cmd: [sleep, "1"]'), external('abc'))).toBe('refused');
  expect(update(external('abc'), external('abc'), 'ADOPT_FAILED')).toBeUndefined();
  expect(update(external('abc'), external('abd'), 'INIT_COMPLETE')).toBeUndefined();
  expect(update(container('cmd: [sleep, "1"]'), container('cmd: [sleep, "2"]'))).toBeUndefined();
});
