/**
 * Heat's API served by the built `stoke api` over a real Temporal server and worker, driven with plain HTTP
 * as heatclient drives it, and compared with what stoke's own CLI reports of the same stack.
 */
import { call as callAt, expectFault, startApi, TOKEN, type Api } from './harness';
import { showStack, stoke, uniqueName, waitUntil } from '../helpers';

const TEMPLATE = {
  heat_template_version: '2016-10-14',
  description: 'a value and nothing',
  parameters: { length: { type: 'number', default: 8 } },
  resources: { word: { type: 'OS::Heat::RandomString', properties: { length: { get_param: 'length' } } }, nothing: { type: 'OS::Heat::None' } },
  outputs: { word: { value: { get_attr: ['word', 'value'] }, description: 'the word' } },
};

let api: Api;
let base = '';

beforeAll(async () => {
  api = await startApi('tenant-a');
  base = api.endpoint;
});

afterAll(() => api.stop());

const call = (method: string, url: string, body?: unknown, token: string | null = TOKEN) => callAt(base, method, url, body, token);

test('no token or a wrong one gets 401 in Heat\'s error shape; build_info answers with the right one', async () => {
  await expectFault(await call('GET', '/stacks', undefined, null), 401, 'Unauthorized', /no X-Auth-Token/);
  await expectFault(await call('GET', '/stacks', undefined, 'wrong'), 401, 'Unauthorized', /not the API's token/);
  const info = await call('GET', '/build_info');
  expect(info.status).toBe(200);
  expect(await info.json()).toEqual({ api: { revision: expect.any(String) }, engine: { revision: expect.any(String) } });
});

test('create, redirect by name and by id, show, list and delete, as stoke\'s CLI sees the same stack', async () => {
  const name = uniqueName('api');
  const created = await call('POST', '/stacks', { stack_name: name, template: TEMPLATE, parameters: { length: '12' }, timeout_mins: 7, disable_rollback: true });
  expect(created.status).toBe(201);
  const { stack } = await created.json();
  const canonical = `${base}/stacks/${name}/${stack.id}`;
  expect(stack).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), links: [{ href: canonical, rel: 'self' }] });
  expect(created.headers.get('location')).toBe(canonical);

  const byName = await call('GET', `/stacks/${name}?resolve_outputs=False`);
  expect(byName.status).toBe(302);
  expect(byName.headers.get('location')).toBe(`${canonical}?resolve_outputs=False`);
  expect((await call('GET', `/stacks/${stack.id}`)).headers.get('location')).toBe(canonical);

  const shown = await waitUntil('the stack to be CREATE_COMPLETE over the API', async () => {
    const body = (await (await call('GET', canonical)).json()).stack;
    return body.stack_status === 'CREATE_COMPLETE' ? body : undefined;
  });
  const cli = showStack(name);
  expect(shown).toMatchObject({
    id: cli.id, stack_name: name, stack_status: cli.status, stack_status_reason: cli.statusReason, description: 'a value and nothing',
    timeout_mins: 7, disable_rollback: true, parameters: { length: '12', 'OS::stack_id': cli.id, 'OS::stack_name': name },
    outputs: [{ output_key: 'word', output_value: cli.outputs.word!.value, description: 'the word' }],
    creation_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
  });
  expect(String(cli.outputs.word!.value)).toHaveLength(12);

  const listed = (await (await call('GET', '/stacks')).json()).stacks.find((s: { stack_name: string }) => s.stack_name === name);
  expect(listed).toMatchObject({ id: cli.id, stack_status: 'CREATE_COMPLETE', description: '', links: [{ href: canonical, rel: 'self' }] });
  expect(stoke('stack', 'list').stdout).toContain(name);

  const deleted = await call('DELETE', canonical);
  expect(deleted.status).toBe(204);
  await waitUntil('the stack to be deleted', async () => (showStack(name).status === 'DELETE_COMPLETE' ? true : undefined));
  const after = (await (await call('GET', '/stacks')).json()).stacks.map((s: { stack_name: string }) => s.stack_name);
  expect(after).not.toContain(name);
  await expectFault(await call('GET', `/stacks/${name}`), 404, 'EntityNotFound', /could not be found/);
  expect((await call('GET', `/stacks/${stack.id}`)).headers.get('location')).toBe(canonical);
  expect((await (await call('GET', canonical)).json()).stack).toMatchObject({ stack_status: 'DELETE_COMPLETE', id: stack.id });
});

test('bad requests get Heat\'s statuses and error shape, with what and where', async () => {
  await expectFault(await call('GET', '/stacks/no-such-stack'), 404, 'EntityNotFound', /stack 'no-such-stack' not found/);
  await expectFault(await call('POST', '/stacks', { stack_name: uniqueName('bad'), template: { heat_template_version: '2016-10-14', resources: { r: { type: 'OS::No::Such' } } } }),
    400, 'StackValidationFailed', /resources\.r.*OS::No::Such/s);
  await expectFault(await call('POST', '/stacks', { stack_name: 'x', template_url: 'http://example.com/t.yaml' }), 400, 'HTTPBadRequest', /'template_url' is not supported/);
  await expectFault(await call('POST', '/stacks', '{"stack_name": '), 400, 'HTTPBadRequest', /not valid JSON/);
  await expectFault(await call('POST', '/stacks', { stack_name: 'x', template: 'a'.repeat(1_100_000) }), 413, 'RequestLimitExceeded', /exceeds the limit/);
  await expectFault(await call('GET', '/stacks/x/y/snapshots'), 404, 'HTTPNotFound', /does not serve this path yet/);
  await expectFault(await call('GET', '/stacks/detail'), 404, 'HTTPNotFound', /\/stacks\/detail: .*does not serve this path yet/);
  const refusedMethod = await call('PUT', '/stacks');
  expect(refusedMethod.headers.get('allow')).toBe('GET, POST');
  await expectFault(refusedMethod, 405, 'HTTPMethodNotAllowed', /PUT is not allowed on \/stacks/);

  const name = uniqueName('dup');
  expect((await call('POST', '/stacks', { stack_name: name, template: TEMPLATE })).status).toBe(201);
  await expectFault(await call('POST', '/stacks', { stack_name: name, template: TEMPLATE }), 409, 'ActionInProgress', /in progress|already exists/);
  await waitUntil('the duplicate to be complete', async () => (showStack(name).status === 'CREATE_COMPLETE' ? true : undefined));
  await expectFault(await call('POST', '/stacks', { stack_name: name, template: TEMPLATE }), 409, 'StackExists', /already exists/);
  expect(stoke('stack', 'delete', name, '--wait').status).toBe(0);
});
