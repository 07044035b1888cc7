/** `stack create --dry-run` and `stack update --dry-run`: each resource's fate, decided by the update's diff, unknowns said so. */
import { previewRows } from '../../src/cli/dry-run';
import { previewCreate, previewUpdate } from '../../src/client/preview';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { ResourceState, StackPlan, StackState } from '../../src/template/types';

function plan(resources: string): StackPlan {
  const { plan: planned, errors } = planStack({ stackName: 'demo', template: parseFile(`heat_template_version: 2016-10-14\nresources:\n${resources}`, 'demo.yaml') });
  expect(errors).toEqual([]);
  return planned!;
}

/** The state a create of `from` leaves: references resolved to ids `id-<name>`, attribute `network_ip` to `ip-<name>`. */
function created(from: StackPlan): StackState {
  const resolved = (name: string) => JSON.parse(JSON.stringify(from.resources[name]!.properties)
    .replace(/\{"get_resource":"(\w+)"\}/g, '"id-$1"').replace(/\{"get_attr":\["(\w+)","network_ip"\]\}/g, '"ip-$1"'));
  const resources = Object.fromEntries(Object.entries(from.resources).map(([name, r]): [string, ResourceState] => [name, {
    type: r.type, handler: r.handler, runs: r.runs, status: 'CREATE_COMPLETE', statusReason: '', physicalId: `id-${name}`, attributes: { network_ip: `ip-${name}` },
    requires: r.requires, deletionPolicy: r.deletionPolicy, properties: resolved(name), updatedAt: '', ...(r.externalId !== undefined ? { externalId: r.externalId } : {}),
  }]));
  return { name: 'demo', id: 'x', status: 'CREATE_COMPLETE', statusReason: '', resources, outputs: {}, createdAt: '', updatedAt: '' };
}

const container = (name: string, props: string) => `  ${name}:\n    type: DockerInc::Docker::Container\n    properties: {image: busybox, ${props}}\n`;
const preview = (before: string, after: string) => previewUpdate(created(plan(before)), plan(after));
const actions = (before: string, after: string) => Object.fromEntries(preview(before, after).map((p) => [p.resource, p.action]));

test('a create adds every resource, each after what it requires', () => {
  const previews = previewCreate(plan(container('web', 'env: [{get_resource: db}]') + container('db', 'memory: 8000000')));
  expect(previews).toEqual([
    { resource: 'db', type: 'DockerInc::Docker::Container', action: 'add', changed: [] },
    { resource: 'web', type: 'DockerInc::Docker::Container', action: 'add', changed: [] },
  ]);
});

test('unchanged, updated in place, replaced, added and deleted, with the properties that cause it', () => {
  const before = container('keep', 'memory: 8000000') + container('grow', 'memory: 8000000') + container('swap', 'env: [A=1]') + '  gone: {type: OS::Heat::None}\n';
  const after = container('keep', 'memory: 8000000') + container('grow', 'memory: 16000000') + container('swap', 'env: [A=2]') + '  new: {type: OS::Heat::None}\n';
  expect(preview(before, after)).toEqual([
    { resource: 'grow', type: 'DockerInc::Docker::Container', action: 'update', changed: ['memory'] },
    { resource: 'keep', type: 'DockerInc::Docker::Container', action: 'unchanged', changed: [] },
    { resource: 'new', type: 'OS::Heat::None', action: 'add', changed: [] },
    { resource: 'swap', type: 'DockerInc::Docker::Container', action: 'replace', changed: ['env'] },
    { resource: 'gone', type: 'OS::Heat::None', action: 'delete', changed: [] },
  ]);
});

test('what reads a replaced resource may change, and says what it depends on instead of guessing', () => {
  const random = (length: number) => `  pw: {type: OS::Heat::RandomString, properties: {length: ${length}}}\n`;
  const uses = container('uses', 'env: [{get_resource: pw}]') + container('next', 'env: [{get_resource: uses}]') + container('apart', 'memory: 8000000');
  const previews = preview(random(8) + uses, random(9) + uses);
  expect(previews.find((p) => p.resource === 'uses')).toEqual({
    resource: 'uses', type: 'DockerInc::Docker::Container', action: 'may change', changed: [], unknown: { properties: ['env'], dependsOn: ['pw'] },
  });
  // What may be replaced makes its own readers uncertain in turn; what reads nothing of it is known.
  expect(previews.find((p) => p.resource === 'next')!.unknown).toEqual({ properties: ['env'], dependsOn: ['uses'] });
  expect(previews.find((p) => p.resource === 'apart')!.action).toBe('unchanged');
  expect(previewRows(previews).find(([name]) => name === 'uses')).toEqual(['uses', 'may change', 'DockerInc::Docker::Container', 'may change: depends on pw (env)']);
  // Unchanged, its readers are known: the same value.
  expect(actions(random(8) + uses, random(8) + uses)).toEqual({ pw: 'unchanged', uses: 'unchanged', next: 'unchanged', apart: 'unchanged' });
});

test('a known change that replaces stays a replace, the unknown properties named beside it', () => {
  const before = container('db', 'env: [A=1]') + container('web', 'cmd: [a], env: [{get_resource: db}]');
  const after = container('db', 'env: [A=2]') + container('web', 'cmd: [b], env: [{get_resource: db}]');
  const web = preview(before, after).find((p) => p.resource === 'web')!;
  expect(web).toMatchObject({ action: 'replace', changed: ['cmd'], unknown: { properties: ['env'], dependsOn: ['db'] } });
  expect(previewRows([web])[0]![3]).toBe('changed: cmd; may change: depends on db (env)');
});

test('an update in place keeps the id its readers get, but not the attributes they read', () => {
  const readers = container('byId', 'env: [{get_resource: src}]') + container('byAttr', 'env: [{get_attr: [src, network_ip]}]');
  const previews = preview(container('src', 'memory: 8000000') + readers, container('src', 'memory: 16000000') + readers);
  expect(Object.fromEntries(previews.map((p) => [p.resource, p.action]))).toEqual({ src: 'update', byId: 'unchanged', byAttr: 'may change' });
  expect(previews.find((p) => p.resource === 'byAttr')!.unknown).toEqual({ properties: ['env'], dependsOn: ['src'] });
});

test('a property that cannot be known, but that the type updates in place, leaves a known update an update', () => {
  const before = container('db', 'env: [A=1]') + container('web', 'memory: 8000000, cpu_shares: 2');
  const after = container('db', 'env: [A=2]') + container('web', 'memory: 16000000, cpu_shares: {get_attr: [db, network_ip]}');
  expect(preview(before, after).find((p) => p.resource === 'web')).toMatchObject({ action: 'update', changed: ['memory'], unknown: { properties: ['cpu_shares'] } });
});

test('an external resource whose properties changed stays unchanged, as the update leaves it', () => {
  const external = (props: string) => `  web:\n    type: DockerInc::Docker::Container\n    external_id: abc\n    properties: {${props}}\n`;
  expect(actions(external('image: busybox'), external('image: alpine'))).toEqual({ web: 'unchanged' });
  expect(actions(container('web', 'memory: 8000000'), container('web', 'memory: 16000000'))).toEqual({ web: 'update' });
});
