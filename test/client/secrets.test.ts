/**
 * Secrets stay out of Temporal: the raw history of real stacks, read straight from the server's gRPC
 * service without the codec, holds neither a hidden parameter's value nor a generated password, nor a
 * failure message that quotes one; with the key (in process, or through `stoke codec-server`) they are there.
 */
import type { ChildProcess } from 'node:child_process';
import type * as http from 'node:http';
import { Connection } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { codecKeys, ENCRYPTED_ENCODING, EncryptionCodec, parseKey } from '../../src/client/codec';
import { startCodecServer } from '../../src/gateway/codec-server';
import { loadConfig, temporalAddress } from '../../src/config';
import { SLEEPER, docker, freePort, recordHistories, showStack, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
let connection: Connection;
const config = loadConfig();

beforeAll(async () => {
  worker = await startWorker();
  connection = await Connection.connect({ address: temporalAddress(config) });
});

afterAll(async () => {
  await stopWorker(worker);
  await connection?.close();
});

/** Every event of every run of a stack, exactly as the server stores and serves it. */
async function rawHistories(stack: string): Promise<temporal.api.history.v1.IHistory[]> {
  const { executions } = await connection.workflowService.listWorkflowExecutions({ namespace: config.namespace, query: `WorkflowId = 'stack:${stack}'` });
  const histories: temporal.api.history.v1.IHistory[] = [];
  for (const { execution } of executions) {
    const events: temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.getWorkflowExecutionHistory({ namespace: config.namespace, execution, nextPageToken });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    histories.push({ events });
  }
  return histories;
}

/** The stored bytes of the histories plus what describe shows (search attributes, memo). */
async function rawBytes(stack: string): Promise<Buffer> {
  const histories = await rawHistories(stack);
  const description = await connection.workflowService.describeWorkflowExecution({ namespace: config.namespace, execution: { workflowId: `stack:${stack}` } });
  return Buffer.concat([
    ...histories.map((h) => Buffer.from(temporal.api.history.v1.History.encode(h).finish())),
    Buffer.from(temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(description).finish()),
  ]);
}

function encryptedPayloads(node: unknown, out: Payload[] = []): Payload[] {
  if (typeof node !== 'object' || node === null || node instanceof Uint8Array) return out;
  const candidate = node as Payload;
  const encoding = candidate.metadata?.encoding;
  if (encoding instanceof Uint8Array && Buffer.from(encoding).toString() === ENCRYPTED_ENCODING) out.push(candidate);
  for (const value of Object.values(node)) encryptedPayloads(value, out);
  return out;
}

const leaks = (bytes: Buffer, secret: string) => bytes.includes(secret) || bytes.includes(Buffer.from(secret).toString('base64'));

test('hidden parameters and RandomString values are not in the raw history; the key reveals them', async () => {
  const stack = uniqueName('secret');
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  db_password: {type: string, hidden: true}
resources:
  generated:
    type: OS::Heat::RandomString
    properties: {length: 28}
  db:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      env:
        - {list_join: ['=', [DB_PASSWORD, {get_param: db_password}]]}
        - {list_join: ['=', [GENERATED, {get_attr: [generated, value]}]]}
      cmd: ${SLEEPER}
outputs:
  generated: {value: {get_attr: [generated, value]}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--parameter', `db_password=${password}`, '--wait');
  expect(created.status).toBe(0);
  const state = showStack(stack);
  const generated = state.outputs.generated!.value as string;
  expect(generated).toHaveLength(28);
  const env = (await docker().getContainer(state.resources.db!.physicalId).inspect()).Config.Env;
  expect(env).toEqual(expect.arrayContaining([`DB_PASSWORD=${password}`, `GENERATED=${generated}`]));
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);

  const raw = await rawBytes(stack);
  expect(raw.length).toBeGreaterThan(1000);
  expect(raw.includes(stack)).toBe(true); // workflow id and StackName stay readable, for listing
  expect(leaks(raw, password)).toBe(false);
  expect(leaks(raw, generated)).toBe(false);

  const sealed = (await rawHistories(stack)).flatMap((h) => encryptedPayloads(h));
  expect(sealed.length).toBeGreaterThan(5);
  const opened = await new EncryptionCodec(codecKeys(config)!).decode(sealed);
  const plain = Buffer.concat(opened.map((p) => Buffer.from(p.data ?? [])));
  expect(plain.includes(password)).toBe(true);
  expect(plain.includes(generated)).toBe(true);

  // A key that is not the worker's opens nothing.
  const stranger = new EncryptionCodec([parseKey(Buffer.alloc(32, 7).toString('base64'), 'test')]);
  await expect(stranger.decode(sealed.slice(0, 1))).rejects.toThrow(/which this stoke lacks/);
  // Also the replay test's record of in-worker types run as local activities.
  await recordHistories(stack, 'local-activities');
});

test('a failure message quoting a secret is sealed too, and the codec server decodes it for the UI', async () => {
  const stack = uniqueName('leaky');
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  token: {type: string, hidden: true}
resources:
  talker:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      # A command that cannot start fails the create every time, with Docker's message quoting it; a
      # command that exits at once races the check that it runs.
      cmd: [{list_join: ['', ['/the-token-is-', {get_param: token}]]}]
`);
  const result = stoke('stack', 'create', stack, '-t', template, '--parameter', `token=${password}`, '--wait');
  expect(result.status).toBe(1);
  // The reason is shown with the hidden value masked, as everywhere the CLI prints.
  expect(result.stdout).toContain('/the-token-is-******');
  expect(result.stdout).not.toContain(password);
  expect(result.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE`);

  const raw = await rawBytes(stack);
  expect(raw.includes('OCI runtime create failed')).toBe(false);
  expect(leaks(raw, password)).toBe(false);

  const port = await freePort();
  const server: http.Server = await startCodecServer(new EncryptionCodec(codecKeys(config)!), { host: '127.0.0.1', port, origins: ['http://127.0.0.1:8233'] });
  try {
    const sealed = (await rawHistories(stack)).flatMap((h) => encryptedPayloads(h));
    const body = JSON.stringify({ payloads: sealed.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? []).toString('base64'),
    })) });
    const response = await fetch(`http://127.0.0.1:${port}/decode`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'X-Namespace': config.namespace, Origin: 'http://127.0.0.1:8233' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    const { payloads } = (await response.json()) as { payloads: { data: string }[] };
    expect(payloads).toHaveLength(sealed.length);
    const decoded = payloads.map((p) => Buffer.from(p.data, 'base64').toString()).join('\n');
    // The user holding the key reads the values themselves (the plan carries the parameter).
    expect(decoded).toContain(password);

    const preflight = await fetch(`http://127.0.0.1:${port}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:8233', 'Access-Control-Request-Headers': 'x-namespace,content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Namespace');
    const foreign = await fetch(`http://127.0.0.1:${port}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const malformed = await fetch(`http://127.0.0.1:${port}/decode`, { method: 'POST', body: '{"payloads": 3' });
    expect(malformed.status).toBe(400);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
