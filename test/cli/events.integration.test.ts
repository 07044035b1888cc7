/**
 * `stoke stack event list | show` against the real server and engine: every status change of the stack and its
 * resources, in order, across the stack's actions, read back from the workflows themselves (a new worker
 * rebuilds them by replay), a failed resource's reason, and --follow.
 */
import type { ChildProcess } from 'node:child_process';
import { parse } from 'yaml';
import type { StackEvent } from '../../src/client/events';
import { SLEEPER, stackContainers, startWorker, stoke, stokeAsync, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  await stopWorker(worker);
});

/** Two containers, app after db; `appExtra` adds to app's properties. */
const linked = (appExtra = '') => writeTemplate(`
heat_template_version: 2016-10-14
resources:
  db:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  app:
    type: DockerInc::Docker::Container
    depends_on: db
    properties: {image: busybox, cmd: ${SLEEPER}${appExtra}}
`);
const LINKED = linked();

function events(stack: string, ...args: string[]): StackEvent[] {
  const listed = stoke('stack', 'event', 'list', stack, '-f', 'json', ...args);
  expect(listed.stderr).toBe('');
  expect(listed.status).toBe(0);
  return JSON.parse(listed.stdout) as StackEvent[];
}

const changes = (list: StackEvent[]) => list.map((e) => `${e.resource_name} ${e.resource_status}`);

test('a create then a delete: each status change in order, with ids that stay, rebuilt by a worker that never ran them', async () => {
  const stack = uniqueName('events');
  expect(stoke('stack', 'create', stack, '-t', LINKED, '--wait').status).toBe(0);
  const stackId = JSON.parse(stoke('stack', 'show', stack, '-f', 'json').stdout).id as string;
  const [db] = (await stackContainers(stack)).filter((c) => c.Labels['org.stoke.resource'] === 'db');

  const created = events(stack);
  expect(changes(created)).toEqual([
    `${stack} CREATE_IN_PROGRESS`, 'db CREATE_IN_PROGRESS', 'db CREATE_COMPLETE', 'app CREATE_IN_PROGRESS', 'app CREATE_COMPLETE', `${stack} CREATE_COMPLETE`,
  ]);
  expect(created[0]).toMatchObject({ resource_type: 'OS::Heat::Stack', physical_resource_id: stackId, resource_status_reason: 'Stack CREATE started' });
  expect(created[2]).toMatchObject({ resource_type: 'DockerInc::Docker::Container', physical_resource_id: db!.Id, resource_status_reason: 'state changed' });
  expect(created[5]!.resource_status_reason).toBe('Stack CREATE completed successfully');
  expect(new Set(created.map((e) => e.id)).size).toBe(created.length);
  const times = created.map((e) => e.event_time);
  expect(times).toEqual([...times].sort());

  // A new worker has none of the runs cached: it answers by replaying their histories.
  await stopWorker(worker);
  worker = await startWorker();
  expect(events(stack)).toEqual(created);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  const all = events(stack);
  expect(all.slice(0, created.length)).toEqual(created);
  expect(changes(all.slice(created.length))).toEqual([
    `${stack} DELETE_IN_PROGRESS`, 'app DELETE_IN_PROGRESS', 'app DELETE_COMPLETE', 'db DELETE_IN_PROGRESS', 'db DELETE_COMPLETE', `${stack} DELETE_COMPLETE`,
  ]);

  expect(changes(events(stack, '--resource', 'db'))).toEqual(['db CREATE_IN_PROGRESS', 'db CREATE_COMPLETE', 'db DELETE_IN_PROGRESS', 'db DELETE_COMPLETE']);
  const table = stoke('stack', 'event', 'list', stack).stdout;
  expect(table.split('\n')[0]).toMatch(/^event_time +resource_name +id +resource_status +resource_status_reason$/);
  expect(table).toMatch(new RegExp(`^\\S+ +db +${created[2]!.id} +CREATE_COMPLETE +state changed$`, 'm'));
  expect(parse(stoke('stack', 'event', 'list', stack, '-f', 'yaml').stdout)).toEqual(all);

  const shown = stoke('stack', 'event', 'show', stack, 'db', created[2]!.id, '-f', 'json');
  expect(shown.status).toBe(0);
  expect(JSON.parse(shown.stdout)).toEqual(created[2]);
  expect(stoke('stack', 'event', 'show', stack, 'db', created[2]!.id).stdout).toMatch(new RegExp(`^physical_resource_id +${db!.Id}$`, 'm'));
});

test('check, suspend, resume and update record their events too, each action after the one before', () => {
  const stack = uniqueName('actions');
  expect(stoke('stack', 'create', stack, '-t', LINKED, '--wait').status).toBe(0);
  try {
    for (const action of ['check', 'suspend', 'resume']) expect(stoke('stack', action, stack, '--wait').status).toBe(0);
    const updated = linked(', env: [CHANGED=1]');
    expect(stoke('stack', 'update', stack, '-t', updated, '--wait').status).toBe(0);
    const all = events(stack);
    expect(changes(all.filter((e) => e.resource_type === 'OS::Heat::Stack'))).toEqual([
      'CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'CHECK_IN_PROGRESS', 'CHECK_COMPLETE', 'SUSPEND_IN_PROGRESS', 'SUSPEND_COMPLETE',
      'RESUME_IN_PROGRESS', 'RESUME_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE',
    ].map((status) => `${stack} ${status}`));
    const app = all.filter((e) => e.resource_name === 'app');
    expect(changes(app)).toEqual([
      'CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'CHECK_IN_PROGRESS', 'CHECK_COMPLETE', 'SUSPEND_IN_PROGRESS', 'SUSPEND_COMPLETE',
      'RESUME_IN_PROGRESS', 'RESUME_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE',
    ].map((status) => `app ${status}`));
    expect(app[8]!.resource_status_reason).toBe('changed: env');
    // Replaced, a container's new copy first: the update's end names the new container, the old copy's delete the old one.
    const oldId = app[1]!.physical_resource_id;
    const newId = JSON.parse(stoke('stack', 'show', stack, '--state').stdout).resources.app.physicalId as string;
    expect(newId).not.toBe(oldId);
    expect(app.slice(9).map((e) => e.physical_resource_id)).toEqual([newId, oldId, oldId]);
  } finally {
    stoke('stack', 'delete', stack, '--wait');
  }
});

test('unknown stack, resource or event: a clear message and a non-zero exit', () => {
  const stack = uniqueName('noevents');
  const noStack = stoke('stack', 'event', 'list', stack);
  expect(noStack.status).toBe(1);
  expect(noStack.stderr.trim()).toBe(`ERROR: stack '${stack}' not found`);
  expect(stoke('stack', 'create', stack, '-t', LINKED, '--wait').status).toBe(0);
  try {
    const noResource = stoke('stack', 'event', 'list', stack, '--resource', 'web');
    expect(noResource.status).toBe(1);
    expect(noResource.stderr.trim()).toBe(`ERROR: stack '${stack}' has no resource 'web' (it has: app, db)`);
    const [first] = events(stack);
    for (const [resource, id] of [['db', first!.id], ['db', 'nonsense'], ['db', `${first!.id.split(':')[0]}:999`], ['web', first!.id]]) {
      const missing = stoke('stack', 'event', 'show', stack, resource!, id!);
      expect(missing.status).toBe(1);
      expect(missing.stderr.trim()).toBe(`ERROR: stack '${stack}' has no event '${id}' of resource '${resource}' (see \`stoke stack event list ${stack} --resource ${resource}\`)`);
    }
  } finally {
    stoke('stack', 'delete', stack, '--wait');
  }
});

test('--follow prints the events as they come until the action ends, and fails with it; the failed resource carries the reason', async () => {
  const stack = uniqueName('follow');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  image: {type: string, hidden: true, default: "stoke-no-such-image:1"}
resources:
  kept:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  missing:
    type: DockerInc::Docker::Container
    depends_on: kept
    properties: {image: {get_param: image}}
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--disable-rollback').status).toBe(0);
  try {
    const followed = await stokeAsync('stack', 'event', 'list', stack, '--follow');
    expect(followed.status).toBe(1);
    expect(followed.stderr).toContain(`Stack ${stack} CREATE_FAILED: Resource CREATE failed: missing: `);
    const lines = followed.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ /, '').replace(/\]: (\S+).*$/, ']: $1'))).toEqual([
      `[${stack}]: CREATE_IN_PROGRESS`, '[kept]: CREATE_IN_PROGRESS', '[kept]: CREATE_COMPLETE', '[missing]: CREATE_IN_PROGRESS', '[missing]: CREATE_FAILED', `[${stack}]: CREATE_FAILED`,
    ]);
    const failed = events(stack, '--resource', 'missing').find((e) => e.resource_status === 'CREATE_FAILED');
    // The image is a hidden parameter's value: masked, as `stack show` masks it.
    expect(failed!.resource_status_reason).toContain("image '******' is not on the engine and could not be pulled");
    expect(followed.stdout + followed.stderr).not.toContain('stoke-no-such-image');
    expect(lines[4]).toBe(`${failed!.event_time} [missing]: CREATE_FAILED  ${failed!.resource_status_reason}`);

    // Following a delete: the create's events, then the delete's as it runs, and a zero exit once it completes.
    expect(stoke('stack', 'delete', stack).status).toBe(0);
    const deleted = await stokeAsync('stack', 'event', 'list', stack, '--follow', '-f', 'json');
    expect(deleted.status).toBe(0);
    const streamed = deleted.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as StackEvent);
    expect(changes(streamed).slice(-2)).toEqual(['kept DELETE_COMPLETE', `${stack} DELETE_COMPLETE`]);
    expect(streamed).toEqual(events(stack));
  } finally {
    stoke('stack', 'delete', stack, '--wait');
  }
});
