/**
 * The seeds' templates (000, 002, 004) and the WordPress example, run as a user would: only an
 * environment file and parameters added, servers booted from the docker-host image, containers
 * created on each server's own engine, which pulls their images from the local registry. Slow on a
 * first run (image builds, cached in the state folder afterwards); the figures are printed.
 */
import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import Docker from 'dockerode';
import { loadConfig } from '../src/config';
import { ensureServerImages } from '../src/runtime/images';
import { stopServices, type StartedService } from '../src/runtime/runtime';
import { freePort, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName } from './helpers';

const EXAMPLES = path.resolve(__dirname, '..', 'examples');
let worker: ChildProcess | undefined;
let registry: StartedService[] = [];

beforeAll(async () => {
  const started = Date.now();
  registry = await ensureServerImages(loadConfig(), process.env.STOKE_TEST_DOCKER!, (message) => console.log(`[images] ${message}`));
  console.log(`[images] server images, application images and registry ready in ${Math.round((Date.now() - started) / 1000)} s`);
  // A gateway of this test's own, so the handle URLs in user_data reach this worker and no other.
  process.env.STOKE_SIGNAL_BIND = `0.0.0.0:${await freePort()}`;
  worker = await startWorker();
}, 40 * 60_000);

afterAll(async () => {
  await stopWorker(worker);
  // Only a registry this test started: one a developer runs is left alone.
  await stopServices(registry, (message) => console.log(`[teardown] ${message}`));
});

function get(url: string): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
    }).on('error', reject).on('timeout', function (this: http.ClientRequest) { this.destroy(new Error(`timeout on ${url}`)); });
  });
}

/** Polls until the page answers (a web server in a fresh container takes a moment). */
async function page(url: string): Promise<{ status: number; body: string; location?: string }> {
  let last: unknown;
  for (let i = 0; i < 180; i++) {
    try {
      const res = await get(url);
      if (res.status < 500) return res;
      last = new Error(`HTTP ${res.status}`);
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${url} never answered: ${String(last)}`);
}

function create(stack: string, template: string, ...args: string[]) {
  const started = Date.now();
  const result = stoke('stack', 'create', stack, '-t', path.join(EXAMPLES, template), ...args, '--wait');
  console.log(`[acceptance] ${template}: ${result.stdout.split('\n').filter((l) => l.startsWith(`Stack ${stack}`)).pop()} in ${Math.round((Date.now() - started) / 1000)} s`);
  return result;
}

async function deleteAndCheck(stack: string): Promise<void> {
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
}

test('seed 000: a software deployment starts Docker on the server, then MySQL and WordPress run on its engine', async () => {
  const stack = uniqueName('seed000');
  const created = create(stack, 'seeds/000-docker-sd.yaml', '-e', path.join(EXAMPLES, 'seeds/000.env.yaml'));
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const state = showStack(stack);
  const url = String(state.outputs.url!.value);
  expect(url).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+\/wordpress$/);
  const install = await page(`${url}/wp-admin/install.php`);
  expect(install.status).toBe(200);
  expect(install.body).toContain('WordPress');
  await deleteAndCheck(stack);
}, 20 * 60_000);

test('seed 002: the server signals its wait condition with cfn-signal, then containers run on its floating address', async () => {
  const stack = uniqueName('seed002');
  const created = create(stack, 'seeds/002-docker-server.yaml', '-e', path.join(EXAMPLES, 'seeds/002.env.yaml'));
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const state = showStack(stack);
  const floating = String(state.resources.docker_server_floating!.attributes.floating_ip_address);
  expect(floating).toMatch(/^10\.0\.0\.\d+$/);
  expect((await page(`http://${floating}/`)).body).toContain('simpleweb');
  const nested = await new Docker({ host: floating, port: 2375 }).listContainers();
  expect(nested.map((c) => c.Image).sort()).toEqual(['larsks/simpleweb', 'mysql']);
  await deleteAndCheck(stack);
}, 20 * 60_000);

test('seed 004: the tab-free template deploys Docker by SoftwareDeployment and runs its two containers there', async () => {
  const stack = uniqueName('seed004');
  const created = create(stack, 'seeds/004-docker-stack.yaml', '-e', path.join(EXAMPLES, 'seeds/004.env.yaml'));
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const host = String(showStack(stack).outputs.url!.value).replace('http://', '');
  const nested = await new Docker({ host, port: 2375 }).listContainers();
  expect(nested.map((c) => c.Image).sort()).toEqual(['marouen/apache', 'marouen/mysql']);
  expect(nested.every((c) => c.State === 'running')).toBe(true);
  await deleteAndCheck(stack);
}, 20 * 60_000);

test('the WordPress example answers on its localhost port', async () => {
  const stack = uniqueName('wordpress');
  const port = await freePort();
  const created = create(stack, 'wordpress.yaml', '--parameter', `port=${port}`);
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  expect(showStack(stack).outputs.url!.value).toBe(`http://127.0.0.1:${port}/wordpress/`);
  const install = await page(`http://127.0.0.1:${port}/wordpress/wp-admin/install.php`);
  expect(install.status).toBe(200);
  expect(install.body).toContain('WordPress');
  await deleteAndCheck(stack);
}, 20 * 60_000);
