/**
 * What the API's integration tests share: the built `stoke api` with a worker behind it, Heat's calls over
 * plain HTTP, the error shape checked, and the real `openstack` CLI (python-openstackclient with
 * python-heatclient from PyPI, installed into the git-ignored tools folder on first use and kept).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { freePort, startWorker, stopWorker } from '../helpers';

const CLI = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'cli.js');
export const TOKEN = 'test-token-1';
const VENV = path.join(loadConfig().stateDir, 'tools', 'osc-venv');
export const PYTHON = path.join(VENV, 'bin', 'python');
const OPENSTACK = path.join(VENV, 'bin', 'openstack');

export interface Api {
  /** `http://127.0.0.1:PORT/v1/{tenant}` */
  readonly endpoint: string;
  /** The endpoint of the same server under another tenant. */
  tenant(tenant: string): string;
  stop(): Promise<void>;
}

/** A worker and `stoke api` (until it says where it listens), for `tenant`; `env` adds to the API's environment. */
export async function startApi(tenant: string, env: Record<string, string> = {}): Promise<Api> {
  const worker = await startWorker();
  const port = await freePort();
  const api: ChildProcess = spawn(process.execPath, [CLI, 'api'], { env: { ...process.env, STOKE_API_BIND: `127.0.0.1:${port}`, STOKE_API_TOKEN: TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) resolve();
    };
    api.stdout!.on('data', onData);
    api.stderr!.on('data', onData);
    api.once('exit', (code) => reject(new Error(`stoke api exited with ${code}: ${output}`)));
  });
  const root = `http://127.0.0.1:${port}/v1`;
  return {
    endpoint: `${root}/${tenant}`,
    tenant: (other) => `${root}/${other}`,
    stop: async () => {
      await stopWorker(api);
      await stopWorker(worker);
    },
  };
}

/** One call as heatclient makes it; `url` is absolute or under `base`; redirects are returned, not followed. */
export function call(base: string, method: string, url: string, body?: unknown, token: string | null = TOKEN): Promise<Response> {
  return fetch(url.startsWith('http') ? url : `${base}${url}`, {
    method, redirect: 'manual',
    headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Auth-Token': token } : {}) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** The answer is Heat's error body with this status and exception type, its message matching. */
export async function expectFault(response: Response, status: number, type: string, message: RegExp): Promise<void> {
  const body = await response.json();
  expect({ status: response.status, type: body.error?.type }).toEqual({ status, type });
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'explanation', 'title']);
  expect(body.code).toBe(status);
  expect(body.error.message).toMatch(message);
  expect(body.error.traceback).toBeNull();
}

/** The CLI from PyPI, as the users install it; kept for later runs. */
export function ensureOpenstackCli(): void {
  if (fs.existsSync(OPENSTACK)) return;
  const steps: string[][] = [['python3', '-m', 'venv', VENV], [path.join(VENV, 'bin', 'pip'), 'install', '-q', 'python-openstackclient', 'python-heatclient']];
  for (const [command, ...args] of steps) {
    const result = spawnSync(command!, args, { encoding: 'utf8', timeout: 540_000 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  }
}

export interface Run { readonly status: number; readonly stdout: string; readonly stderr: string }

/** `openstack …` against `endpoint` with the token alone, as a Heat user points it at stoke. */
export function openstack(endpoint: string, token: string, ...args: string[]): Run {
  const result = spawnSync(OPENSTACK, ['--os-auth-type', 'admin_token', '--os-token', token, '--os-endpoint', endpoint, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `openstack … -f json`, which must succeed, parsed. */
export function openstackJson<T = unknown>(endpoint: string, ...args: string[]): T {
  const run = openstack(endpoint, TOKEN, ...args, '-f', 'json');
  if (run.status !== 0) throw new Error(`openstack ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
