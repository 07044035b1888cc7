/**
 * The topology page in a real browser (Debian's Chromium driven by playwright-core), over real Temporal and
 * Docker: a stack that waits for a signal shows its waiting node, then, signalled, every node turns complete.
 * Leaves a screenshot of the page in the state folder; the README's (docs/topology.png) is a copy of one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { installDebianPackages } from '../../src/runtime/runtime';
import { freePort, SLEEPER, startWorker, stoke, stopWorker, uniqueName, waitUntil, writeTemplate } from '../helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.join(ROOT, '.stoke', 'topology.png');

let worker: ChildProcess | undefined;
let ui: ChildProcess | undefined;
let browser: Browser | undefined;
let base = '';

/** What a graph node of the page holds, read from the graph library's model (the graph is drawn on a canvas). */
type Node = { status?: string; colour?: string };
const node = (page: Page, name: string) => page.evaluate((id) => {
  const element = (window as unknown as { stokeGraph: { getElementById(id: string): { data(): Node } } }).stokeGraph.getElementById(id);
  return element.data();
}, name);

beforeAll(async () => {
  // A fresh machine has no browser: install Debian's, as the bootstrap installs dockerd.
  if (!fs.existsSync(CHROMIUM)) installDebianPackages(['chromium'], console.log);
  worker = await startWorker();
  const port = await freePort();
  ui = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli', 'cli.js'), 'ui', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  ui.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  ui.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil('stoke ui to listen', () => (output.includes('stoke ui:') ? true : ui!.exitCode !== null ? Promise.reject(new Error(output)) : undefined));
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  ui?.kill('SIGTERM');
  await stopWorker(worker);
});

test('a waiting stack shows its waiting node, and once signalled every node reaches CREATE_COMPLETE', async () => {
  const stack = uniqueName('topology');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  password: {type: string, hidden: true}
  greeting: {type: string}
resources:
  secret:
    type: OS::Heat::RandomString
  handle:
    type: OS::Heat::WaitConditionHandle
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: 600}
  db:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      cmd: ${SLEEPER}
      env: [{list_join: ['=', [PASSWORD, {get_param: password}]]}, {list_join: ['=', [SECRET, {get_attr: [secret, value]}]]}]
  web:
    type: DockerInc::Docker::Container
    depends_on: [wait, db]
    properties:
      image: busybox
      cmd: ${SLEEPER}
      env: [{list_join: ['=', [DB, {get_attr: [db, network_ip]}]]}]
outputs:
  greeting: {value: {get_param: greeting}, description: what the stack says}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--parameter', 'password=s3cr3t-value', '--parameter', 'greeting=hello there');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const page = await browser!.newPage({ viewport: { width: 1200, height: 1000 } });
  try {
    await page.goto(`${base}/#${stack}`);
    await page.locator(`nav [data-stack="${stack}"]`).waitFor();
    await page.waitForFunction((id) => (window as unknown as { stokeGraph: { getElementById(id: string): { data(key: string): string } } })
      .stokeGraph.getElementById(id).data('status') === 'CREATE_IN_PROGRESS', 'wait', { timeout: 120_000 });
    expect(await node(page, 'web')).toMatchObject({ status: 'INIT_COMPLETE', colour: '#9e9e9e' });
    expect((await node(page, 'wait')).colour).toBe('#f0a030');
    await page.locator('[data-resource="wait"] [data-status="CREATE_IN_PROGRESS"]').waitFor();
    await expect(page.locator('#graph canvas').count()).resolves.toBeGreaterThan(0);

    expect(stoke('stack', 'signal', stack, 'handle').status).toBe(0);
    await page.waitForFunction(() => {
      const cy = (window as unknown as { stokeGraph: { nodes(): { map<T>(f: (n: { data(key: string): string }) => T): T[] } } }).stokeGraph;
      const statuses = cy.nodes().map((n) => n.data('status'));
      return statuses.length === 5 && statuses.every((s) => s === 'CREATE_COMPLETE');
    }, undefined, { timeout: 120_000 });
    for (const name of ['secret', 'handle', 'wait', 'db', 'web']) expect(await node(page, name)).toMatchObject({ status: 'CREATE_COMPLETE', colour: '#43a047' });
    await page.locator('#stack-status', { hasText: 'CREATE_COMPLETE' }).waitFor();
    // Edges from what each resource requires.
    expect(await page.evaluate(() => (window as unknown as { stokeGraph: { edges(): { map<T>(f: (e: { id(): string }) => T): T[] } } })
      .stokeGraph.edges().map((e) => e.id()).sort())).toEqual(['db->web', 'handle->wait', 'secret->db', 'wait->web']);

    await expect(page.locator('[data-parameter="password"] td').nth(1).textContent()).resolves.toBe('******');
    await expect(page.locator('[data-parameter="greeting"] td').nth(1).textContent()).resolves.toBe('hello there');
    await expect(page.locator('#outputs')).toBeTruthy();
    expect(await page.locator('#outputs').textContent()).toContain('hello there');
    expect(await page.content()).not.toContain('s3cr3t-value');
    const link = await page.locator('#actions a').first().getAttribute('href');
    expect(link).toMatch(new RegExp(`/namespaces/stoke-test/workflows/stack%3A${stack}/[0-9a-f-]+/history$`));
    expect(await page.locator('#events').textContent()).toContain('CREATE_COMPLETE');
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  } finally {
    await page.close();
  }
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});

test('a nested stack\'s resources sit inside its resource\'s node, two levels down, and a click folds and unfolds them', async () => {
  const dir = path.dirname(writeTemplate(''));
  fs.writeFileSync(path.join(dir, 'parent.yaml'), 'heat_template_version: 2016-10-14\nresources:\n  app: {type: child.yaml}\n  word: {type: OS::Heat::RandomString}\n');
  fs.writeFileSync(path.join(dir, 'child.yaml'), 'heat_template_version: 2016-10-14\nresources:\n  note: {type: OS::Heat::None}\n  inner: {type: grandchild.yaml, depends_on: note}\n');
  fs.writeFileSync(path.join(dir, 'grandchild.yaml'), 'heat_template_version: 2016-10-14\nresources:\n  box: {type: OS::Heat::None}\n');
  const stack = uniqueName('topology-nested');
  expect(stoke('stack', 'create', stack, '-t', path.join(dir, 'parent.yaml'), '--wait').status).toBe(0);
  const page = await browser!.newPage({ viewport: { width: 1200, height: 1000 } });
  try {
    await page.goto(`${base}/#${stack}`);
    await page.waitForFunction((id) => (window as unknown as { stokeGraph: { getElementById(id: string): { data(key: string): string } } })
      .stokeGraph.getElementById(id).data('status') === 'CREATE_COMPLETE', 'app/inner/box', { timeout: 60_000 });
    const graph = () => page.evaluate(() => (window as unknown as { stokeGraph: { nodes(): { map<T>(f: (n: { id(): string; data(key: string): string; visible(): boolean }) => T): T[] } } })
      .stokeGraph.nodes().map((n) => [n.id(), n.data('parent') ?? null, n.visible()] as const).sort());
    expect(await graph()).toEqual([
      ['app', null, true], ['app/inner', 'app', true], ['app/inner/box', 'app/inner', true], ['app/note', 'app', true], ['word', null, true],
    ]);
    expect(await page.evaluate(() => (window as unknown as { stokeGraph: { edges(): { map<T>(f: (e: { id(): string }) => T): T[] } } })
      .stokeGraph.edges().map((e) => e.id()))).toEqual(['app/note->app/inner']);
    const tap = (id: string) => page.evaluate((node) => (window as unknown as { stokeGraph: { getElementById(id: string): { emit(event: string): void } } })
      .stokeGraph.getElementById(node).emit('tap'), id);
    await tap('app');
    expect((await graph()).filter(([, , visible]) => !visible).map(([id]) => id)).toEqual(['app/inner', 'app/inner/box', 'app/note']);
    await tap('app');
    expect((await graph()).every(([, , visible]) => visible)).toBe(true);
  } finally {
    await page.close();
  }
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});

test('an unknown stack is a clear 404 from the page\'s API, not a stack trace', async () => {
  const res = await fetch(`${base}/api/stacks/no-such-stack-here`);
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual({ error: "stack 'no-such-stack-here' not found" });
});
