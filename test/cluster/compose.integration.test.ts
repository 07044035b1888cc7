/**
 * docker-compose.yml, run: `docker-compose up` of the real file, with docker-compose.override-local.yml standing in
 * locally built images for Docker Hub's (PostgreSQL from Debian, Temporal's server and UI from their Go modules,
 * stoke built from this checkout), brings the deployment up with two workers, and the CLI creates and deletes a
 * stack through it, as a user of the file does. Host ports are moved to free ones: the dev environment holds the
 * defaults. The deployment is taken down, volumes and built images too, whatever happened.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { ensureComposeImages } from '../../src/runtime/compose-images';
import { installDebianPackages } from '../../src/runtime/runtime';
import { freePort, stackContainers, stokeWith, uniqueName, waitUntil, type CliResult } from '../helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const engine = process.env.STOKE_TEST_DOCKER ?? process.env.DOCKER_HOST!;
const project = uniqueName('stoke-compose');
const key = crypto.randomBytes(32).toString('base64');
let composeEnv: NodeJS.ProcessEnv;
let cliEnv: NodeJS.ProcessEnv;
let stack: string | undefined;

function compose(...args: string[]): CliResult {
  const result = spawnSync('docker-compose', ['-p', project, '-f', 'docker-compose.yml', '-f', 'docker-compose.override-local.yml', ...args],
    { cwd: ROOT, env: composeEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const stoke = (...args: string[]): CliResult => stokeWith(cliEnv, ...args);

beforeAll(async () => {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0) installDebianPackages(['docker-compose'], console.log);
  // The workers mount the engine's socket: the engine must be this machine's, over a unix socket.
  expect(engine).toMatch(/^unix:\/\//);
  await ensureComposeImages(loadConfig(), engine, (message) => console.log(`[compose images] ${message}`));
  const ports = { temporal: await freePort(), http: await freePort(), ui: await freePort(), codec: await freePort(), gateway: await freePort() };
  composeEnv = {
    ...process.env, DOCKER_HOST: engine, STOKE_DOCKER_SOCKET: engine.replace(/^unix:\/\//, ''), STOKE_CODEC_KEY: key,
    TEMPORAL_HOST_PORT: String(ports.temporal), TEMPORAL_HTTP_HOST_PORT: String(ports.http), TEMPORAL_UI_HOST_PORT: String(ports.ui),
    STOKE_CODEC_HOST_PORT: String(ports.codec), STOKE_GATEWAY_HOST_PORT: String(ports.gateway),
  };
  // The CLI as a user of the file runs it: the deployment's Temporal, its namespace and task queue, the same key.
  cliEnv = {
    ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`, TEMPORAL_HTTP_ADDRESS: `127.0.0.1:${ports.http}`,
    TEMPORAL_NAMESPACE: 'default', STOKE_TASK_QUEUE: 'stoke', STOKE_CODEC_KEY: key, DOCKER_HOST: engine,
  };
  // `up` returns once PostgreSQL and Temporal pass their healthchecks, which the workers wait for.
  const up = compose('up', '-d', '--build', '--scale', 'stoke-worker=2');
  expect({ status: up.status, stderr: up.status === 0 ? '' : up.stderr }).toEqual({ status: 0, stderr: '' });
}, 40 * 60_000);

afterAll(() => {
  if (!composeEnv) return;
  if (stack) stoke('stack', 'delete', stack, '--wait', '-y');
  const down = compose('down', '-v', '--rmi', 'local', '--remove-orphans');
  if (down.status !== 0) console.error(`docker-compose down failed: ${down.stderr}`);
}, 5 * 60_000);

test('every service runs, Temporal is healthy, and both workers are polling', async () => {
  const ps = compose('ps', '-q');
  const ids = ps.stdout.trim().split('\n').filter(Boolean);
  // postgresql, temporal, temporal-ui, stoke-codec, stoke-gateway and two workers.
  expect(ids).toHaveLength(7);
  const health = spawnSync('docker', ['inspect', '-f', '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', ...ids],
    { env: composeEnv, encoding: 'utf8' }).stdout.trim().split('\n').sort();
  expect(health).toEqual(expect.arrayContaining([expect.stringMatching(/_postgresql_1 running healthy$/), expect.stringMatching(/_temporal_1 running healthy$/)]));
  expect(health.every((line) => / running/.test(line))).toBe(true);
  await waitUntil('both workers to poll their task queue', () => {
    const logs = compose('logs', '--no-color', 'stoke-worker').stdout;
    return (logs.match(/stoke worker: task queue/g) ?? []).length >= 2 ? true : undefined;
  }, 180_000);
}, 240_000);

test('a stack is created through the deployment, its containers on the engine, and deleted', async () => {
  stack = uniqueName('compose');
  const port = await freePort();
  const created = stoke('stack', 'create', stack, '-t', path.join(ROOT, 'examples', 'hello.yaml'), '--parameter', `port=${port}`, '--wait');
  expect(created.stderr).toBe('');
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  const containers = await stackContainers(stack);
  expect(containers.map((c) => c.State)).toEqual(['running', 'running']);
  const page = await waitUntil('the stack\'s web page', async () => {
    const text = await fetch(`http://127.0.0.1:${port}/`).then((res) => res.text(), () => undefined);
    return text?.includes('greetings from the backend') ? text : undefined;
  }, 60_000);
  expect(page).toContain('Hello from stoke');
  const deleted = stoke('stack', 'delete', stack, '--wait', '-y');
  expect(deleted.stdout).toContain('DELETE_COMPLETE');
  expect(await stackContainers(stack)).toEqual([]);
  stack = undefined;
}, 300_000);

test('the override builds stoke on the stand-in Node base, not on Docker Hub\'s', () => {
  const images = compose('images').stdout;
  expect(images).toMatch(/stoke\/standin-postgres\s+16/);
  expect(images).toMatch(/stoke\/standin-temporalio-auto-setup\s+1\.25/);
  const worker = compose('ps', '-q', 'stoke-worker').stdout.trim().split('\n')[0]!;
  const node = spawnSync('docker', ['exec', worker, 'node', '--version'], { env: composeEnv, encoding: 'utf8' });
  expect(node.stdout.trim()).toBe('v20.20.2');
});
