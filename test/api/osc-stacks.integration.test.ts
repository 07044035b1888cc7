/**
 * The stacks area driven by the real `openstack` CLI and by plain HTTP where the CLI hides the call (it falls back
 * to `stack show` for outputs, and sorts and pages on its own): tenants kept apart, the list query, actions,
 * outputs, and what a stack was made from, each compared with what stoke's own CLI reports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { call, ensureOpenstackCli, expectFault, openstack, openstackJson, startApi, TOKEN, type Api } from './harness';
import { describeStackWorkflow, showStack, stoke, stokeWith, uniqueName, waitUntil, writeTemplate } from '../helpers';

let api: Api;
let one: string;
let two: string;

beforeAll(async () => {
  ensureOpenstackCli();
  api = await startApi('tenant-one');
  one = api.endpoint;
  two = api.tenant('tenant-two');
}, 600_000);

afterAll(() => api.stop());

const TEMPLATE = [
  'heat_template_version: 2016-10-14',
  'description: a word and a secret',
  'parameters:',
  '  length: {type: number, default: 8}',
  '  secret: {type: string, hidden: true}',
  'resources:',
  '  word: {type: OS::Heat::RandomString, properties: {length: {get_param: length}}}',
  'outputs:',
  '  word: {value: {get_attr: [word, value]}, description: the word}',
  '  greeting: {value: {get_file: greeting.txt}}',
].join('\n');

/** A stack made through the API of `endpoint`, with an environment file, a get_file and a hidden parameter. */
async function createThroughOpenstack(endpoint: string, name: string): Promise<void> {
  const template = writeTemplate(TEMPLATE);
  fs.writeFileSync(path.join(path.dirname(template), 'greeting.txt'), 'hello');
  const env = path.join(path.dirname(template), 'env.yaml');
  fs.writeFileSync(env, 'parameters: {length: 12}\nparameter_defaults: {secret: hush}\n');
  const created = openstack(endpoint, TOKEN, 'stack', 'create', '-t', template, '-e', env, '--parameter', 'secret=s3cret', name);
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  await waitUntil(`${name} CREATE_COMPLETE`, () => (showStack(name).status === 'CREATE_COMPLETE' ? true : undefined));
}

const listedNames = (endpoint: string, ...args: string[]) =>
  openstackJson<{ 'Stack Name': string }[]>(endpoint, 'stack', 'list', ...args).map((s) => s['Stack Name']);

async function untilStatus(name: string, status: string): Promise<void> {
  await waitUntil(`${name} ${status}`, () => (showStack(name).status === status ? true : undefined));
}

test('tenants: each lists and finds its own stacks alone; the CLI creates under STOKE_TENANT; names stay unique across tenants', async () => {
  const [mine, theirs, cliMade, cliTenant] = [uniqueName('ten1'), uniqueName('ten2'), uniqueName('tencli'), uniqueName('tenant-cli')];
  await createThroughOpenstack(one, mine);
  await createThroughOpenstack(two, theirs);
  const made = stokeWith({ ...process.env, STOKE_TENANT: cliTenant }, 'stack', 'create', cliMade, '-t', writeTemplate('heat_template_version: 2016-10-14\nresources: {}'));
  expect(made.status).toBe(0);
  await untilStatus(cliMade, 'CREATE_COMPLETE');

  expect(listedNames(one)).toContain(mine);
  expect(listedNames(one)).not.toContain(theirs);
  expect(listedNames(two)).toContain(theirs);
  expect(listedNames(two)).not.toContain(mine);
  expect(listedNames(api.tenant(cliTenant))).toEqual([cliMade]);
  // stoke's own CLI is the operator's: it sees every tenant's.
  const all = JSON.parse(stoke('stack', 'list', '-f', 'json').stdout).map((s: { 'Stack Name': string }) => s['Stack Name']);
  expect(all).toEqual(expect.arrayContaining([mine, theirs, cliMade]));

  const theirId = showStack(theirs).id;
  expect(openstack(one, TOKEN, 'stack', 'show', theirs).stderr).toMatch(/not found/i);
  await expectFault(await call(one, 'GET', `/stacks/${theirs}/${theirId}`), 404, 'EntityNotFound', /not found/);
  await expectFault(await call(one, 'GET', `/stacks/${theirs}`), 404, 'EntityNotFound', /not found/);
  await expectFault(await call(one, 'GET', `/stacks/${theirId}`), 404, 'EntityNotFound', /could not be found/);
  await expectFault(await call(one, 'POST', `/stacks/${theirs}/${theirId}/actions`, { suspend: null }), 404, 'EntityNotFound', /not found/);
  expect((await call(two, 'GET', `/stacks/${theirs}/${theirId}`)).status).toBe(200);

  const taken = await call(one, 'POST', '/stacks', { stack_name: theirs, template: { heat_template_version: '2016-10-14' } });
  await expectFault(taken, 409, 'StackExists', new RegExp(`stack name '${theirs}' is taken by a stack of another tenant: stack names are unique across tenants`));

  // An action the CLI starts carries the tenant on: the stack is still the API tenant's.
  expect(stoke('stack', 'suspend', mine).status).toBe(0);
  await untilStatus(mine, 'SUSPEND_COMPLETE');
  expect((await describeStackWorkflow(mine)).memo.tenant).toBe('tenant-one');
  expect(listedNames(one)).toContain(mine);
  expect((await describeStackWorkflow(cliMade)).memo.tenant).toBe(cliTenant);
});

test('stack list: filters, sort, limit and marker with the next link, with_count, show_deleted; bad values are 400', async () => {
  const tenant = api.tenant(uniqueName('tenlist'));
  const names = [uniqueName('la'), uniqueName('lb'), uniqueName('lc')].sort();
  for (const name of names) await createThroughOpenstack(tenant, name);
  const cli = JSON.parse(stoke('stack', 'list', '-f', 'json').stdout) as { 'Stack Name': string; 'Stack Status': string }[];
  const listed = openstackJson<{ ID: string; 'Stack Name': string; 'Stack Status': string }[]>(tenant, 'stack', 'list');
  expect(listed.map((s) => [s['Stack Name'], s['Stack Status']]).sort()).toEqual(names.map((n) => [n, cli.find((c) => c['Stack Name'] === n)!['Stack Status']]));
  expect(listed.map((s) => s.ID).sort()).toEqual(names.map((n) => showStack(n).id).sort());

  expect(listedNames(tenant, '--property', `name=${names[0]}`, '--property', `name=${names[2]}`, '--sort', 'stack_name:desc')).toEqual([names[2], names[0]]);
  expect(listedNames(tenant, '--property', 'status=CREATE_COMPLETE')).toHaveLength(3);
  expect(listedNames(tenant, '--property', 'status=FAILED')).toEqual([]);
  expect(listedNames(tenant, '--limit', '1')).toHaveLength(1);

  const first = await (await call(tenant, 'GET', '/stacks?sort_keys=stack_name&limit=2&with_count=true')).json();
  expect(first.stacks.map((s: { stack_name: string }) => s.stack_name)).toEqual(names.slice(0, 2));
  expect(first.count).toBe(3);
  expect(first.links).toEqual([{ rel: 'next', href: expect.stringContaining(`marker=${first.stacks[1].id}`) }]);
  const second = await (await call(tenant, 'GET', first.links[0].href)).json();
  expect(second.stacks.map((s: { stack_name: string }) => s.stack_name)).toEqual([names[2]]);
  expect(second.links).toBeUndefined();
  const newest = await (await call(tenant, 'GET', '/stacks?sort_keys=creation_time&sort_dir=desc&show_nested=true')).json();
  expect(newest.stacks.map((s: { stack_name: string }) => s.stack_name)).toEqual([...names].reverse());

  expect(openstack(tenant, TOKEN, 'stack', 'delete', '-y', names[0]!).status).toBe(0);
  await untilStatus(names[0]!, 'DELETE_COMPLETE');
  expect(listedNames(tenant)).not.toContain(names[0]);
  const deleted = await (await call(tenant, 'GET', `/stacks?show_deleted=true&name=${names[0]}`)).json();
  expect(deleted.stacks).toEqual([expect.objectContaining({ stack_name: names[0], stack_status: 'DELETE_COMPLETE', deletion_time: expect.any(String) })]);

  await expectFault(await call(tenant, 'GET', '/stacks?limit=many'), 400, 'HTTPBadRequest', /Only integer is acceptable by 'limit'/);
  await expectFault(await call(tenant, 'GET', '/stacks?sort_keys=size'), 400, 'HTTPBadRequest', /Unknown sort key 'size'/);
  await expectFault(await call(tenant, 'GET', '/stacks?sort_dir=sideways'), 400, 'HTTPBadRequest', /Unknown sort direction/);
  await expectFault(await call(tenant, 'GET', '/stacks?global_tenant=perhaps'), 400, 'HTTPBadRequest', /Unrecognized value "perhaps" for "global_tenant"/);
  await expectFault(await call(tenant, 'GET', '/stacks?global_tenant=true'), 403, 'Forbidden', /stacks:global_index/);
  await expectFault(await call(tenant, 'GET', '/stacks?marker=nothing'), 400, 'HTTPBadRequest', /marker 'nothing'/);
});

test('stack suspend, resume, check and cancel through the actions call; malformed actions are 400 as Heat', async () => {
  const name = uniqueName('act');
  await createThroughOpenstack(one, name);
  const id = showStack(name).id;
  for (const [verb, status] of [['suspend', 'SUSPEND_COMPLETE'], ['resume', 'RESUME_COMPLETE'], ['check', 'CHECK_COMPLETE']] as const) {
    const run = openstack(one, TOKEN, 'stack', verb, name, '-f', 'json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    await untilStatus(name, status);
    expect(openstackJson<{ stack_status: string }>(one, 'stack', 'show', name).stack_status).toBe(showStack(name).status);
  }

  const actions = `/stacks/${name}/${id}/actions`;
  await expectFault(await call(one, 'POST', actions, {}), 400, 'HTTPBadRequest', /^No action specified$/);
  await expectFault(await call(one, 'POST', actions, ''), 400, 'HTTPBadRequest', /^No action specified$/);
  await expectFault(await call(one, 'POST', actions, { suspend: null, resume: null }), 400, 'HTTPBadRequest', /^Multiple actions specified$/);
  await expectFault(await call(one, 'POST', actions, { explode: null }), 400, 'HTTPBadRequest', /^Invalid action explode specified/);
  await expectFault(await call(one, 'POST', actions, { cancel_update: null }), 409, 'ActionInProgress', /nothing to cancel/);

  const waiting = uniqueName('actcancel');
  const wait = 'heat_template_version: 2016-10-14\nresources:\n  handle: {type: OS::Heat::WaitConditionHandle}\n  wait: {type: OS::Heat::WaitCondition, properties: {handle: {get_resource: handle}, timeout: 600}}\n';
  expect(openstack(one, TOKEN, 'stack', 'create', '-t', writeTemplate(wait), waiting).status).toBe(0);
  await waitUntil(`${waiting} waiting`, () => (showStack(waiting).resources.wait?.status === 'CREATE_IN_PROGRESS' ? true : undefined));
  const cancelled = openstack(one, TOKEN, 'stack', 'cancel', '--no-rollback', waiting);
  expect(cancelled.stderr).toBe('');
  expect(cancelled.status).toBe(0);
  await untilStatus(waiting, 'CREATE_FAILED');
  expect(showStack(waiting).statusReason).toMatch(/cancel/i);
});

test('stack output list and show, template, environment, files and export, as stoke keeps them', async () => {
  const name = uniqueName('out');
  await createThroughOpenstack(one, name);
  const cli = showStack(name);
  const stack = `/stacks/${name}/${cli.id}`;

  expect(openstackJson(one, 'stack', 'output', 'list', name)).toEqual([
    { output_key: 'word', description: 'the word' }, { output_key: 'greeting', description: 'No description given' },
  ]);
  expect(await (await call(one, 'GET', `${stack}/outputs`)).json()).toEqual({
    outputs: [{ output_key: 'word', description: 'the word' }, { output_key: 'greeting', description: 'No description given' }],
  });
  expect(openstackJson(one, 'stack', 'output', 'show', name, 'word')).toEqual({ output_key: 'word', output_value: cli.outputs.word!.value, description: 'the word' });
  expect(await (await call(one, 'GET', `${stack}/outputs/greeting`)).json()).toEqual({ output: { output_key: 'greeting', output_value: 'hello', description: 'No description given' } });
  await expectFault(await call(one, 'GET', `${stack}/outputs/nope`), 404, 'NotFound', /^Specified output key nope not found\.$/);
  expect(openstack(one, TOKEN, 'stack', 'output', 'show', name, 'nope').stderr).toMatch(/not found/);

  const template = openstackJson<Record<string, unknown>>(one, 'stack', 'template', 'show', name);
  expect(template).toMatchObject({ heat_template_version: '2016-10-14', description: 'a word and a secret', resources: { word: { type: 'OS::Heat::RandomString' } } });
  expect(await (await call(one, 'GET', `${stack}/template`)).json()).toEqual(template);

  expect(openstackJson(one, 'stack', 'environment', 'show', name)).toEqual({
    parameters: { length: 12, secret: '******' }, parameter_defaults: { secret: '******' }, resource_registry: { resources: {} },
  });
  const files = await (await call(one, 'GET', `${stack}/files`)).json();
  expect(Object.values(files)).toContain('hello');

  const exported = await (await call(one, 'GET', `${stack}/export`)).json();
  expect(exported).toMatchObject({ name, id: cli.id, action: 'CREATE', status: 'COMPLETE', resources: { word: { type: 'OS::Heat::RandomString' } } });
  expect(showStack(name).status).toBe('CREATE_COMPLETE');
});
