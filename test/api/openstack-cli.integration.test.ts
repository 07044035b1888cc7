/**
 * The real `openstack` CLI (python-openstackclient with python-heatclient, installed from PyPI into the
 * git-ignored tools folder on first use) against the built `stoke api`, with only the endpoint and token
 * given, compared with what stoke's own CLI reports.
 */
import * as path from 'node:path';
import { ensureOpenstackCli, openstack as run, startApi, TOKEN, type Api } from './harness';
import { freePort, showStack, stoke, uniqueName, waitUntil, writeTemplate } from '../helpers';

let api: Api;

beforeAll(async () => {
  ensureOpenstackCli();
  api = await startApi('tenant-b');
}, 600_000);

const made: string[] = [];

afterAll(async () => {
  for (const name of made) stoke('stack', 'delete', name, '--wait');
  await api.stop();
});

const openstack = (token: string, ...args: string[]) => run(api.endpoint, token, ...args);

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

test('openstack stack create -t examples/hello.yaml --wait brings up the README\'s example; its page answers; delete --wait removes it', async () => {
  const name = uniqueName('osc-hello');
  made.push(name);
  const port = await freePort();
  const hello = path.join(__dirname, '..', '..', 'examples', 'hello.yaml');
  const created = openstack(TOKEN, 'stack', 'create', '-t', hello, '--parameter', `port=${port}`, '--wait', name, '-f', 'json');
  expect(created.status).toBe(0);
  // --wait prints the stack's events as they come, then the stack.
  expect(created.stdout).toMatch(/CREATE_COMPLETE/);
  expect(JSON.parse(created.stdout.slice(created.stdout.indexOf('{\n')))).toMatchObject({ stack_name: name, stack_status: 'CREATE_COMPLETE' });
  const cli = showStack(name);
  expect(cli.status).toBe('CREATE_COMPLETE');
  const outputs = JSON.parse(openstack(TOKEN, 'stack', 'output', 'show', name, 'url', '-f', 'json').stdout);
  expect(outputs).toMatchObject({ output_key: 'url', output_value: cli.outputs.url!.value });
  expect(await (await fetch(String(cli.outputs.url!.value))).text()).toContain('greetings from the backend');

  const deleted = openstack(TOKEN, 'stack', 'delete', '--wait', '-y', name);
  expect(deleted.status).toBe(0);
  expect(showStack(name).status).toBe('DELETE_COMPLETE');
}, 300_000);
