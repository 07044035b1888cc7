/**
 * A keyed worker runs only what was sealed with a key it has. A plan started by a raw Temporal client in
 * plaintext, or by a CLI with another key, fails at once and non-retryably with the reason and the key
 * id, creates nothing, and leaves a stack that lists as failed and can be deleted; with
 * STOKE_CODEC_ALLOW_PLAINTEXT the worker runs plaintext, as when migrating old histories.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { codecKeys, dataConverter, keyId } from '../../src/client/codec';
import { loadConfig, temporalAddress } from '../../src/config';
import { loadPlan } from '../../src/template/load';
import { stackNameKey, stackStatusKey, stackWorkflowId, type CreateStackInput } from '../../workflows/definitions';
import { PAYLOAD_REFUSED } from '../../workflows/refused';
import { SLEEPER, showStack, stackContainers, startWorker, stoke, stokeWith, stopWorker, uniqueName, writeTemplate } from '../helpers';

const config = loadConfig();
let worker: ChildProcess | undefined;
let connection: Connection;
/** No data converter: payloads go to Temporal as plain JSON, as anyone reaching the frontend could send them. */
let raw: Client;

beforeAll(async () => {
  worker = await startWorker();
  connection = await Connection.connect({ address: temporalAddress(config) });
  raw = new Client({ connection, namespace: config.namespace });
});

afterAll(async () => {
  await stopWorker(worker);
  await connection?.close();
});

const container = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  root:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
`);

async function startPlaintext(stack: string, taskQueue: string) {
  const { plan } = loadPlan({ stackName: stack, templateFile: container });
  const input: CreateStackInput = { plan, stackId: randomUUID() };
  return raw.workflow.start('createStack', {
    workflowId: stackWorkflowId(stack), taskQueue, args: [input], memo: { stackId: input.stackId, handles: [] },
    typedSearchAttributes: [{ key: stackNameKey, value: stack }, { key: stackStatusKey, value: 'CREATE_IN_PROGRESS' }],
  });
}

async function refusal(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

test('a plaintext plan from a raw client is refused at once, creates nothing, and leaves a failed stack that deletes', async () => {
  const stack = uniqueName('plain');
  const handle = await startPlaintext(stack, config.taskQueue);
  const cause = await refusal(handle.result());
  expect(cause.type).toBe(PAYLOAD_REFUSED);
  expect(cause.nonRetryable).toBe(true);
  expect(cause.message).toMatch(/^the worker refused this create: the payload is not encrypted.*STOKE_CODEC_ALLOW_PLAINTEXT=1/);
  expect(await stackContainers(stack)).toHaveLength(0);

  const shown = showStack(stack);
  expect(shown.status).toBe('CREATE_FAILED');
  expect(shown.statusReason).toBe(cause.message);
  const listed = JSON.parse(stoke('stack', 'list', '-f', 'json').stdout) as { 'Stack Name': string; 'Stack Status': string }[];
  expect(listed.find((s) => s['Stack Name'] === stack)?.['Stack Status']).toBe('CREATE_FAILED');
  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  // The refused create ended before its first event: the stack's events are the delete's.
  const events = stoke('stack', 'event', 'list', stack, '-f', 'json');
  expect(events.stderr).toBe('');
  expect((JSON.parse(events.stdout) as { resource_status: string }[]).map((e) => e.resource_status)).toEqual(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
});

test('with STOKE_CODEC_ALLOW_PLAINTEXT=1 the worker runs a plaintext plan', async () => {
  const taskQueue = `${config.taskQueue}-plaintext`;
  const env = { ...process.env, STOKE_TASK_QUEUE: taskQueue };
  const lenient = await startWorker({ ...env, STOKE_CODEC_ALLOW_PLAINTEXT: '1' });
  const stack = uniqueName('migrated');
  try {
    const handle = await startPlaintext(stack, taskQueue);
    // The result is sealed by the worker: read it with the key.
    const keyed = new Client({ connection, namespace: config.namespace, dataConverter: dataConverter(config) });
    const state = (await keyed.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).result()) as { status: string };
    expect(state.status).toBe('CREATE_COMPLETE');
    expect(await stackContainers(stack)).toHaveLength(1);
  } finally {
    expect(stokeWith(env, 'stack', 'delete', stack, '--wait').status).toBe(0);
    await stopWorker(lenient);
  }
});

test('a CLI with another key than the worker\'s fails its create --wait at once, naming the key id the worker lacks', async () => {
  const stack = uniqueName('otherkey');
  const otherKey = randomBytes(32);
  const other = { ...process.env, STOKE_CODEC_KEY: otherKey.toString('base64') };
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  secret: {type: OS::Heat::RandomString}
`);
  const created = stokeWith(other, 'stack', 'create', stack, '-t', template, '--wait');
  expect(created.status).toBe(1);
  expect(created.stdout).toContain(`Stack ${stack} CREATE_FAILED: the worker refused this create: the payload is encrypted with key id ${keyId(otherKey)}, which this worker lacks`);
  expect(created.stdout).toContain('STOKE_CODEC_OLD_KEYS');

  // Whoever holds the worker's key sees it failed, not in progress, and can delete it.
  const listed = JSON.parse(stoke('stack', 'list', '-f', 'json').stdout) as { 'Stack Name': string; 'Stack Status': string }[];
  expect(listed.find((s) => s['Stack Name'] === stack)?.['Stack Status']).toBe('CREATE_FAILED');
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);

  // The other way round: state sealed with the worker's key names that key to a CLI without it.
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const shown = stokeWith(other, 'stack', 'show', stack);
  expect(shown.status).toBe(1);
  expect(shown.stderr).toMatch(/^ERROR: the payload is encrypted with key id stoke-[0-9a-f]{12}, which this stoke lacks .*STOKE_CODEC_KEY/);
  expect(shown.stderr).not.toContain('    at ');

  // A key made current before the worker has it (a rotation done out of order): the delete is refused and
  // the stack keeps its resources, so a delete with the worker's key still finds them.
  const early = { ...other, STOKE_CODEC_OLD_KEYS: codecKeys(config)![0]!.toString('base64') };
  const refused = stokeWith(early, 'stack', 'delete', stack, '--wait');
  expect(refused.status).toBe(1);
  expect(refused.stdout).toContain(`Stack ${stack} DELETE_FAILED: the worker refused this delete: the payload is encrypted with key id ${keyId(otherKey)}`);
  expect(showStack(stack).resources.secret!.status).toBe('CREATE_COMPLETE');
  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
});

test('against a configured Temporal, a CLI or worker without a key refuses to run instead of sending plaintext; listing still works', async () => {
  const stack = uniqueName('nokey');
  const keyless = { ...process.env, TEMPORAL_ADDRESS: temporalAddress(config), STOKE_CODEC_KEY: '', STOKE_CODEC_KEY_FILE: '' };
  const template = writeTemplate('heat_template_version: 2015-04-30\nresources:\n  nothing: {type: OS::Heat::None}\n');
  const created = stokeWith(keyless, 'stack', 'create', stack, '-t', template);
  expect(created.status).toBe(1);
  expect(created.stderr).toBe('ERROR: no payload encryption key for the Temporal at TEMPORAL_ADDRESS=' + temporalAddress(config)
    + ': set STOKE_CODEC_KEY or STOKE_CODEC_KEY_FILE to the key the stoke workers use, or STOKE_CODEC_ALLOW_PLAINTEXT=1 to run unencrypted\n');
  expect(stoke('stack', 'show', stack).stderr).toContain(`stack '${stack}' not found`);
  expect(stokeWith(keyless, 'stack', 'list').status).toBe(0);
  await expect(startWorker(keyless)).rejects.toThrow(/worker exited with 1: .*no payload encryption key/s);
});
