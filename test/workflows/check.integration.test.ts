/**
 * `stoke stack check`: every resource compared with what its engine holds, as its own workflow under the
 * stack's workflow id, with Heat's CHECK_* statuses; each resource that drifted is named with how.
 */
import type { ChildProcess } from 'node:child_process';
import { SLEEPER, docker, recordHistories, showStack, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
/** Stacks to delete even when a test fails half-way. */
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

const statuses = (stack: string) => Object.fromEntries(Object.entries(showStack(stack).resources).map(([n, r]) => [n, r.status]));

test('a stack as created checks complete, suspended too; a killed and a removed container and a removed network fail it, each named', async () => {
  const stack = uniqueName('check');
  stacks.push(stack);
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  db:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  web:
    type: DockerInc::Docker::Container
    depends_on: db
    properties: {image: busybox, cmd: ${SLEEPER}}
  net:
    type: OS::Neutron::Net
  secret:
    type: OS::Heat::RandomString
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const created = showStack(stack);
  const ids = { db: created.resources.db!.physicalId, web: created.resources.web!.physicalId, net: created.resources.net!.physicalId };

  const checked = stoke('stack', 'check', stack, '--wait');
  expect(checked.stdout).toContain(`Stack ${stack} CHECK_COMPLETE`);
  expect(checked.status).toBe(0);
  expect(statuses(stack)).toEqual({ db: 'CHECK_COMPLETE', web: 'CHECK_COMPLETE', net: 'CHECK_COMPLETE', secret: 'CHECK_COMPLETE' });
  // A type without a check hook passes, as in Heat, and says so.
  expect(showStack(stack).resources.secret!.statusReason).toBe('CHECK not supported for OS::Heat::RandomString');
  expect(stoke('stack', 'list').stdout).toMatch(new RegExp(`${stack}\\s+CHECK_COMPLETE`));

  // Paused by a suspend is as expected; the checked stack still resumes.
  expect(stoke('stack', 'suspend', stack, '--wait').status).toBe(0);
  expect(stoke('stack', 'check', stack, '--wait').stdout).toContain(`Stack ${stack} CHECK_COMPLETE`);
  expect(stoke('stack', 'resume', stack, '--wait').stdout).toContain(`Stack ${stack} RESUME_COMPLETE`);
  expect((await docker().getContainer(ids.db).inspect()).State.Running).toBe(true);

  // SIGKILL: the sleeper exits 0 on SIGTERM, which would read as a one-shot that finished.
  await docker().getContainer(ids.db).kill();
  const stopped = stoke('stack', 'check', stack, '--wait');
  expect(stopped.status).toBe(1);
  expect(stopped.stdout).toContain(`Stack ${stack} CHECK_FAILED: Resource CHECK failed: db: container ${ids.db.slice(0, 12)} is not running (exited, exit code 137)`);
  expect(statuses(stack)).toEqual({ db: 'CHECK_FAILED', web: 'CHECK_COMPLETE', net: 'CHECK_COMPLETE', secret: 'CHECK_COMPLETE' });

  await docker().getContainer(ids.web).remove({ force: true });
  await docker().getNetwork(ids.net).remove();
  const gone = stoke('stack', 'check', stack, '--wait');
  expect(gone.status).toBe(1);
  const state = showStack(stack);
  expect(state.status).toBe('CHECK_FAILED');
  // Every drifted resource is named, not only the first.
  expect(state.statusReason).toBe(`Resource CHECK failed: db: container ${ids.db.slice(0, 12)} is not running (exited, exit code 137); `
    + `net: network ${ids.net} is gone; web: container ${ids.web.slice(0, 12)} is gone`);
  expect(state.resources.web).toMatchObject({ status: 'CHECK_FAILED', statusReason: `container ${ids.web.slice(0, 12)} is gone`, physicalId: ids.web });
  expect(state.resources.secret!.status).toBe('CHECK_COMPLETE');

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  await recordHistories(stack, 'check');
});

test('a check of a stack that does not exist is refused with a message, no stack trace', () => {
  const missing = stoke('stack', 'check', uniqueName('nocheck'));
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/stack 'nocheck-[^']+' not found/);
  expect(missing.stderr).not.toMatch(/\n\s+at /);
});
