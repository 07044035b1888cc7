/**
 * The real `openstack` CLI (python-openstackclient with python-heatclient, installed from PyPI into the
 * git-ignored tools folder on first use) against the built `stoke api`, with only the endpoint and token
 * given, compared with what stoke's own CLI reports.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { freePort, showStack, startWorker, stopWorker, uniqueName, waitUntil, writeTemplate } from '../helpers';

const CLI = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'cli.js');
const TOKEN = 'osc-token-1';
const VENV = path.join(loadConfig().stateDir, 'tools', 'osc-venv');
const OPENSTACK = path.join(VENV, 'bin', 'openstack');

let worker: ChildProcess | undefined;
let api: ChildProcess | undefined;
let endpoint = '';

/** The CLI from PyPI, as the users install it; kept for later runs. */
function ensureOpenstackCli(): void {
  if (fs.existsSync(OPENSTACK)) return;
  const steps: string[][] = [['python3', '-m', 'venv', VENV], [path.join(VENV, 'bin', 'pip'), 'install', '-q', 'python-openstackclient', 'python-heatclient']];
  for (const [command, ...args] of steps) {
    const result = spawnSync(command!, args, { encoding: 'utf8', timeout: 540_000 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  }
}

function openstack(token: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(OPENSTACK, ['--os-auth-type', 'admin_token', '--os-token', token, '--os-endpoint', endpoint, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  ensureOpenstackCli();
  worker = await startWorker();
  const port = await freePort();
  api = spawn(process.execPath, [CLI, 'api'], { env: { ...process.env, STOKE_API_BIND: `127.0.0.1:${port}`, STOKE_API_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) resolve();
    };
    api!.stdout!.on('data', onData);
    api!.stderr!.on('data', onData);
    api!.once('exit', (code) => reject(new Error(`stoke api exited with ${code}: ${output}`)));
  });
  endpoint = `http://127.0.0.1:${port}/v1/tenant-b`;
}, 600_000);

afterAll(async () => {
  await stopWorker(api);
  await stopWorker(worker);
});

test('openstack stack create, list, show and delete drive stoke; a wrong token is refused', async () => {
  const name = uniqueName('osc');
  const template = writeTemplate([
    'heat_template_version: 2016-10-14',
    'description: made by the openstack CLI',
    'resources:',
    '  word: {type: OS::Heat::RandomString, properties: {length: 10}}',
    'outputs:',
    '  word: {value: {get_attr: [word, value]}}',
  ].join('\n'));

  const created = openstack(TOKEN, 'stack', 'create', '-t', template, name, '-f', 'json');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const createdStack = JSON.parse(created.stdout);
  expect(createdStack).toMatchObject({ stack_name: name, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });

  await waitUntil('the stack to be CREATE_COMPLETE', () => (showStack(name).status === 'CREATE_COMPLETE' ? true : undefined));
  const cli = showStack(name);
  expect(cli.id).toBe(createdStack.id);

  const listed = openstack(TOKEN, 'stack', 'list', '-f', 'json');
  expect(listed.status).toBe(0);
  expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ ID: cli.id, 'Stack Name': name, 'Stack Status': 'CREATE_COMPLETE' }));

  const shown = openstack(TOKEN, 'stack', 'show', name, '-f', 'json');
  expect(shown.status).toBe(0);
  expect(JSON.parse(shown.stdout)).toMatchObject({
    id: cli.id, stack_name: name, stack_status: 'CREATE_COMPLETE', description: 'made by the openstack CLI',
    outputs: [expect.objectContaining({ output_key: 'word', output_value: cli.outputs.word!.value })],
  });

  const refused = openstack('wrong', 'stack', 'list');
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/not the API's token|Unauthorized|401/);

  const deleted = openstack(TOKEN, 'stack', 'delete', '-y', name);
  expect(deleted.stderr).toBe('');
  expect(deleted.status).toBe(0);
  await waitUntil('the stack to be deleted', () => (showStack(name).status === 'DELETE_COMPLETE' ? true : undefined));
  expect(openstack(TOKEN, 'stack', 'show', name).stderr).toMatch(/not found/i);
});
