/**
 * Wait conditions in a stack update, against the real Temporal dev server and Docker engine: an added wait
 * condition waits for its handle's signals, sent with `stoke stack signal` or through the gateway to the
 * update's workflow, and a replaced one waits again.
 */
import type { StackState } from '../../src/template/types';
import { SLEEPER, recordHistories, showStack, stoke, uniqueName, waitUntil, writeTemplate, useWorker } from '../helpers';

useWorker();

const web = `
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}`;

/** The stack with a handle, a wait for `count` signals on it, and a resource that starts only after the wait. */
const waiting = (count: number) => writeTemplate(`
heat_template_version: 2016-10-14
resources:${web}
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: 300, count: ${count}}
  after:
    type: OS::Heat::None
    depends_on: wait
outputs:
  data: {value: {get_attr: [wait, data]}}
`);

function waitingFor(stack: string, left: number): Promise<StackState> {
  return waitUntil(`${stack}'s wait`, () => {
    const state = showStack(stack);
    return state.resources.wait?.status === 'UPDATE_IN_PROGRESS' && state.resources.wait.statusReason.startsWith(`waiting for ${left} more`) ? state : undefined;
  });
}

function finished(stack: string): Promise<StackState> {
  return waitUntil(`${stack}'s update to end`, () => {
    const state = showStack(stack);
    return state.status.endsWith('_IN_PROGRESS') ? undefined : state;
  });
}

test('an added wait condition waits for signals sent during the update; a replaced one waits again, signalled through the gateway', async () => {
  const stack = uniqueName('updwait');
  expect(stoke('stack', 'create', stack, '-t', writeTemplate(`heat_template_version: 2016-10-14\nresources:${web}\n`), '--wait').status).toBe(0);
  const webId = showStack(stack).resources.web!.physicalId;

  expect(stoke('stack', 'update', stack, '-t', waiting(1)).status).toBe(0);
  let state = await waitingFor(stack, 1);
  expect(state.resources.after!.status).toBe('INIT_COMPLETE');
  const signalled = stoke('stack', 'signal', stack, 'handle', '--id', 'a', '--data', 'first');
  expect(signalled.stderr).toBe('');
  expect(signalled.status).toBe(0);
  state = await finished(stack);
  expect(state.status).toBe('UPDATE_COMPLETE');
  expect(state.outputs.data!.value).toBe('{"a":"first"}');
  expect(state.resources.after!.status).toBe('UPDATE_COMPLETE');
  expect(state.resources.web!.physicalId).toBe(webId);

  // count 2 replaces the wait: it waits again, on the handle it had, for one more signal.
  expect(stoke('stack', 'update', stack, '-t', waiting(2)).status).toBe(0);
  state = await waitingFor(stack, 1);
  const { endpoint, token } = state.resources.handle!.attributes as { endpoint: string; token: string };
  // The test talks to the gateway on loopback; servers use the bridge address in the endpoint.
  const local = endpoint.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${process.env.STOKE_SIGNAL_BIND!.split(':').pop()}`);
  const response = await fetch(local, { method: 'POST', body: '{"status": "SUCCESS", "data": "second", "id": "b"}', headers: { 'X-Auth-Token': token } });
  expect(response.status).toBe(200);
  state = await finished(stack);
  expect(state.status).toBe('UPDATE_COMPLETE');
  expect(state.outputs.data!.value).toBe('{"a":"first","b":"second"}');
  expect(state.resources.web!.physicalId).toBe(webId);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await recordHistories(stack, 'update-wait');
});

test('a FAILURE signal to a wait an update added fails the update with its reason, and the update rolls back', async () => {
  const stack = uniqueName('updwaitfail');
  expect(stoke('stack', 'create', stack, '-t', writeTemplate(`heat_template_version: 2016-10-14\nresources:${web}\n`), '--wait').status).toBe(0);
  expect(stoke('stack', 'update', stack, '-t', waiting(1)).status).toBe(0);
  await waitingFor(stack, 1);
  expect(stoke('stack', 'signal', stack, 'handle', '--status', 'FAILURE', '--reason', 'setup failed').status).toBe(0);
  const state = await finished(stack);
  expect(state.status).toBe('ROLLBACK_COMPLETE');
  expect(state.statusReason).toBe('Resource UPDATE failed: wait: setup failed; rolled back');
  expect(Object.keys(state.resources)).toEqual(['web']);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});

/** A handle's endpoint as the test reaches it: the gateway on loopback (servers use the bridge address). */
function loopback(endpoint: string): string {
  return endpoint.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${process.env.STOKE_SIGNAL_BIND!.split(':').pop()}`);
}

async function post(endpoint: string, token: string, body: string): Promise<number> {
  return (await fetch(loopback(endpoint), { method: 'POST', body, headers: { 'X-Auth-Token': token } })).status;
}

test('a replaced handle has new credentials: its conditions wait again, and what the old copy handed out no longer counts', async () => {
  const stack = uniqueName('updhandle');
  expect(stoke('stack', 'create', stack, '-t', waiting(1)).status).toBe(0);
  let state = await waitUntil(`${stack}'s create wait`, () => {
    const s = showStack(stack);
    return s.resources.wait?.status === 'CREATE_IN_PROGRESS' ? s : undefined;
  });
  const old = state.resources.handle!;
  const { endpoint: oldEndpoint, token: oldToken } = old.attributes as { endpoint: string; token: string };
  expect(await post(oldEndpoint, oldToken, '{"data": "first", "id": "a"}')).toBe(200);
  expect((await finished(stack)).status).toBe('CREATE_COMPLETE');

  // Marked unhealthy, the handle is replaced by the next update, and the wait on it with it.
  expect(stoke('stack', 'resource', 'mark-unhealthy', stack, 'handle', 'leaked token').status).toBe(0);
  expect(stoke('stack', 'update', stack, '-t', waiting(1)).status).toBe(0);
  state = await waitingFor(stack, 1);
  const fresh = state.resources.handle!;
  const { endpoint, token } = fresh.attributes as { endpoint: string; token: string };
  expect(fresh.physicalId).not.toBe(old.physicalId);
  expect(endpoint).not.toBe(oldEndpoint);
  expect(token).not.toBe(oldToken);

  // The old credentials still sign for the old copy, which the workflow no longer counts.
  expect(await post(oldEndpoint, oldToken, '{"data": "stale", "id": "b"}')).toBe(200);
  expect(await post(endpoint, token, '{"data": "fresh", "id": "c"}')).toBe(200);
  state = await finished(stack);
  expect(state.status).toBe('UPDATE_COMPLETE');
  expect(state.outputs.data!.value).toBe('{"c":"fresh"}');
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});
