/**
 * Nested stacks in stoke's views, on the real server and engine: resources and events down to a depth, each
 * naming its stack; a nested stack's show naming its parent; a nested resource's show naming its stack; and the
 * root's labels on what a grandchild makes.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NestedEvent } from '../../src/client/events';
import type { ResourceDetail } from '../../src/client/resource-detail';
import type { StackState } from '../../src/template/types';
import { SLEEPER, docker, showStack, startWorker, stoke, stopWorker, uniqueName, tempDir } from '../helpers';

let worker: ChildProcess | undefined;
const stack = uniqueName('nviews');
let root: StackState;
/** The child (app) and the grandchild (app's db). */
let child: StackState;
let grandchild: StackState;

const FILES = {
  'root.yaml': `
heat_template_version: 2016-10-14
resources:
  app: {type: lib/app.yaml}
  word: {type: OS::Heat::RandomString, properties: {length: 4}}
outputs:
  deep: {value: {get_attr: [app, deep]}}
`,
  'lib/app.yaml': `
heat_template_version: 2016-10-14
resources:
  db: {type: db.yaml}
  marker: {type: OS::Heat::None}
outputs:
  deep: {value: {get_attr: [db, name]}}
`,
  'lib/db.yaml': `
heat_template_version: 2016-10-14
resources:
  box: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: ${SLEEPER}}}
outputs:
  name: {value: {get_param: OS::stack_name}}
`,
};

function json<T>(...args: string[]): T {
  const result = stoke(...args, '-f', 'json');
  if (result.status !== 0) throw new Error(`stoke ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  worker = await startWorker();
  const dir = tempDir('stoke-nested-views');
  for (const [name, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const created = stoke('stack', 'create', stack, '-t', path.join(dir, 'root.yaml'), '--wait');
  if (created.status !== 0) throw new Error(`create failed: ${created.stderr}`);
  root = showStack(stack);
  grandchild = showStack(String(root.outputs.deep!.value));
  child = showStack(grandchild.parent!.name);
}, 180_000);

afterAll(async () => {
  stoke('stack', 'delete', stack, '--wait');
  await stopWorker(worker);
});

type Row = Record<string, string>;

test('stack resource list --nested-depth lists nested stacks\' resources after the stack\'s own, each with its stack\'s name', () => {
  const rows = json<Row[]>('stack', 'resource', 'list', stack, '--nested-depth', '2');
  expect(rows.map((r) => [r.stack_name, r.resource_name])).toEqual([
    [stack, 'app'], [stack, 'word'], [child.name, 'db'], [child.name, 'marker'], [grandchild.name, 'box'],
  ]);
  expect(rows.find((r) => r.resource_name === 'box')).toEqual({
    resource_name: 'box', physical_resource_id: grandchild.resources.box!.physicalId, resource_type: 'DockerInc::Docker::Container',
    resource_status: 'CREATE_COMPLETE', updated_time: grandchild.resources.box!.updatedAt, stack_name: grandchild.name,
  });
  expect(json<Row[]>('stack', 'resource', 'list', stack, '--nested-depth', '1').map((r) => r.resource_name)).toEqual(['app', 'word', 'db', 'marker']);

  const table = stoke('stack', 'resource', 'list', stack, '-n', '2');
  expect(table.status).toBe(0);
  expect(table.stdout.split('\n')[0]).toMatch(/^resource_name +physical_resource_id +resource_type +resource_status +updated_time +stack_name$/);
  expect(table.stdout).toMatch(new RegExp(`box .* ${grandchild.name}\\n?$`));

  // Without the option the listing is what it was: the stack's own resources by name.
  expect(json<Row[]>('stack', 'resource', 'list', stack).map((r) => r.resource_name)).toEqual(['app', 'word']);
  const bad = stoke('stack', 'resource', 'list', stack, '--nested-depth', 'two');
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/--nested-depth 'two' must be a whole number/);
});

test('stack event list --nested-depth gives the nested stacks\' events too, by time, each naming its stack', () => {
  const events = json<NestedEvent[]>('stack', 'event', 'list', stack, '--nested-depth', '2');
  const of = (name: string) => events.filter((e) => e.stack_name === name).map((e) => `${e.resource_name} ${e.resource_status}`);
  expect(of(grandchild.name)).toEqual([
    `${grandchild.name} CREATE_IN_PROGRESS`, 'box CREATE_IN_PROGRESS', 'box CREATE_COMPLETE', `${grandchild.name} CREATE_COMPLETE`,
  ]);
  expect(of(child.name)).toContain('marker CREATE_COMPLETE');
  expect(of(stack)).toEqual(json<NestedEvent[]>('stack', 'event', 'list', stack).map((e) => `${e.resource_name} ${e.resource_status}`));
  const times = events.map((e) => e.event_time);
  expect(times).toEqual([...times].sort());
  // The grandchild's work falls inside its parent resource's create.
  const at = (name: string, status: string) => events.findIndex((e) => e.resource_name === name && e.resource_status === status);
  expect(at('db', 'CREATE_IN_PROGRESS')).toBeLessThan(at('box', 'CREATE_COMPLETE'));
  expect(at('box', 'CREATE_COMPLETE')).toBeLessThan(at('db', 'CREATE_COMPLETE'));

  expect(new Set(json<NestedEvent[]>('stack', 'event', 'list', stack, '--nested-depth', '1').map((e) => e.stack_name))).toEqual(new Set([stack, child.name]));
  const table = stoke('stack', 'event', 'list', stack, '--nested-depth', '2');
  expect(table.stdout.split('\n')[0]).toMatch(/ stack_name$/);
  const both = stoke('stack', 'event', 'list', stack, '--nested-depth', '2', '--resource', 'app');
  expect(both.status).not.toBe(0);
  expect(both.stderr).toMatch(/--nested-depth cannot be given with --resource/);
});

test('a nested stack\'s show names its parent; a nested resource\'s show names its stack', () => {
  const shown = stoke('stack', 'show', grandchild.name);
  expect(shown.status).toBe(0);
  // Heat's `parent` is the parent's id; where it sits is named beside it.
  expect(shown.stdout).toMatch(new RegExp(`\\nparent +${child.id}\\n`));
  expect(shown.stdout).toMatch(/\nparent_resource +db\n/);
  expect(shown.stdout).toMatch(new RegExp(`\\nroot_stack +${stack}\\n`));
  expect(stoke('stack', 'show', stack).stdout).not.toMatch(/\nparent_resource/);
  expect(json<{ parent: string | null }>('stack', 'show', stack).parent).toBeNull();

  expect(json<ResourceDetail>('stack', 'resource', 'show', stack, 'app').nested_stack).toBe(child.name);
  expect(json<ResourceDetail>('stack', 'resource', 'show', child.name, 'db').nested_stack).toBe(grandchild.name);
  expect(json<ResourceDetail>('stack', 'resource', 'show', stack, 'word')).not.toHaveProperty('nested_stack');
  expect(stoke('stack', 'resource', 'show', stack, 'app').stdout).toMatch(new RegExp(`\\nnested_stack +${child.name}\\n?`));
});

test('what a grandchild makes carries the root stack\'s labels besides its own', async () => {
  const [box] = await docker().listContainers({ all: true, filters: { label: [`org.stoke.stack-id=${grandchild.id}`] } });
  expect(box!.Labels).toMatchObject({
    'org.stoke.stack': grandchild.name, 'org.stoke.stack-id': grandchild.id, 'org.stoke.resource': 'box',
    'org.stoke.root-stack': stack, 'org.stoke.root-stack-id': root.id,
  });
  const tree = await docker().listContainers({ all: true, filters: { label: [`org.stoke.root-stack-id=${root.id}`] } });
  expect(tree.map((c) => c.Id)).toEqual([box!.Id]);
});
