/**
 * `stoke stack update`: its own workflow under the stack's workflow id. Unchanged resources keep their
 * physical id, a memory change is applied to the running container, an env change replaces it, and a
 * replaced RandomString gives its dependents a new value, so they are replaced too.
 */
import type { ChildProcess } from 'node:child_process';
import { SLEEPER, docker, recordHistories, showStack, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

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

const MB = 1024 * 1024;

const template = (o: { memory: number; env: string; length: number; extra: string }) => writeTemplate(`
heat_template_version: 2015-04-30
resources:
  keep:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, memory: ${o.memory}, env: [${o.env}]}
  pw:
    type: OS::Heat::RandomString
    properties: {length: ${o.length}}
  uses_pw:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, env: [{list_join: ['', ['PW=', {get_resource: pw}]]}]}
${o.extra}`);

const ids = (stack: string) => Object.fromEntries(Object.entries(showStack(stack).resources).map(([n, r]) => [n, r.refId ?? r.physicalId]));
const exists = (id: string) => docker().getContainer(id).inspect().then(() => true, () => false);

test('unchanged resources are kept, memory is updated in place, env replaces, added and removed resources are made and deleted', async () => {
  const stack = uniqueName('update');
  stacks.push(stack);
  const first = template({ memory: 64 * MB, env: 'A=1', length: 16, extra: '  gone: {type: OS::Heat::None}\n' });
  expect(stoke('stack', 'create', stack, '-t', first, '--wait').status).toBe(0);
  const before = ids(stack);
  const started = (await docker().getContainer(before.web!).inspect()).State.StartedAt;

  // Memory only: the container keeps its id and is not restarted; `gone` is removed, `added` made.
  const second = stoke('stack', 'update', stack, '-t', template({ memory: 128 * MB, env: 'A=1', length: 16, extra: '  added: {type: OS::Heat::None}\n' }), '--wait');
  expect(second.stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`);
  expect(second.status).toBe(0);
  let state = showStack(stack);
  expect(Object.keys(state.resources).sort()).toEqual(['added', 'keep', 'pw', 'uses_pw', 'web']);
  expect(state.resources.added!.status).toBe('UPDATE_COMPLETE');
  expect(state.resources.web).toMatchObject({ status: 'UPDATE_COMPLETE', statusReason: 'state changed', physicalId: before.web });
  expect(state.resources.keep).toMatchObject({ status: 'CREATE_COMPLETE', physicalId: before.keep });
  expect(state.resources.pw).toMatchObject({ status: 'CREATE_COMPLETE', refId: before.pw });
  const web = await docker().getContainer(before.web!).inspect();
  expect(web.HostConfig.Memory).toBe(128 * MB);
  expect(web.State.StartedAt).toBe(started);
  expect(web.State.Running).toBe(true);

  // An env change replaces the container (new copy first, the old one deleted at the end); a longer
  // RandomString is a new value, so the container that reads it is replaced too.
  const third = stoke('stack', 'update', stack, '-t', template({ memory: 128 * MB, env: 'A=2', length: 20, extra: '  added: {type: OS::Heat::None}\n' }), '--wait');
  expect(third.stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`);
  state = showStack(stack);
  const after = ids(stack);
  expect(after.keep).toBe(before.keep);
  expect(after.web).not.toBe(before.web);
  expect(after.pw).not.toBe(before.pw);
  expect(after.pw).toHaveLength(20);
  expect(after.uses_pw).not.toBe(before.uses_pw);
  expect(await exists(before.web!)).toBe(false);
  expect(await exists(before.uses_pw!)).toBe(false);
  expect((await docker().getContainer(after.web!).inspect()).Config.Env).toContain('A=2');
  expect((await docker().getContainer(after.uses_pw!).inspect()).Config.Env).toContain(`PW=${after.pw}`);

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await exists(after.web!)).toBe(false);
  await recordHistories(stack, 'update');
});

test('a failed update rolls back to the template the stack had; with rollback disabled it stays failed and a later update fixes it', async () => {
  const stack = uniqueName('update-rollback');
  stacks.push(stack);
  const version = (memory: number, boom: string) => writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, memory: ${memory}}
${boom ? `  boom:\n    type: OS::Heat::TestResource\n    depends_on: web\n    properties: {fail: ${boom}}\n` : ''}`);
  expect(stoke('stack', 'create', stack, '-t', version(64 * MB, ''), '--wait').status).toBe(0);
  const id = showStack(stack).resources.web!.physicalId;
  const memory = async () => (await docker().getContainer(id).inspect()).HostConfig.Memory;

  const failed = stoke('stack', 'update', stack, '-t', version(128 * MB, 'true'), '--wait');
  expect(failed.status).toBe(1);
  expect(failed.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Resource UPDATE failed: boom: Test Resource failed boom; rolled back`);
  let state = showStack(stack);
  expect(Object.keys(state.resources)).toEqual(['web']);
  expect(state.resources.web!.physicalId).toBe(id);
  expect(await memory()).toBe(64 * MB);
  // The history of the update that rolled back, before later updates of the stack replace it.
  await recordHistories(stack, 'update-rollback');

  const kept = stoke('stack', 'update', stack, '-t', version(128 * MB, 'true'), '--disable-rollback', '--wait');
  expect(kept.status).toBe(1);
  expect(kept.stdout).toContain(`Stack ${stack} UPDATE_FAILED: Resource UPDATE failed: boom: Test Resource failed boom`);
  state = showStack(stack);
  expect(state.resources.boom!.status).toBe('UPDATE_FAILED');
  expect(await memory()).toBe(128 * MB);

  const fixed = stoke('stack', 'update', stack, '-t', version(128 * MB, 'false'), '--wait');
  expect(fixed.stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`);
  state = showStack(stack);
  expect(state.resources.boom!.status).toBe('UPDATE_COMPLETE');
  expect(state.resources.web!.physicalId).toBe(id);

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
});

test('an update of a stack that does not exist is refused with a message, not a stack trace', () => {
  const result = stoke('stack', 'update', uniqueName('nothing'), '-t', template({ memory: 64 * MB, env: 'A=1', length: 8, extra: '' }));
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/stack '.*' not found/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});
