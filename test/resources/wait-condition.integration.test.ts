/**
 * Wait conditions end to end: real Temporal, real Docker, the worker's own signal gateway. Servers are
 * busybox containers signalling with wget, as the seeds' user_data signals with curl.
 */
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { handleToken, loadSignalKey } from '../../src/gateway/signal';
import type { StackState } from '../../src/template/types';
import {
  SLEEPER, describeStackWorkflow, recordHistories, showStack, stackContainers, stackTrace, startedEarly, startWorker, stoke, stokeAsync, stopWorker, uniqueName, waitUntil,
  writeTemplate,
} from '../helpers';

let worker: ChildProcess | undefined;

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  await stopWorker(worker);
});

/** Creates a stack and returns once its wait condition `wait` is waiting. */
async function createWaiting(stack: string, template: string): Promise<StackState> {
  const created = stoke('stack', 'create', stack, '-t', writeTemplate(template));
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  return waitUntil(`${stack} waiting`, () => {
    const state = showStack(stack);
    return state.resources.wait?.statusReason.startsWith('waiting for') ? state : undefined;
  });
}

async function finalState(stack: string): Promise<StackState> {
  return waitUntil(`${stack} to finish`, () => {
    const state = showStack(stack);
    return state.status.endsWith('_IN_PROGRESS') ? undefined : state;
  });
}

function heatWaitTemplate(count: number, timeout: number): string {
  return `
heat_template_version: 2016-10-14
resources:
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: ${timeout}, count: ${count}}
outputs:
  data: {value: {get_attr: [wait, data]}}
`;
}

test('a server container signals a CFN wait condition through the gateway; what depends on it starts only then', async () => {
  const stack = uniqueName('cfnwait');
  // Seed 002's shape: the server gets the handle URL by str_replace and signals when its setup is done.
  const template = `
HeatTemplateFormatVersion: '2012-12-12'
Resources:
  handle:
    Type: AWS::CloudFormation::WaitConditionHandle
  server:
    Type: DockerInc::Docker::Container
    Properties:
      image: busybox
      cmd:
        - sh
        - -c
        - Fn::Join:
          - ''
          - - "sleep 2; wget -q -O - --header 'Content-Type: application/json' --post-data '{\\"Status\\": \\"SUCCESS\\", \\"Reason\\": \\"Setup complete\\", \\"Data\\": \\"OK\\", \\"UniqueId\\": \\"00000\\"}' '"
            - Ref: handle
            - "'; trap 'exit 0' TERM; sleep 3600 & wait"
  wait:
    Type: AWS::CloudFormation::WaitCondition
    DependsOn: server
    Properties: {Handle: {Ref: handle}, Timeout: "120"}
  app:
    Type: DockerInc::Docker::Container
    DependsOn: wait
    Properties: {image: busybox, cmd: ${SLEEPER}}
Outputs:
  data: {Value: {'Fn::GetAtt': [wait, Data]}}
`;
  const created = stoke('stack', 'create', stack, '-t', writeTemplate(template), '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  // The follower showed the wait in progress before it completed.
  expect(created.stdout).toMatch(/wait {2}CREATE_IN_PROGRESS {2}waiting for 1 more signal\(s\) on handle, \d+s left/);
  const state = showStack(stack);
  expect(state.status).toBe('CREATE_COMPLETE');
  expect(JSON.parse(state.outputs.data!.value as string)).toEqual({ '00000': 'OK' });
  expect(state.resources.handle!.signals).toEqual({ '00000': { status: 'SUCCESS', reason: 'Setup complete', data: 'OK' } });
  expect(Date.parse(state.resources.app!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(state.resources.wait!.updatedAt));
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
});

/** Servers that signal with the project's cfn-signal, word for word as seed 002's user_data does. */
function cfnSignalTemplate(signals: string[]): string {
  const cfnSignal = path.resolve(__dirname, '..', '..', 'bin', 'cfn-signal');
  const servers = signals.map((args, i) => `
  server${i}:
    Type: DockerInc::Docker::Container
    Properties:
      image: busybox
      volumes: {${cfnSignal}: {bind: /bin/cfn-signal, ro: true}}
      cmd:
        - sh
        - -c
        - Fn::Join: ['', ["cfn-signal ${args} '", {Ref: handle}, "'; trap 'exit 0' TERM; sleep 3600 & wait"]]`).join('');
  return `
HeatTemplateFormatVersion: '2012-12-12'
Resources:
  handle: {Type: AWS::CloudFormation::WaitConditionHandle}${servers}
  wait:
    Type: AWS::CloudFormation::WaitCondition
    Properties: {Handle: {Ref: handle}, Timeout: 120, Count: ${signals.length}}
Outputs:
  data: {Value: {'Fn::GetAtt': [wait, Data]}}
`;
}

test('bin/cfn-signal, run by two servers, satisfies a Count 2 wait; with a non-zero exit code it fails the wait', async () => {
  const stack = uniqueName('cfnsignal');
  const created = stoke('stack', 'create', stack, '-t', writeTemplate(cfnSignalTemplate([
    "-e0 --data 'OK' -r 'Setup complete' -i one", "-e 0 --data='a \\\"quoted\\\" value' -i two",
  ])), '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const state = showStack(stack);
  expect(JSON.parse(state.outputs.data!.value as string)).toEqual({ one: 'OK', two: 'a "quoted" value' });
  expect(state.resources.handle!.signals!.two!.reason).toBe('Configuration Complete');
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);

  const failing = uniqueName('cfnfail');
  expect(stoke('stack', 'create', failing, '-t', writeTemplate(cfnSignalTemplate(["-e1 -r 'yum install failed'"])), '--wait').status).toBe(1);
  expect(showStack(failing).statusReason).toBe('Resource CREATE failed: wait: yum install failed; rolled back');
});

test('count 2: a repeated id counts once; data holds each id once', async () => {
  const stack = uniqueName('count');
  await createWaiting(stack, heatWaitTemplate(2, 120));
  expect(stoke('stack', 'signal', stack, 'handle', '--id', 'a', '--data', 'first').status).toBe(0);
  expect(stoke('stack', 'signal', stack, 'handle', '--id', 'a', '--data', 'again').status).toBe(0);
  await waitUntil('the repeated signal', () => (showStack(stack).resources.handle!.signals?.a?.data === 'again' ? true : undefined));
  const waiting = showStack(stack);
  expect(waiting.status).toBe('CREATE_IN_PROGRESS');
  expect(waiting.resources.wait!.statusReason).toMatch(/^waiting for 1 more signal\(s\) on handle, \d+(s|m) left$/);
  expect(waiting.statusReason).toMatch(/^Stack CREATE in progress: wait: waiting for 1 more signal\(s\) on handle/);
  expect(stoke('stack', 'signal', stack, 'handle', '--id', 'b', '--data', 'second').status).toBe(0);
  const state = await finalState(stack);
  expect(state.status).toBe('CREATE_COMPLETE');
  expect(JSON.parse(state.outputs.data!.value as string)).toEqual({ a: 'again', b: 'second' });
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await recordHistories(stack, 'wait-condition');
});

test('while a stack waits, the stack trace the Temporal UI shows names the wait in stoke\'s code, in a few frames per promise', async () => {
  const stack = uniqueName('trace');
  await createWaiting(stack, heatWaitTemplate(1, 600));
  const trace = await stackTrace(stack);
  // The sandbox keeps 6 frames (workflows/sandbox.ts); the SDK drops its promise hook's 2 and prints the rest.
  const stacks = trace.split('\n\n').map((s) => s.trim().split('\n'));
  expect(Math.max(...stacks.map((lines) => lines.length))).toBeLessThanOrEqual(4);
  expect(trace).toMatch(/workflows\/wait-condition\.ts/);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});

test('a FAILURE signal fails the wait with its reason, and the stack rolls back', async () => {
  const stack = uniqueName('failsig');
  await createWaiting(stack, heatWaitTemplate(1, 120));
  expect(stoke('stack', 'signal', stack, 'handle', '--status', 'FAILURE', '--reason', 'yum install failed').status).toBe(0);
  const state = await finalState(stack);
  expect(state.status).toBe('ROLLBACK_COMPLETE');
  expect(state.statusReason).toBe('Resource CREATE failed: wait: yum install failed; rolled back');
});

test('a wait that gets no signal times out with a reason naming the handle and the time', async () => {
  const stack = uniqueName('timeout');
  const created = stoke('stack', 'create', stack, '-t', writeTemplate(heatWaitTemplate(1, 2)), '--wait');
  expect(created.status).toBe(1);
  const state = showStack(stack);
  expect(state.status).toBe('ROLLBACK_COMPLETE');
  expect(state.statusReason).toBe('Resource CREATE failed: wait: timed out after 2 s waiting on handle handle: 0 of 1 signal(s) received; rolled back');
  expect(created.stdout).toMatch(/wait {2}CREATE_IN_PROGRESS {2}waiting for 1 more signal\(s\) on handle, under 10s left/);
});

test('the gateway answers each kind of bad request with its own status, and still accepts the real signal', async () => {
  const stack = uniqueName('gateway');
  const state = await createWaiting(stack, heatWaitTemplate(1, 120));
  const { endpoint, token } = state.resources.handle!.attributes as { endpoint: string; token: string };
  // The test talks to the gateway on loopback; servers use the bridge address in the endpoint.
  const local = endpoint.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${process.env.STOKE_SIGNAL_BIND!.split(':').pop()}`);
  const key = loadSignalKey(loadConfig());
  const post = async (url: string, body: string, headers: Record<string, string> = { 'X-Auth-Token': token }, method = 'POST') => {
    const response = await fetch(url, { method, body: method === 'GET' ? undefined : body, headers });
    return { status: response.status, error: ((await response.json()) as { error?: string }).error };
  };
  const [base, stackId] = [local.slice(0, local.indexOf('/v1/')), state.id];

  expect(await post(local, '{"status": "SUCCESS"}', {})).toEqual({ status: 403, error: expect.stringContaining('missing token') });
  expect(await post(local, '{"status": "SUCCESS"}', { 'X-Auth-Token': 'x'.repeat(43) })).toEqual({ status: 403, error: 'wrong token for this handle' });
  expect((await post(`${local}?Signature=${handleToken(key, stack, stackId, 'other')}`, '{}', {})).status).toBe(403);
  const elsewhere = `${base}/v1/signal/nostack/${stackId}/handle`;
  expect(await post(elsewhere, '{}', { 'X-Auth-Token': handleToken(key, 'nostack', stackId, 'handle') })).toEqual({ status: 404, error: "stack 'nostack' not found" });
  const otherId = `${base}/v1/signal/${stack}/00000000-0000-0000-0000-000000000000/handle`;
  expect((await post(otherId, '{}', { 'X-Auth-Token': handleToken(key, stack, '00000000-0000-0000-0000-000000000000', 'handle') })).status).toBe(404);
  const noHandle = `${base}/v1/signal/${stack}/${stackId}/nohandle`;
  expect(await post(noHandle, '{}', { 'X-Auth-Token': handleToken(key, stack, stackId, 'nohandle') }))
    .toEqual({ status: 404, error: `stack '${stack}' has no wait condition handle 'nohandle' (it has: handle)` });
  expect((await post(`${base}/v1/elsewhere`, '{}')).status).toBe(404);
  expect((await post(`${base}/v1/signal/%E0%A4%A/${stackId}/handle`, '{}')).status).toBe(404);
  expect((await post(local, '', {}, 'GET')).status).toBe(405);
  expect(await post(local, '{"status": ')).toEqual({ status: 400, error: expect.stringContaining('malformed JSON body') });
  expect(await post(local, '{"status": "DONE"}')).toEqual({ status: 400, error: 'status must be SUCCESS or FAILURE, got "DONE"' });
  expect(await post(local, JSON.stringify({ status: 'SUCCESS', data: 'x'.repeat(70 * 1024) }))).toEqual({ status: 413, error: 'the body exceeds 65536 bytes' });
  // None of these reached the stack.
  expect(showStack(stack).resources.handle!.signals).toBeUndefined();

  expect(await post(local, '{"status": "SUCCESS", "data": "ok", "id": "1"}')).toEqual({ status: 200, error: undefined });
  expect((await finalState(stack)).status).toBe('CREATE_COMPLETE');
  expect(await post(local, '{"status": "SUCCESS"}')).toEqual({ status: 409, error: `stack '${stack}' is no longer waiting for signals (CREATE_COMPLETE)` });
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect((await post(local, '{"status": "SUCCESS"}')).status).toBe(404);
});

test('once its wait is over, a handle takes no more signals: the gateway and stack signal answer 409 and the history does not grow', async () => {
  const stack = uniqueName('closed');
  // The stack goes on waiting (on `handle`) after the wait on `first` is over.
  const template = `
heat_template_version: 2016-10-14
resources:
  first: {type: OS::Heat::WaitConditionHandle}
  handle: {type: OS::Heat::WaitConditionHandle}
  first_wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: first}, timeout: 120}
  wait:
    type: OS::Heat::WaitCondition
    depends_on: first_wait
    properties: {handle: {get_resource: handle}, timeout: 120}
`;
  expect(stoke('stack', 'create', stack, '-t', writeTemplate(template)).status).toBe(0);
  const state = await waitUntil(`${stack} waiting on first`, () => {
    const shown = showStack(stack);
    return shown.resources.first_wait?.statusReason.startsWith('waiting for') ? shown : undefined;
  });
  const { endpoint, token } = state.resources.first!.attributes as { endpoint: string; token: string };
  const local = endpoint.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${process.env.STOKE_SIGNAL_BIND!.split(':').pop()}`);
  const post = async () => {
    const response = await fetch(local, { method: 'POST', headers: { 'X-Auth-Token': token }, body: '{"status": "SUCCESS"}' });
    return { status: response.status, error: ((await response.json()) as { error?: string }).error };
  };
  expect(await post()).toEqual({ status: 200, error: undefined });
  await waitUntil('the handle closed in the memo', async () => ((await describeStackWorkflow(stack)).memo.closedHandles?.first === 'waited' ? true : undefined), 30_000);
  expect(showStack(stack).resources.wait!.statusReason).toMatch(/^waiting for 1 more signal/);

  const before = (await describeStackWorkflow(stack)).historyLength;
  const refusal = `handle 'first' of stack '${stack}' takes no more signals: its wait is over`;
  for (let i = 0; i < 3; i++) expect(await post()).toEqual({ status: 409, error: refusal });
  expect(stoke('stack', 'signal', stack, 'first')).toMatchObject({ status: 1, stderr: `ERROR: ${refusal}\n` });
  expect((await describeStackWorkflow(stack)).historyLength).toBe(before);
  expect(showStack(stack).resources.first!.signals).toEqual({ 1: { status: 'SUCCESS', reason: 'Signal 1 received', data: null } });

  expect(stoke('stack', 'signal', stack, 'handle').status).toBe(0);
  expect((await finalState(stack)).status).toBe('CREATE_COMPLETE');
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await recordHistories(stack, 'closed-handles');
});

test('stack signal refuses unknown stacks, unknown handles and stacks no longer waiting, with a clear message', async () => {
  const stack = uniqueName('clisig');
  expect(stoke('stack', 'signal', stack, 'handle')).toMatchObject({ status: 1, stderr: `ERROR: stack '${stack}' not found\n` });
  await createWaiting(stack, heatWaitTemplate(1, 120));
  expect(stoke('stack', 'signal', stack, 'wait')).toMatchObject({ status: 1, stderr: `ERROR: stack '${stack}' has no wait condition handle 'wait' (it has: handle)\n` });
  expect(stoke('stack', 'signal', stack, 'handle', '--status', 'MAYBE').status).not.toBe(0);
  expect(stoke('stack', 'signal', stack, 'handle', '--reason', 'by hand')).toMatchObject({ status: 0, stdout: `Signalled ${stack}/handle: SUCCESS\n` });
  expect((await finalState(stack)).status).toBe('CREATE_COMPLETE');
  expect(stoke('stack', 'signal', stack, 'handle')).toMatchObject({ status: 1, stderr: `ERROR: stack '${stack}' is no longer waiting for signals (CREATE_COMPLETE)\n` });
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});

/** The stack's deadline is its whole minute: that create runs while the tests above do. */
const deadlineStack = uniqueName('stacktimeout');
const deadlineCreate = startedEarly(() => stokeAsync('stack', 'create', deadlineStack, '-t', writeTemplate(heatWaitTemplate(1, 6000)), '--timeout', '1', '--wait'));

test('no wait outlasts the stack create timeout, whatever its own timeout', async () => {
  const created = await deadlineCreate();
  expect(created.status).toBe(1);
  // The stack's one deadline stops the wait, and names it as what was still in progress.
  expect(showStack(deadlineStack).statusReason).toBe('Stack CREATE timed out after 1 min; still in progress: wait; rolled back');
});
