/**
 * What the wait benchmarks share: a worker of the built code with its own task queue and gateway port,
 * on the Temporal and Docker the environment names (run `stoke dev` first for the embedded ones).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { StackClient } from '../src/client/client';
import { loadConfig, type StokeConfig } from '../src/config';
import { loadPlan } from '../src/template/load';
import type { StackState } from '../src/template/types';
import { prepareNamespace } from '../src/runtime/worker';

const CLI = path.join(__dirname, '..', 'src', 'cli.js');

export interface Bench {
  readonly config: StokeConfig;
  readonly client: StackClient;
  /** The gateway as the host reaches it: loopback and the worker's bind port. */
  readonly gateway: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startBench(name: string): Promise<Bench> {
  process.env.STOKE_TASK_QUEUE = `bench-${name}-${process.pid}`;
  process.env.TEMPORAL_NAMESPACE ??= 'stoke-bench';
  const port = await freePort();
  process.env.STOKE_SIGNAL_BIND = String(port);
  const config = loadConfig();
  await prepareNamespace(config);
  const worker: ChildProcess = spawn(process.execPath, [CLI, 'worker'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('signal gateway on')) resolve();
    };
    worker.stdout!.on('data', onData);
    worker.stderr!.on('data', onData);
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  const client = await StackClient.connect(config);
  return {
    config,
    client,
    gateway: `http://127.0.0.1:${port}`,
    close: async () => {
      await client.close();
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    },
  };
}

/** Creates a stack from template text and resolves once its wait condition `wait` waits. */
export async function createWaiting(bench: Bench, stack: string, template: string): Promise<StackState> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-bench-'));
  const file = path.join(dir, 'template.yaml');
  fs.writeFileSync(file, template);
  const { plan } = loadPlan({ stackName: stack, templateFile: file });
  fs.rmSync(dir, { recursive: true, force: true });
  await bench.client.create(plan);
  for (;;) {
    const state = await bench.client.state(stack);
    if (state.resources.wait?.statusReason.startsWith('waiting for')) return state;
    if (!state.status.endsWith('_IN_PROGRESS')) throw new Error(`${stack} ended ${state.status}: ${state.statusReason}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function finalState(bench: Bench, stack: string): Promise<StackState> {
  return bench.client.wait(stack, () => undefined, 100);
}

/** The handle's endpoint as the host reaches it, and its token. */
export function localHandle(bench: Bench, state: StackState): { url: string; token: string } {
  const { endpoint, token } = state.resources.handle!.attributes as { endpoint: string; token: string };
  return { url: endpoint.replace(/^http:\/\/[^/]+/, bench.gateway), token };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].map((l) => l.trimEnd()).join('\n');
}

export const HEAT_WAIT = `
heat_template_version: 2016-10-14
resources:
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: 600}
  # A container, not OS::Heat::None: None runs as a local activity, which leaves no start event to time.
  after:
    type: DockerInc::Docker::Container
    depends_on: wait
    properties: {image: busybox, cmd: ['true']}
`;
