/**
 * `stoke stack abandon` and `stoke stack adopt` (Heat's): an abandoned stack is forgotten while its containers
 * keep running, and an adopt takes those very containers (same ids, never restarted) and the random string's
 * value into a new stack with the abandoned stack's id, so that its delete removes them as any stack's does.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AbandonData } from '../../src/client/abandon';
import { SLEEPER, docker, recordHistories, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName, waitUntil, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
/** Stacks whose containers to remove even when a test fails half-way (an abandoned stack has no delete). */
const stacks: string[] = [];
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  for (const stack of stacks) {
    if (stoke('stack', 'show', stack).status === 0) stoke('stack', 'delete', stack, '--wait');
    for (const c of await stackContainers(stack)) await docker().getContainer(c.Id).remove({ force: true });
  }
  await stopWorker(worker);
});

const TEMPLATE = `
heat_template_version: 2015-04-30
resources:
  secret:
    type: OS::Heat::RandomString
    properties: {length: 16}
  db:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      cmd: ${SLEEPER}
      env: [{list_join: ['', ['SECRET=', {get_attr: [secret, value]}]]}]
  web:
    type: DockerInc::Docker::Container
    depends_on: db
    properties: {image: busybox, cmd: ${SLEEPER}}
outputs:
  secret: {value: {get_attr: [secret, value]}}
`;

/** Each container's id, start time and restart count, by what the engine says. */
async function started(ids: string[]): Promise<{ id: string; running: boolean; startedAt: string; restarts: number }[]> {
  return Promise.all(ids.map(async (id) => {
    const info = await docker().getContainer(id).inspect();
    return { id: info.Id, running: info.State.Running, startedAt: info.State.StartedAt, restarts: info.RestartCount };
  }));
}

test('abandon forgets the stack and leaves its containers running; adopt takes them back unrestarted, the random string kept; delete removes them', async () => {
  const stack = uniqueName('abandon');
  stacks.push(stack);
  const template = writeTemplate(TEMPLATE);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const created = showStack(stack);
  const ids = [created.resources.db!.physicalId, created.resources.web!.physicalId];
  const secret = created.outputs.secret!.value as string;
  expect(secret).toHaveLength(16);
  const before = await started(ids);
  expect(before.every((c) => c.running)).toBe(true);

  const file = path.join(path.dirname(template), 'adopt.json');
  const abandoned = stoke('stack', 'abandon', stack, '--output-file', file);
  expect(abandoned.stderr).toContain(`Stack ${stack} abandoned`);
  expect(abandoned.status).toBe(0);
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as AbandonData;
  expect(data).toMatchObject({ name: stack, id: created.id, action: 'CREATE', status: 'COMPLETE', environment: {} });
  expect(data.resources.db).toMatchObject({ name: 'db', resource_id: ids[0], type: 'DockerInc::Docker::Container', action: 'CREATE', status: 'COMPLETE' });
  expect(data.resources.secret).toMatchObject({ resource_id: created.resources.secret!.physicalId, resource_data: { value: secret } });
  expect((data.template.resources as Record<string, unknown>).web).toEqual({ type: 'DockerInc::Docker::Container', properties: expect.any(Object), depends_on: ['db'] });
  // It holds the real values: the file is for its owner alone.
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);

  // Forgotten: not listed, not shown, not deletable, and its containers untouched.
  expect(stoke('stack', 'list').stdout).not.toContain(stack);
  const show = stoke('stack', 'show', stack);
  expect(show.status).toBe(1);
  expect(show.stderr).toContain(`stack '${stack}' not found (abandoned)`);
  expect(stoke('stack', 'delete', stack).stderr).toContain('not found (abandoned)');
  expect(await started(ids)).toEqual(before);

  // The template gains a container the data lacks: it is created, the rest adopted.
  const grown = writeTemplate(`${TEMPLATE.replace('outputs:', `  extra:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
outputs:`)}`);
  const adopted = stoke('stack', 'adopt', stack, '-t', grown, '--adopt-file', file, '--wait');
  expect(adopted.stdout).toContain(`Stack ${stack} ADOPT_IN_PROGRESS (4 resources, 3 adopted)`);
  expect(adopted.stdout).toContain(`Stack ${stack} ADOPT_COMPLETE: Stack ADOPT completed successfully`);
  expect(adopted.status).toBe(0);
  const state = showStack(stack);
  expect(state).toMatchObject({ id: created.id, status: 'ADOPT_COMPLETE' });
  expect(Object.fromEntries(Object.entries(state.resources).map(([n, r]) => [n, r.status])))
    .toEqual({ secret: 'ADOPT_COMPLETE', db: 'ADOPT_COMPLETE', web: 'ADOPT_COMPLETE', extra: 'CREATE_COMPLETE' });
  expect([state.resources.db!.physicalId, state.resources.web!.physicalId]).toEqual(ids);
  expect(state.outputs.secret!.value).toBe(secret);
  expect(await started(ids)).toEqual(before);
  expect(stoke('stack', 'list').stdout).toMatch(new RegExp(`${stack}\\s+ADOPT_COMPLETE`));

  // An adopted stack is a stack like any other: updated (to the same template: everything kept), checked, then
  // deleted with every container it holds.
  expect(stoke('stack', 'update', stack, '-t', grown, '--wait').stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`);
  expect([showStack(stack).resources.db!.physicalId, showStack(stack).resources.web!.physicalId]).toEqual(ids);
  expect(await started(ids)).toEqual(before);
  expect(stoke('stack', 'check', stack, '--wait').stdout).toContain(`Stack ${stack} CHECK_COMPLETE`);
  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toEqual([]);
  await recordHistories(stack, 'abandon-adopt');
});

test('an adopt whose container is gone ends ADOPT_FAILED naming it, and keeps what it took, which a delete then removes', async () => {
  const stack = uniqueName('adoptgone');
  stacks.push(stack);
  const template = writeTemplate(TEMPLATE);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const created = showStack(stack);
  const printed = stoke('stack', 'abandon', stack);
  expect(printed.status).toBe(0);
  const file = path.join(path.dirname(template), 'adopt.json');
  fs.writeFileSync(file, printed.stdout);
  const web = created.resources.web!.physicalId;
  await docker().getContainer(web).remove({ force: true });

  const failed = stoke('stack', 'adopt', stack, '-t', template, '--adopt-file', file, '--wait');
  expect(failed.status).toBe(1);
  expect(failed.stdout).toContain(`Stack ${stack} ADOPT_FAILED: Resource ADOPT failed: web: container ${web} to adopt is not on the engine`);
  const state = showStack(stack);
  // No rollback: it would delete the containers the adopt was asked to keep.
  expect(state.resources.db).toMatchObject({ status: 'ADOPT_COMPLETE', physicalId: created.resources.db!.physicalId });
  expect((await docker().getContainer(created.resources.db!.physicalId).inspect()).State.Running).toBe(true);

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toEqual([]);
});

test('a cancelled adopt ends ADOPT_FAILED without rollback: the containers it took keep running, and a delete removes them', async () => {
  const stack = uniqueName('adoptcancel');
  stacks.push(stack);
  const template = writeTemplate(TEMPLATE);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const ids = Object.values(showStack(stack).resources).filter((r) => r.type === 'DockerInc::Docker::Container').map((r) => r.physicalId);
  const file = path.join(path.dirname(template), 'adopt.json');
  expect(stoke('stack', 'abandon', stack, '--output-file', file).status).toBe(0);
  const before = await started(ids);

  // What the data lacks is created, and this one never finishes by itself.
  const slow = writeTemplate(TEMPLATE.replace('outputs:', `  slow:
    type: OS::Heat::TestResource
    depends_on: web
    properties: {action_wait_secs: {create: -1}}
outputs:`));
  expect(stoke('stack', 'adopt', stack, '-t', slow, '--adopt-file', file).status).toBe(0);
  // Cancelled once all that is adopted is taken, so that it is the created resource the cancel stops.
  await waitUntil('the slow resource to start', () => (showStack(stack).resources.slow?.status === 'CREATE_IN_PROGRESS' ? true : undefined));
  const cancelled = stoke('stack', 'cancel', stack, '--wait');
  expect(cancelled.stdout).toContain(`Stack ${stack} ADOPT_FAILED: Stack ADOPT cancelled`);
  expect(cancelled.status).toBe(0);
  const state = showStack(stack);
  expect([state.resources.db!.status, state.resources.web!.status, state.resources.slow!.status]).toEqual(['ADOPT_COMPLETE', 'ADOPT_COMPLETE', 'CREATE_FAILED']);
  expect(await started(ids)).toEqual(before);
  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toEqual([]);
});

test('a stack with an action in progress is not abandoned: the refusal says why, and the stack is kept', () => {
  const stack = uniqueName('abandonbusy');
  stacks.push(stack);
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  slow:
    type: OS::Heat::TestResource
    properties: {action_wait_secs: {create: -1}}
`);
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  const busy = stoke('stack', 'abandon', stack);
  expect(busy.status).toBe(1);
  expect(busy.stderr).toContain(`stack '${stack}' has an action in progress (createStack); wait for it to finish`);
  expect(busy.stderr).not.toMatch(/\n\s+at /);
  expect(busy.stdout).toBe('');
  expect(showStack(stack).status).toBe('CREATE_IN_PROGRESS');
  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);

  const missing = stoke('stack', 'abandon', stack);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain(`stack '${stack}' not found (deleted)`);
});
