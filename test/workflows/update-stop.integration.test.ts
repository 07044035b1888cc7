/**
 * Stopping a stack update part-way, against the real Temporal dev server and Docker engine: `stoke stack
 * cancel` with and without rollback, a delete while the update runs, and the update's one deadline.
 */
import type { StackState } from '../../src/template/types';
import { SLEEPER, docker, recordHistories, showStack, stackContainers, startedEarly, stoke, stokeAsync, uniqueName, waitUntil, writeTemplate, useWorker } from '../helpers';

useWorker();

const before = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  keep:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
`);

/** The update adds a container, then a resource that takes `waitSecs` (-1: until cancelled). */
const adding = (waitSecs: number) => writeTemplate(`
heat_template_version: 2016-10-14
resources:
  keep:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  extra:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  slow:
    type: OS::Heat::TestResource
    depends_on: extra
    properties: {wait_secs: ${waitSecs}, action_wait_secs: {delete: 0}}
`);

async function created(stack: string): Promise<string> {
  expect(stoke('stack', 'create', stack, '-t', before, '--wait').status).toBe(0);
  return showStack(stack).resources.keep!.physicalId;
}

function updating(stack: string): Promise<StackState> {
  return waitUntil('slow to be under way', () => {
    const state = showStack(stack);
    return state.resources.slow?.status === 'UPDATE_IN_PROGRESS' ? state : undefined;
  });
}

/** The stack's containers, and whether each runs. */
async function containers(stack: string): Promise<{ id: string; running: boolean }[]> {
  return Promise.all((await stackContainers(stack)).map(async (c) => ({ id: c.Id, running: (await docker().getContainer(c.Id).inspect()).State.Running })));
}

test('stack cancel stops an update mid-way and rolls it back: the old container runs, what the update added is gone', async () => {
  const stack = uniqueName('updcancel');
  const keep = await created(stack);
  expect(stoke('stack', 'update', stack, '-t', adding(-1)).status).toBe(0);
  await updating(stack);
  expect(await stackContainers(stack)).toHaveLength(2);

  const cancelled = stoke('stack', 'cancel', stack, '--wait');
  expect(cancelled.stderr).toBe('');
  expect(cancelled.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Stack UPDATE cancelled; rolled back`);
  expect(cancelled.status).toBe(0);
  const state = showStack(stack);
  expect(Object.keys(state.resources)).toEqual(['keep']);
  expect(state.resources.keep!.physicalId).toBe(keep);
  expect(await containers(stack)).toEqual([{ id: keep, running: true }]);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toEqual([]);
  await recordHistories(stack, 'update-cancel');
});

test('stack cancel --no-rollback leaves the update UPDATE_FAILED with what it made, which a delete removes', async () => {
  const stack = uniqueName('updcancelkeep');
  const keep = await created(stack);
  expect(stoke('stack', 'update', stack, '-t', adding(-1)).status).toBe(0);
  await updating(stack);

  const cancelled = stoke('stack', 'cancel', stack, '--no-rollback', '--wait');
  expect(cancelled.stdout).toContain(`Stack ${stack} UPDATE_FAILED: Stack UPDATE cancelled`);
  expect(cancelled.status).toBe(0);
  const state = showStack(stack);
  expect(state.resources.slow).toMatchObject({ status: 'UPDATE_FAILED', statusReason: 'cancelled' });
  expect(state.resources.extra!.status).toBe('UPDATE_COMPLETE');
  expect((await containers(stack)).map((c) => c.id).sort()).toEqual([keep, state.resources.extra!.physicalId].sort());

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toEqual([]);
});

test('stack delete during an update cancels the update, then deletes everything', async () => {
  const stack = uniqueName('delupdate');
  await created(stack);
  expect(stoke('stack', 'update', stack, '-t', adding(-1)).status).toBe(0);
  await updating(stack);

  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.stderr).toBe('');
  expect(deleted.stdout).toContain(`Stack ${stack}: cancelling its update in progress first`);
  expect(deleted.stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(deleted.status).toBe(0);
  expect(await stackContainers(stack)).toEqual([]);
});

/** The update's deadline is its whole minute: that update runs while the tests above do. */
const deadlineStack = uniqueName('upddeadline');
const deadlineUpdate = startedEarly(async () => {
  const keep = await created(deadlineStack);
  return { keep, updated: await stokeAsync('stack', 'update', deadlineStack, '-t', adding(120), '--timeout', '1', '--wait') };
});

test('the update timeout is one deadline: what still runs when it passes is cancelled and named, and the update rolls back', async () => {
  const stack = deadlineStack;
  const { keep, updated } = await deadlineUpdate();
  expect(updated.status).toBe(1);
  expect(updated.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Stack UPDATE timed out after 1 min; still in progress: slow; rolled back`);
  const state = showStack(stack);
  expect(Object.keys(state.resources)).toEqual(['keep']);
  expect(await containers(stack)).toEqual([{ id: keep, running: true }]);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await recordHistories(stack, 'update-deadline');
});
