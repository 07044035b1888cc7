/**
 * `stoke dev` makes its Temporal UI readable: it serves the codec server on loopback and starts the dev server
 * with `--ui-codec-endpoint` naming it, so the UI, from the user's browser, decrypts what the worker sealed.
 * A dev server of its own (its own state folder and ports), not the shared one; the UI's own page is opened in
 * Debian's Chromium (driven by playwright-core), where a stack's workflow shows decoded values and its resources.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { chromium } from 'playwright-core';
import { devServerArgs, installDebianPackages, temporalBinary } from '../../src/runtime/runtime';
import { freePort, waitUntil, writeTemplate, tempDir } from '../helpers';

const CHROMIUM = '/usr/bin/chromium';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'cli.js');

test('the dev server is started with the codec endpoint when there is one, and without it otherwise', () => {
  const config = { ...loadConfig({ STOKE_DEV_PORT: '7300' }), stateDir: 'state' };
  const args = devServerArgs(config, 'http://127.0.0.1:8888');
  expect(args.slice(args.indexOf('--ui-codec-endpoint'), args.indexOf('--ui-codec-endpoint') + 2)).toEqual(['--ui-codec-endpoint', 'http://127.0.0.1:8888']);
  expect(args.slice(args.indexOf('--ui-port'), args.indexOf('--ui-port') + 2)).toEqual(['--ui-port', '8300']);
  expect(devServerArgs(config)).not.toContain('--ui-codec-endpoint');
});

test('stoke dev serves the codec server its Temporal UI is pointed at, to that UI\'s origin; the UI in a browser shows a stack\'s workflow decoded; Ctrl-C stops both', async () => {
  const home = tempDir('stoke-dev-codec');
  const binary = temporalBinary(loadConfig(), console.log);
  const devPort = await freePort();
  const codecPort = await freePort();
  const env = {
    ...process.env, STOKE_HOME: home, STOKE_DEV_PORT: String(devPort), TEMPORAL_ADDRESS: '', STOKE_CODEC_PORT: String(codecPort),
    STOKE_API: '0', STOKE_SIGNAL_BIND: String(await freePort()), STOKE_TASK_QUEUE: `dev-codec-${process.pid}`, DOCKER_HOST: process.env.STOKE_TEST_DOCKER,
    PATH: `${path.dirname(binary)}${path.delimiter}${process.env.PATH}`,
  };
  const dev = spawn(process.execPath, [CLI, 'dev'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => dev.once('exit', resolve));
  try {
    await waitUntil('stoke dev to start the worker', () => (output.includes('stoke worker:') ? true : dev.exitCode !== null ? Promise.reject(new Error(output)) : undefined));
    const endpoint = `http://127.0.0.1:${codecPort}`;
    expect(output).toContain(`payloads decrypted by the codec server at ${endpoint}`);
    const ui = `http://127.0.0.1:${devPort + 1000}`;
    const settings = await (await fetch(`${ui}/api/v1/settings`)).json() as { Codec?: { Endpoint?: string } };
    expect(settings.Codec?.Endpoint).toBe(endpoint);

    // What the UI's page does: seal and open a payload with the key of this state folder, from the UI's origin.
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') };
    const call = (action: string, payloads: unknown[]) => fetch(`${endpoint}/${action}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ui }, body: JSON.stringify({ payloads }),
    });
    const encoded = await call('encode', [plain]);
    expect(encoded.headers.get('access-control-allow-origin')).toBe(ui);
    const sealed = (await encoded.json() as { payloads: { metadata: Record<string, string> }[] }).payloads;
    expect(Buffer.from(sealed[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    const opened = (await (await call('decode', sealed)).json() as { payloads: { data: string }[] }).payloads;
    expect(Buffer.from(opened[0]!.data, 'base64').toString()).toBe('"hello"');

    // The UI itself, in a browser: a stack's create workflow, its input and summaries decoded by the codec server.
    const stack = `uiread${process.pid}`;
    const template = writeTemplate('heat_template_version: 2016-10-14\nparameters:\n  greeting: {type: string}\n'
      + 'resources:\n  announcer: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: [sleep, "3600"], env: [{get_param: greeting}]}}\n');
    const created = spawnSync(process.execPath, [CLI, 'stack', 'create', stack, '-t', template, '--parameter', 'greeting=readable-in-the-ui', '--wait'], { env, encoding: 'utf8' });
    expect(created.status).toBe(0);
    if (!fs.existsSync(CHROMIUM)) installDebianPackages(['chromium'], console.log);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const namespace = loadConfig(env).namespace;
      // Straight to the workflow's page: the UI's list reads visibility, which may lag behind a busy machine.
      const workflow = `${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(`stack:${stack}`)}`;
      const described = await (await fetch(`${ui}/api/v1/namespaces/${workflow}`)).json() as { workflowExecutionInfo: { execution: { runId: string } } };
      // Decoded in the page: the resource named by its activity's summary, and the workflow's input as JSON. Read from
      // the rendered text, loaded again while it lacks them: Chromium fails the page's requests with ERR_NETWORK_CHANGED
      // while the host's interfaces settle after a container starts (its veth, the bridge's carrier, IPv6 addresses).
      const shown = () => document.body.innerText.includes('create DockerInc::Docker::Container announcer') && document.body.innerText.includes('"plan": {');
      for (let attempt = 1; ; attempt++) {
        await page.goto(`${ui}/namespaces/${workflow}/${described.workflowExecutionInfo.execution.runId}/history`);
        if (await page.waitForFunction(shown, null, { timeout: 15_000, polling: 500 }).then(() => true, () => false)) break;
        if (attempt === 6) throw new Error(`the Temporal UI never showed the decoded workflow; the page read:\n${await page.evaluate(() => document.body.innerText.slice(0, 1000))}`);
      }
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).toContain(`"name": "${stack}"`);
      expect(text).not.toContain('binary/encrypted');
    } finally {
      await browser.close();
    }
  } finally {
    dev.kill('SIGINT');
    await exited;
  }
  await expect(fetch(`http://127.0.0.1:${codecPort}/decode`, { method: 'POST', body: '{}' })).rejects.toThrow();
});
