/**
 * `stoke stack suspend|resume`: a stack's containers paused dependents first and unpaused in creation
 * order, as their own workflows under the stack's workflow id, with Heat's statuses.
 */
import type { ChildProcess } from 'node:child_process';
import { SLEEPER, docker, recordHistories, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
/** Stacks to delete even when a test fails half-way, so no paused container outlives the run. */
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

const pausedAt = async (id: string) => {
  const info = await docker().getContainer(id).inspect();
  return { paused: info.State.Paused, startedAt: info.State.StartedAt };
};

test('suspend pauses every container, resume unpauses them, delete works from either state', async () => {
  const stack = uniqueName('suspend');
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
  secret:
    type: OS::Heat::RandomString
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const created = showStack(stack);
  const ids = { db: created.resources.db!.physicalId, web: created.resources.web!.physicalId };

  const resumeTooEarly = stoke('stack', 'resume', stack);
  expect(resumeTooEarly.status).toBe(1);
  expect(resumeTooEarly.stderr).toContain(`stack '${stack}' is CREATE_COMPLETE: it can resume only from SUSPEND_COMPLETE`);

  const suspended = stoke('stack', 'suspend', stack, '--wait');
  expect(suspended.status).toBe(0);
  expect(suspended.stdout).toContain(`Stack ${stack} SUSPEND_COMPLETE`);
  const state = showStack(stack);
  // Dependents first: db's suspend ends after web's, which it waited for.
  expect(Date.parse(state.resources.db!.updatedAt)).toBeGreaterThan(Date.parse(state.resources.web!.updatedAt));
  expect(state.status).toBe('SUSPEND_COMPLETE');
  expect(Object.fromEntries(Object.entries(state.resources).map(([n, r]) => [n, r.status]))).toEqual({ db: 'SUSPEND_COMPLETE', web: 'SUSPEND_COMPLETE', secret: 'SUSPEND_COMPLETE' });
  const before = await pausedAt(ids.db);
  expect(before.paused).toBe(true);
  expect((await pausedAt(ids.web)).paused).toBe(true);
  expect(stoke('stack', 'list').stdout).toMatch(new RegExp(`${stack}\\s+SUSPEND_COMPLETE`));
  expect(stoke('stack', 'suspend', stack).stderr).toContain('it can suspend only from');

  const resumed = stoke('stack', 'resume', stack, '--wait');
  expect(resumed.stdout).toContain(`Stack ${stack} RESUME_COMPLETE`);
  const resumedState = showStack(stack);
  expect(Date.parse(resumedState.resources.web!.updatedAt)).toBeGreaterThan(Date.parse(resumedState.resources.db!.updatedAt));
  const after = await pausedAt(ids.db);
  expect(after.paused).toBe(false);
  // Unpaused, not restarted: the same process kept running.
  expect(after.startedAt).toBe(before.startedAt);
  expect((await pausedAt(ids.web)).paused).toBe(false);
  expect(showStack(stack).resources.web!.physicalId).toBe(ids.web);

  // Suspended again, then deleted straight from SUSPEND_COMPLETE.
  expect(stoke('stack', 'suspend', stack, '--wait').status).toBe(0);
  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toEqual([]);
  await recordHistories(stack, 'suspend-resume');
});

test('a container removed behind stoke\'s back fails the suspend with Docker\'s message', async () => {
  const stack = uniqueName('suspendgone');
  stacks.push(stack);
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  await docker().getContainer(showStack(stack).resources.web!.physicalId).remove({ force: true });
  const suspended = stoke('stack', 'suspend', stack, '--wait');
  expect(suspended.status).toBe(1);
  expect(suspended.stdout).toContain(`Stack ${stack} SUSPEND_FAILED`);
  expect(suspended.stdout).toMatch(/No such container/);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});
