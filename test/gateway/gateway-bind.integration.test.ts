/**
 * Where the signal gateway listens, and what a worker does when its port is taken. Real processes of the
 * built CLI, a real Docker engine: a busybox container reaches the gateway over the bridge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { bridgeAddress, healthProof, loadSignalKey } from '../../src/gateway/signal';
import { docker, freePort, stopWorker } from '../helpers';

const CLI = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'cli.js');
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) await stopWorker(child);
});

/**
 * Runs `stoke worker` or `stoke gateway` until it is up (`until` appears in its output) or exits.
 * Returns its output and exit code, null while it runs.
 */
function run(command: string, env: NodeJS.ProcessEnv, until: string): Promise<{ output: string; code: number | null }> {
  const child = spawn(process.execPath, [CLI, command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(until)) resolve({ output, code: null });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => resolve({ output, code }));
  });
}

const challenge = () => crypto.randomBytes(18).toString('base64url');

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 5000 });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

test('by default the gateway listens on loopback and the bridge only; a container reaches it; /health proves the key', async () => {
  const port = await freePort();
  const bridge = await bridgeAddress(process.env.STOKE_TEST_DOCKER!);
  const started = await run('gateway', { ...process.env, STOKE_SIGNAL_BIND: String(port) }, 'listening on');
  expect(started.code).toBeNull();
  expect(started.output).toContain(`stoke gateway: listening on 127.0.0.1:${port}, ${bridge}:${port}\n`);

  const key = loadSignalKey(loadConfig());
  const asked = challenge();
  const response = await fetch(`http://127.0.0.1:${port}/health?challenge=${asked}`);
  expect(await response.json()).toEqual({ service: 'stoke-gateway', proof: healthProof(key, asked) });
  expect((await fetch(`http://127.0.0.1:${port}/health?challenge=short`)).status).toBe(400);

  // Every other address of this machine (eth0 and the like) refuses the connection.
  const others = Object.values(os.networkInterfaces()).flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal && a.address !== bridge).map((a) => a!.address);
  for (const address of others) expect({ address, accepted: await accepts(address, port) }).toEqual({ address, accepted: false });

  // A container on the default bridge reaches it at the bridge's address, as servers do with their handle URLs.
  const container = await docker().createContainer({ Image: 'busybox', Cmd: ['wget', '-q', '-O', '-', `http://${bridge}:${port}/health?challenge=${asked}`] });
  try {
    await container.start();
    expect((await container.wait()).StatusCode).toBe(0);
    const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
    expect(logs).toContain(healthProof(key, asked));
  } finally {
    await container.remove({ force: true });
  }
});

test('a wider bind is asked for by name: STOKE_SIGNAL_BIND=0.0.0.0:PORT', async () => {
  const port = await freePort();
  const started = await run('gateway', { ...process.env, STOKE_SIGNAL_BIND: `0.0.0.0:${port}` }, 'listening on');
  expect(started.output).toContain(`stoke gateway: listening on 0.0.0.0:${port}\n`);
});

describe('a worker whose gateway port is taken', () => {
  test('by something other than a stoke gateway: it exits non-zero, naming the port and the setting', async () => {
    const port = await freePort();
    const other = http.createServer((_req, res) => res.end('hello')).listen(port, '127.0.0.1');
    try {
      const result = await run('worker', { ...process.env, STOKE_SIGNAL_BIND: String(port) }, 'stoke worker:');
      expect(result.code).toBe(1);
      expect(result.output).toContain(`ERROR: the signal gateway cannot listen on 127.0.0.1:${port}, which is in use: what answers there is no stoke gateway (HTTP 200 to GET /health). `
        + 'Free the port or choose another with STOKE_SIGNAL_BIND\n');
    } finally {
      other.close();
    }
  });

  test('by a stoke gateway with another key: it exits non-zero', async () => {
    const port = await freePort();
    const env = { ...process.env, STOKE_SIGNAL_BIND: String(port) };
    expect((await run('gateway', { ...env, STOKE_SIGNAL_KEY: 'another key' }, 'listening on')).code).toBeNull();
    const result = await run('worker', env, 'stoke worker:');
    expect(result.code).toBe(1);
    expect(result.output).toContain(`ERROR: the signal gateway cannot listen on 127.0.0.1:${port}, which is in use: a stoke gateway with another signal key answers there.`);
  });

  test('by a stoke gateway with the same key: it runs without a gateway of its own, and says so', async () => {
    const port = await freePort();
    const env = { ...process.env, STOKE_SIGNAL_BIND: String(port) };
    expect((await run('gateway', env, 'listening on')).code).toBeNull();
    const result = await run('worker', env, 'stoke worker:');
    expect(result.code).toBeNull();
    expect(result.output).toContain(`stoke gateway: signal gateway not started: a stoke gateway with the same key already listens on 127.0.0.1:${port} and serves these handles`);
    expect(result.output).not.toContain('signal gateway on');
  });
});
