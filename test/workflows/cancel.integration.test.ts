/**
 * Stopping a create part-way, against the real Temporal dev server and Docker engine: `stoke stack cancel`
 * with and without rollback, a delete while the create runs, the stack-wide deadline, and a cancel while
 * resources wait behind the parallel bound.
 */
import type { StackState } from '../../src/template/types';
import { SLEEPER, recordHistories, showStack, stackContainers, startedEarly, stoke, stokeAsync, uniqueName, waitUntil, writeTemplate, useWorker } from '../helpers';

useWorker();

/** A container, then a resource that takes `waitSecs` (-1: until it is cancelled). */
const containerThen = (waitSecs: number) => writeTemplate(`
heat_template_version: 2016-10-14
resources:
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  slow:
    type: OS::Heat::TestResource
    depends_on: web
    properties: {wait_secs: ${waitSecs}, action_wait_secs: {delete: 0}}
`);
const containerThenForever = containerThen(-1);

function inProgress(stack: string, resource: string): Promise<StackState> {
  return waitUntil(`${resource} to be created`, () => {
    const state = showStack(stack);
    return state.resources[resource]?.status === 'CREATE_IN_PROGRESS' ? state : undefined;
  });
}

test('stack cancel stops a create mid-way and rolls it back: nothing of the stack is left', async () => {
  const stack = uniqueName('cancel');
  expect(stoke('stack', 'create', stack, '-t', containerThenForever).status).toBe(0);
  await inProgress(stack, 'slow');
  expect(await stackContainers(stack)).toHaveLength(1);

  const cancelled = stoke('stack', 'cancel', stack, '--wait');
  expect(cancelled.stderr).toBe('');
  expect(cancelled.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Stack CREATE cancelled; rolled back`);
  expect(cancelled.status).toBe(0);
  const state = showStack(stack);
  expect(state.resources.slow).toMatchObject({ status: 'DELETE_COMPLETE' });
  expect(state.resources.web).toMatchObject({ status: 'DELETE_COMPLETE' });
  expect(await stackContainers(stack)).toEqual([]);

  const again = stoke('stack', 'cancel', stack);
  expect(again.status).not.toBe(0);
  expect(again.stderr).toContain(`stack '${stack}' has no create, adopt or update in progress: nothing to cancel`);
  expect(again.stderr).not.toMatch(/\n\s+at /);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await recordHistories(stack, 'cancel');
});

test('stack cancel --no-rollback leaves the stack CREATE_FAILED with what it made', async () => {
  const stack = uniqueName('cancelkeep');
  expect(stoke('stack', 'create', stack, '-t', containerThenForever).status).toBe(0);
  await inProgress(stack, 'slow');

  const cancelled = stoke('stack', 'cancel', stack, '--no-rollback', '--wait');
  expect(cancelled.stdout).toContain(`Stack ${stack} CREATE_FAILED: Stack CREATE cancelled`);
  expect(cancelled.status).toBe(0);
  const state = showStack(stack);
  expect(state.resources.web).toMatchObject({ status: 'CREATE_COMPLETE' });
  expect(state.resources.slow).toMatchObject({ status: 'CREATE_FAILED', statusReason: 'cancelled' });
  const containers = await stackContainers(stack);
  expect(containers.map((c) => c.Id)).toEqual([state.resources.web!.physicalId]);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toEqual([]);
});

test('stack delete during a create cancels the create, then deletes everything', async () => {
  const stack = uniqueName('delcreate');
  expect(stoke('stack', 'create', stack, '-t', containerThenForever).status).toBe(0);
  await inProgress(stack, 'slow');

  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.stderr).toBe('');
  expect(deleted.stdout).toContain(`Stack ${stack}: cancelling its create in progress first`);
  expect(deleted.stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(deleted.status).toBe(0);
  expect(await stackContainers(stack)).toEqual([]);
});

test('a cancel while resources wait behind the parallel bound starts none of them, and rolls back the running ones', async () => {
  const stack = uniqueName('cancelwide');
  const resources = Array.from({ length: 60 }, (_, i) => `  r${String(i).padStart(2, '0')}:
    type: OS::Heat::TestResource
    properties: {wait_secs: -1, action_wait_secs: {delete: 0}}`).join('\n');
  const template = writeTemplate(`heat_template_version: 2016-10-14\nresources:\n${resources}\n`);
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  await waitUntil('50 resources to be under way', () => {
    const state = showStack(stack);
    return Object.values(state.resources).filter((r) => r.status === 'CREATE_IN_PROGRESS').length === 50 ? state : undefined;
  });

  const cancelled = stoke('stack', 'cancel', stack, '--wait');
  expect(cancelled.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Stack CREATE cancelled; rolled back`);
  const statuses = Object.values(showStack(stack).resources).map((r) => r.status);
  // The 50 that ran were cancelled and deleted; the 10 queued never started.
  expect(statuses.filter((s) => s === 'DELETE_COMPLETE')).toHaveLength(50);
  expect(statuses.filter((s) => s === 'INIT_COMPLETE')).toHaveLength(10);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});

test('a freed slot goes to the resource that waited longest for it, not to one that became ready in the same step', async () => {
  const stack = uniqueName('slotline');
  // r00 ends first; r01-r49 never do; r50 waits for a slot from the start; zlate needs r00, so it comes to the
  // line in the very step r00 frees the slot.
  const wide = Array.from({ length: 51 }, (_, i) => `  r${String(i).padStart(2, '0')}:
    type: OS::Heat::TestResource
    properties: {wait_secs: ${i === 0 ? 2 : -1}, action_wait_secs: {delete: 0}}`).join('\n');
  const template = writeTemplate(`heat_template_version: 2016-10-14\nresources:\n${wide}
  zlate:
    type: OS::Heat::TestResource
    depends_on: r00
    properties: {wait_secs: -1, action_wait_secs: {delete: 0}}
`);
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  const state = await waitUntil('the slot r00 frees to be taken', () => {
    const shown = showStack(stack);
    return shown.resources.r00?.status === 'CREATE_COMPLETE' && [shown.resources.r50, shown.resources.zlate].some((r) => r?.status === 'CREATE_IN_PROGRESS') ? shown : undefined;
  });
  expect(state.resources.r50).toMatchObject({ status: 'CREATE_IN_PROGRESS' });
  expect(state.resources.zlate).toMatchObject({ status: 'INIT_COMPLETE' });
  expect(stoke('stack', 'cancel', stack, '--wait').stdout).toContain('ROLLBACK_COMPLETE');
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await recordHistories(stack, 'slot-line');
});

/** The stack's deadline is its whole minute: that create runs while the tests above do. */
const deadlineStack = uniqueName('deadline');
const deadlineCreate = startedEarly(() => stokeAsync('stack', 'create', deadlineStack, '-t', containerThen(120), '--timeout', '1', '--wait'));

test('the stack timeout is one deadline: what still runs when it passes is cancelled and named, and the create rolls back', async () => {
  const stack = deadlineStack;
  const created = await deadlineCreate();
  expect(created.status).toBe(1);
  expect(created.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Stack CREATE timed out after 1 min; still in progress: slow; rolled back`);
  const state = showStack(stack);
  expect(state.resources.slow).toMatchObject({ status: 'DELETE_COMPLETE' });
  expect(await stackContainers(stack)).toEqual([]);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await recordHistories(stack, 'stack-deadline');
});
