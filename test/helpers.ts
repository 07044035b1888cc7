import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { dockerOptions } from '../src/runtime/docker-endpoint';
import type { StackState } from '../src/template/types';
import type { HandleSignal, StackMemo } from '../workflows/definitions';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'cli.js');

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a user would. */
export function stoke(...args: string[]): CliResult {
  return stokeWith(process.env, ...args);
}

/** The CLI with another environment: another Temporal, another state folder. */
export function stokeWith(env: NodeJS.ProcessEnv, ...args: string[]): CliResult {
  // A stack of 10,000 resources prints megabytes.
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 170_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The CLI without blocking this process: needed while this process serves the CLI's worker (a proxy). */
export async function stokeAsync(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 170_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * Work started when the file's tests start, for a test at the end of the file to await: an action that must run
 * out a timeout of a whole minute runs while the file's other tests do, instead of after them.
 */
export function startedEarly<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  beforeAll(() => {
    result = run();
    // Awaited by its test; until then a failure is that test's to report, not an unhandled rejection.
    result.catch(() => undefined);
  });
  return () => result!;
}

/** A worker process of the built code; `kill('SIGKILL')` simulates a crash. */
export async function startWorker(env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('stoke worker:')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  return child;
}

export async function stopWorker(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * A worker for the tests of one file: started before them, stopped after. The stacks a test pushes on `stacks`
 * are deleted first, when the test left them standing.
 */
export function useWorker(): { readonly stacks: string[] } {
  let worker: ChildProcess | undefined;
  const stacks: string[] = [];
  beforeAll(async () => {
    worker = await startWorker();
  });
  afterAll(async () => {
    for (const stack of stacks) {
      const shown = stoke('stack', 'show', stack, '--state');
      if (shown.status === 0 && (JSON.parse(shown.stdout) as StackState).status !== 'DELETE_COMPLETE') stoke('stack', 'delete', stack, '--wait');
    }
    await stopWorker(worker);
  });
  return { stacks };
}

/** Runs a shell command in a container through a TTY: its output, stdout and stderr together. */
export async function execIn(container: string, command: string): Promise<string> {
  const exec = await docker().getContainer(container).exec({ Cmd: ['sh', '-c', command], AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
  const chunks: Buffer[] = [];
  await new Promise((resolve) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
  });
  return Buffer.concat(chunks).toString('utf8');
}

export function docker(): Docker {
  return new Docker(dockerOptions(process.env.STOKE_TEST_DOCKER!));
}

/** Containers of a stack, by the labels stoke puts on everything it creates. */
export async function stackContainers(stack: string): Promise<Docker.ContainerInfo[]> {
  return docker().listContainers({ all: true, filters: { label: [`org.stoke.stack=${stack}`] } });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** A new folder for a test's files, in the run's own temporary folder, which the global teardown removes. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env.STOKE_TEST_TMP ?? os.tmpdir(), `${prefix}-`));
}

export function writeTemplate(text: string): string {
  const dir = tempDir('stoke-test');
  const file = path.join(dir, 'template.yaml');
  fs.writeFileSync(file, text);
  return file;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function showStack(name: string, env: NodeJS.ProcessEnv = process.env): StackState {
  const result = stokeWith(env, 'stack', 'show', name, '--state');
  if (result.status !== 0) throw new Error(`stack show ${name} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as StackState;
}

/** `stack output show NAME -f json`'s list as values by output key. */
export function outputsOf(json: string): Record<string, unknown> {
  return Object.fromEntries((JSON.parse(json) as { output_key: string; output_value: unknown }[]).map((o) => [o.output_key, o.output_value]));
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A Temporal client as the CLI makes one (same namespace, same codec), for what the CLI does not show. */
async function withTemporal<T>(fn: (client: import('@temporalio/client').Client) => Promise<T>): Promise<T> {
  const { Client, Connection } = await import('@temporalio/client');
  const { loadConfig, temporalAddress } = await import('../src/config');
  const { dataConverter } = await import('../src/client/codec');
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddress(config) });
  try {
    return await fn(new Client({ connection, namespace: config.namespace, dataConverter: dataConverter(config) }));
  } finally {
    await connection.close();
  }
}

/** The memo of a stack's latest workflow and the number of events in its history. */
export function describeStackWorkflow(stack: string): Promise<{ memo: Partial<StackMemo>; historyLength: number; historySize: number }> {
  return withTemporal(async (client) => {
    const description = await client.workflow.getHandle(`stack:${stack}`).describe();
    return { memo: (description.memo ?? {}) as Partial<StackMemo>, historyLength: description.historyLength, historySize: description.historySize };
  });
}

/** The stack trace of a stack's running action, as the Temporal UI shows it (the SDK's built-in query). */
export function stackTrace(stack: string): Promise<string> {
  return withTemporal((client) => client.workflow.getHandle(`stack:${stack}`).query<string>('__stack_trace'));
}

/** The event types of a stack's latest action, in order. */
export function stackHistoryTypes(stack: string): Promise<string[]> {
  return withTemporal(async (client) => {
    const { temporal } = await import('@temporalio/proto');
    const history = await client.workflow.getHandle(`stack:${stack}`).fetchHistory();
    return (history.events ?? []).map((event) => temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType));
  });
}

/** How many ordinary and local activities a stack's latest action ran (a local one is a marker, as a patch is). */
export function stackActivityCounts(stack: string): Promise<{ ordinary: number; local: number }> {
  return withTemporal(async (client) => {
    const events = (await client.workflow.getHandle(`stack:${stack}`).fetchHistory()).events ?? [];
    return {
      ordinary: events.filter((event) => event.activityTaskScheduledEventAttributes).length,
      local: events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
    };
  });
}

/** The run a stack's workflow id names now: a new one means an action was started. */
export function latestStackRun(stack: string): Promise<{ runId: string; type: string }> {
  return withTemporal(async (client) => {
    const description = await client.workflow.getHandle(`stack:${stack}`).describe();
    return { runId: description.runId, type: description.type };
  });
}

/** Starts a workflow as the CLI would, with an input of the test's making (an older client's, say). */
export function startStackWorkflow(stack: string, workflow: string, input: unknown): Promise<void> {
  return withTemporal(async (client) => {
    const { loadConfig } = await import('../src/config');
    await client.workflow.start(workflow, { workflowId: `stack:${stack}`, taskQueue: loadConfig().taskQueue, args: [input] });
  });
}

/** A signal straight to the workflow, past every check of the gateway and the CLI. */
export function signalStackWorkflow(stack: string, signal: HandleSignal): Promise<void> {
  return withTemporal(async (client) => {
    const { handleSignal } = await import('../workflows/definitions');
    await client.workflow.getHandle(`stack:${stack}`).signal(handleSignal, signal);
  });
}

/** A sleeping busybox container that exits at once on SIGTERM, so deletes do not wait out the grace period. */
export const SLEEPER = `[sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"]`;

/**
 * Saves the histories of every action run on a stack into test/workflows/histories, where the replay test keeps
 * checking them against the current workflow code. Only when STOKE_RECORD_HISTORIES=1.
 */
export async function recordHistories(stack: string, label: string): Promise<void> {
  if (process.env.STOKE_RECORD_HISTORIES !== '1') return;
  const { Client, Connection } = await import('@temporalio/client');
  const { loadConfig, temporalAddress } = await import('../src/config');
  const { temporalBinary } = await import('../src/runtime/runtime');
  const { chained, codecKeys, dataConverter, payloadCodecs } = await import('../src/client/codec');
  const { startCodecServer } = await import('../src/gateway/codec-server');
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddress(config) });
  // Recorded histories must replay on machines without this key: the CLI decrypts them through stoke's codec server.
  const codecPort = await freePort();
  const keys = codecKeys(config);
  const codecServer = keys && await startCodecServer(chained(payloadCodecs(keys)), { host: '127.0.0.1', port: codecPort, origins: [] });
  try {
    // Listing decodes each run's memo, which the codec encrypts.
    const client = new Client({ connection, namespace: config.namespace, dataConverter: dataConverter(config) });
    for await (const run of client.workflow.list({ query: `WorkflowId = 'stack:${stack}'` })) {
      // The Temporal CLI writes the proto JSON that historyFromJSON reads back.
      // Asynchronously: the codec server the CLI calls runs in this very process.
      const { stdout } = await promisify(execFile)(temporalBinary(config, console.log), ['workflow', 'show', '--address', temporalAddress(config),
        '--namespace', config.namespace, '--workflow-id', run.workflowId, '--run-id', run.runId, '--output', 'json',
        ...(codecServer ? ['--codec-endpoint', `http://127.0.0.1:${codecPort}`] : [])], { maxBuffer: 256 * 1024 * 1024 });
      fs.writeFileSync(path.join(ROOT, 'test', 'workflows', 'histories', `${label}-${run.type}.json`), stdout);
    }
  } finally {
    codecServer?.close();
    await connection.close();
  }
}

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The answer was sent in full. */
  finished: boolean;
  /** The client gave up before it had the answer. */
  abandoned: boolean;
}

export interface DockerProxy {
  /** `tcp://127.0.0.1:PORT`, to use as a docker_endpoint or DOCKER_HOST. */
  readonly endpoint: string;
  readonly requests: ProxiedRequest[];
  /** Sends on the requests held so far, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A Docker endpoint in front of the test engine that records every request, holds back the ones `hold`
 * picks until release() (a slow engine), and lets `answer` reply to some itself (a registry that refuses).
 */
export async function startDockerProxy(options: {
  hold?: (method: string, path: string) => boolean;
  answer?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
} = {}): Promise<DockerProxy> {
  const target = dockerOptions(process.env.STOKE_TEST_DOCKER!);
  const requests: ProxiedRequest[] = [];
  let held: (() => void)[] = [];
  let released = false;
  const server = http.createServer((req, res) => {
    const record: ProxiedRequest = { method: req.method!, path: req.url!, headers: req.headers, finished: false, abandoned: false };
    requests.push(record);
    res.on('finish', () => (record.finished = true));
    res.on('close', () => (record.abandoned = !record.finished));
    if (options.answer?.(req, res)) return;
    const forward = () => {
      if (record.abandoned) return;
      const where = target.socketPath ? { socketPath: target.socketPath } : { host: target.host, port: target.port };
      const upstream = http.request({ ...where, method: req.method, path: req.url, headers: req.headers }, (reply) => {
        res.writeHead(reply.statusCode!, reply.headers);
        reply.pipe(res);
      });
      upstream.on('error', (err) => res.destroy(err));
      req.pipe(upstream);
    };
    if (!released && options.hold?.(req.method!, req.url!)) held.push(forward);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    release: () => {
      released = true;
      for (const forward of held) forward();
      held = [];
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
