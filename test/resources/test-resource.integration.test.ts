/**
 * OS::Heat::TestResource end to end, on a real Temporal and a worker process: the type added through the
 * plugin path alone creates, fails with Heat's message, rolls back, suspends, resumes, deletes and heeds a
 * cancellation, with no line of workflow or activity code naming it.
 */
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../../src/client/codec';
import { loadConfig, temporalAddress } from '../../src/config';
import { showStack, startWorker, stoke, stopWorker, uniqueName, waitUntil, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  await stopWorker(worker);
});

test('a stack of TestResources that wait a second each creates, suspends, resumes and deletes', () => {
  const stack = uniqueName('testres');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  first:
    type: OS::Heat::TestResource
    properties: {value: one, wait_secs: 1}
  second:
    type: OS::Heat::TestResource
    properties: {wait_secs: 1, action_wait_secs: {delete: 0}}
  third:
    type: OS::Heat::TestResource
    properties:
      value: {list_join: ['+', [{get_attr: [first, output]}, {get_attr: [second, output]}]]}
      wait_secs: 1
outputs:
  joined: {value: {get_attr: [third, output]}}
  ref: {value: {get_resource: first}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stderr).toBe('');
  expect(created).toMatchObject({ status: 0, stdout: expect.stringContaining(`Stack ${stack} CREATE_COMPLETE`) });
  const state = showStack(stack);
  expect(state.outputs.joined!.value).toBe('one+test_string');
  expect(state.outputs.ref!.value).toBe(`${stack}-first`);
  expect(Object.values(state.resources).map((r) => r.status)).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE', 'CREATE_COMPLETE']);

  expect(stoke('stack', 'suspend', stack, '--wait')).toMatchObject({ status: 0, stdout: expect.stringContaining(`Stack ${stack} SUSPEND_COMPLETE`) });
  expect(stoke('stack', 'resume', stack, '--wait')).toMatchObject({ status: 0, stdout: expect.stringContaining(`Stack ${stack} RESUME_COMPLETE`) });
  expect(stoke('stack', 'delete', stack, '--wait')).toMatchObject({ status: 0, stdout: expect.stringContaining(`Stack ${stack} DELETE_COMPLETE`) });
  expect(Object.values(showStack(stack).resources).map((r) => r.status)).toEqual(['DELETE_COMPLETE', 'DELETE_COMPLETE', 'DELETE_COMPLETE']);
});

test('a TestResource told to fail fails the create with Heat\'s message, and the stack rolls back', () => {
  const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  fine:
    type: OS::Heat::TestResource
    properties: {wait_secs: 1}
  broken:
    type: OS::Heat::TestResource
    properties: {fail: true, wait_secs: 1}
`);
  const kept = uniqueName('testkept');
  expect(stoke('stack', 'create', kept, '-t', template, '--wait', '--disable-rollback')).toMatchObject({
    status: 1, stdout: expect.stringContaining(`Stack ${kept} CREATE_FAILED: Resource CREATE failed: broken: Test Resource failed broken`),
  });
  expect(showStack(kept).resources).toMatchObject({
    fine: { status: 'CREATE_COMPLETE' }, broken: { status: 'CREATE_FAILED', statusReason: 'Test Resource failed broken', physicalId: '' },
  });
  expect(stoke('stack', 'delete', kept, '--wait').status).toBe(0);

  const stack = uniqueName('testfail');
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.status).toBe(1);
  expect(created.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Resource CREATE failed: broken: Test Resource failed broken; rolled back`);
  const state = showStack(stack);
  expect(state.resources.fine!.status).toBe('DELETE_COMPLETE');
  expect(state.resources.broken!.status).toBe('DELETE_COMPLETE');
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});

test('a TestResource waiting forever stops when its create is cancelled, and the stack rolls back', async () => {
  const stack = uniqueName('testcancel');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  forever:
    type: OS::Heat::TestResource
    properties: {wait_secs: -1, action_wait_secs: {delete: 0}}
`);
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  await waitUntil('the create to be under way', () => (showStack(stack).resources.forever?.status === 'CREATE_IN_PROGRESS' ? true : undefined));
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddress(config) });
  try {
    const client = new Client({ connection, namespace: config.namespace, dataConverter: dataConverter(config) });
    await client.workflow.getHandle(`stack:${stack}`).cancel();
  } finally {
    await connection.close();
  }
  // The workflow waits for the cancelled attempt to stop before it rolls back: a handler deaf to
  // cancellation would keep the stack in CREATE_IN_PROGRESS for good.
  const state = await waitUntil('the rollback', () => {
    const shown = showStack(stack);
    return shown.status.endsWith('_IN_PROGRESS') ? undefined : shown;
  });
  expect(state.status).toBe('ROLLBACK_COMPLETE');
  expect(state.resources.forever!.status).toBe('DELETE_COMPLETE');
});
