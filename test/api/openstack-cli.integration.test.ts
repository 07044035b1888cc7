/**
 * The real `openstack` CLI (python-openstackclient with python-heatclient, installed from PyPI into the
 * git-ignored tools folder on first use) against the built `stoke api`, with only the endpoint and token
 * given, compared with what stoke's own CLI reports.
 */
import { ensureOpenstackCli, openstack as run, startApi, TOKEN, type Api } from './harness';
import { showStack, uniqueName, waitUntil, writeTemplate } from '../helpers';

let api: Api;

beforeAll(async () => {
  ensureOpenstackCli();
  api = await startApi('tenant-b');
}, 600_000);

afterAll(() => api.stop());

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
