/**
 * The real `openstack` CLI's stack update (full, --existing, --dry-run), create --dry-run, abandon and adopt against
 * the built `stoke api`, each compared with what stoke's own CLI reports of the same stack; bad bodies over plain HTTP.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { call, ensureOpenstackCli, expectFault, openstack, openstackJson, startApi, TOKEN, type Api } from './harness';
import { showStack, stoke, uniqueName, waitUntil, writeTemplate, tempDir } from '../helpers';
import type { ResourcePreview } from '../../src/client/preview';
import type { StackState } from '../../src/template/types';

let api: Api;

beforeAll(async () => {
  ensureOpenstackCli();
  api = await startApi('tenant-change');
}, 600_000);

afterAll(() => api.stop());

const template = (wordLength: number, extra = '') => writeTemplate([
  'heat_template_version: 2016-10-14',
  'description: changed by the openstack CLI',
  'parameters:',
  '  greeting: {type: string, default: hi}',
  'resources:',
  `  word: {type: OS::Heat::RandomString, properties: {length: ${wordLength}}}`,
  '  note: {type: OS::Heat::None, properties: {text: {get_param: greeting}}}',
  extra,
  'outputs:',
  '  word: {value: {get_attr: [word, value]}}',
  '  greeting: {value: {get_param: greeting}}',
].join('\n'));

const V1 = template(8);
const V2 = template(12, '  extra: {type: OS::Heat::None}');

const until = (name: string, status: string) => waitUntil(`${name} to be ${status}`, () => {
  const state = showStack(name);
  return state.status === status ? state : undefined;
});

const outputsOf = (state: StackState) => Object.fromEntries(Object.entries(state.outputs).map(([key, o]) => [key, o.value]));

/** `openstack stack show`'s outputs, by key. */
function shownOutputs(name: string): Record<string, unknown> {
  const shown = openstackJson<{ outputs: { output_key: string; output_value: unknown }[] }>(api.endpoint, 'stack', 'show', name);
  return Object.fromEntries(shown.outputs.map((o) => [o.output_key, o.output_value]));
}

/** stoke's `--dry-run` sorted as Heat's resource_changes, what may change counted as replaced. */
function stokeChanges(previews: ResourcePreview[]): Record<string, string[]> {
  const change = { unchanged: 'unchanged', update: 'updated', replace: 'replaced', 'may change': 'replaced', add: 'added', delete: 'deleted' } as const;
  const changes: Record<string, string[]> = { added: [], deleted: [], replaced: [], unchanged: [], updated: [] };
  for (const p of previews) changes[change[p.action]]!.push(p.resource);
  return changes;
}

test('openstack stack update --dry-run and create --dry-run show stoke\'s plan; update -t and --existing --parameter --wait change the stack as stoke shows it', async () => {
  const name = uniqueName('oscup');
  expect(openstack(api.endpoint, TOKEN, 'stack', 'create', '-t', V1, '--parameter', 'greeting=hello', name).status).toBe(0);
  const created = await until(name, 'CREATE_COMPLETE');

  // The update preview: Heat's resource_changes, the same sorting of the same plan as `stoke stack update --dry-run`.
  const preview = openstackJson<Record<string, { resource_name: string }[]>>(api.endpoint, 'stack', 'update', '--dry-run', '-t', V2, '--parameter', 'greeting=hello', name);
  const names = Object.fromEntries(Object.entries(preview).map(([change, list]) => [change, list.map((r) => r.resource_name).sort()]));
  expect(names).toEqual({ added: ['extra'], deleted: [], replaced: ['word'], unchanged: ['note'], updated: [] });
  const dryRun = stoke('stack', 'update', name, '-t', V2, '--parameter', 'greeting=hello', '--dry-run', '-f', 'json');
  expect(dryRun.status).toBe(0);
  expect(stokeChanges(JSON.parse(dryRun.stdout))).toEqual(names);
  expect(showStack(name)).toMatchObject({ status: 'CREATE_COMPLETE', outputs: created.outputs });

  // The create preview: the stack it would make, id "None", its resources; nothing is made.
  const other = uniqueName('oscdry');
  const planned = openstackJson<{ id: string; stack_name: string; resources: { resource_name: string; resource_status: string }[] }>(api.endpoint, 'stack', 'create', '--dry-run', '-t', V2, other);
  expect(planned).toMatchObject({ id: 'None', stack_name: other });
  const stokePlanned = stoke('stack', 'create', other, '-t', V2, '--dry-run', '-f', 'json');
  expect(planned.resources.map((r) => r.resource_name).sort()).toEqual((JSON.parse(stokePlanned.stdout) as ResourcePreview[]).map((p) => p.resource).sort());
  expect(stoke('stack', 'show', other).status).not.toBe(0);

  // A full update (PUT): the new template, the parameter values given (none: the default again).
  const updated = openstack(api.endpoint, TOKEN, 'stack', 'update', '-t', V2, name);
  expect(updated.stderr).toBe('');
  expect(updated.status).toBe(0);
  const afterPut = await until(name, 'UPDATE_COMPLETE');
  expect(Object.keys(afterPut.resources).sort()).toEqual(['extra', 'note', 'word']);
  expect(afterPut.id).toBe(created.id);
  expect(outputsOf(afterPut)).toMatchObject({ greeting: 'hi', word: expect.stringMatching(/^.{12}$/) });
  expect(shownOutputs(name)).toEqual(outputsOf(afterPut));

  // --existing (PATCH): the stack's template and values kept, the parameter given over them; --wait follows it to the end.
  const patched = openstack(api.endpoint, TOKEN, 'stack', 'update', '--existing', '--parameter', 'greeting=bye', '--wait', name);
  expect(patched.status).toBe(0);
  expect(patched.stdout).toMatch(/UPDATE_COMPLETE/);
  const afterPatch = showStack(name);
  expect(afterPatch.status).toBe('UPDATE_COMPLETE');
  expect(outputsOf(afterPatch)).toEqual({ greeting: 'bye', word: outputsOf(afterPut).word });
  expect(shownOutputs(name)).toEqual(outputsOf(afterPatch));

  expect(stoke('stack', 'delete', name, '--wait').status).toBe(0);
});

test('openstack stack abandon leaves the resources and returns the adopt data; stack adopt takes them back under the same id', async () => {
  const name = uniqueName('oscab');
  expect(openstack(api.endpoint, TOKEN, 'stack', 'create', '-t', V1, '--parameter', 'greeting=kept', name).status).toBe(0);
  const before = await until(name, 'CREATE_COMPLETE');

  const file = path.join(tempDir('stoke-abandon'), 'adopt.json');
  const abandoned = openstack(api.endpoint, TOKEN, 'stack', 'abandon', name, '--output-file', file);
  expect(abandoned.status).toBe(0);
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(data).toMatchObject({
    name, id: before.id, action: 'CREATE', status: 'COMPLETE',
    resources: { word: { resource_id: before.resources.word!.physicalId, type: 'OS::Heat::RandomString', resource_data: { value: before.outputs.word!.value } } },
  });
  expect(stoke('stack', 'show', name).status).not.toBe(0);
  expect(openstack(api.endpoint, TOKEN, 'stack', 'show', name).stderr).toMatch(/not found/i);

  const adopted = openstack(api.endpoint, TOKEN, 'stack', 'adopt', '--adopt-file', file, name);
  expect(adopted.stderr).toBe('');
  expect(adopted.status).toBe(0);
  const after = await until(name, 'ADOPT_COMPLETE');
  expect(after.id).toBe(before.id);
  expect(outputsOf(after)).toEqual(outputsOf(before));
  expect(after.resources.word!.physicalId).toBe(before.resources.word!.physicalId);
  expect(shownOutputs(name)).toEqual(outputsOf(after));

  expect(stoke('stack', 'delete', name, '--wait').status).toBe(0);
});

test('bad update, preview, abandon and adopt requests get Heat\'s statuses and error shape, and change nothing', async () => {
  const request = (method: string, url: string, body?: unknown) => call(api.endpoint, method, url, body);
  const name = uniqueName('oscbad');
  expect((await request('POST', '/stacks', { stack_name: name, template: fs.readFileSync(V1, 'utf8') })).status).toBe(201);
  const before = await until(name, 'CREATE_COMPLETE');
  const at = `/stacks/${name}/${before.id}`;

  await expectFault(await request('PUT', at, { parameters: {} }), 400, 'HTTPBadRequest', /^No template specified$/);
  await expectFault(await request('PUT', `${at}/preview`, { parameters: {} }), 400, 'HTTPBadRequest', /^No template specified$/);
  await expectFault(await request('PUT', at, { template: fs.readFileSync(V2, 'utf8'), clear_parameters: ['greeting'] }), 400, 'HTTPBadRequest', /'clear_parameters' .*needs a PATCH update/);
  await expectFault(await request('PATCH', at, { parameters: { nope: 'x' } }), 400, 'StackValidationFailed', /nope/);
  await expectFault(await request('PATCH', `${at}/preview`, { template: 7 }), 400, 'HTTPBadRequest', /'template' must be an object or a string/);
  await expectFault(await request('PATCH', at, { timeout_mins: 'soon' }), 400, 'HTTPBadRequest', /'timeout_mins' must be a whole number/);
  await expectFault(await request('POST', '/stacks', { stack_name: uniqueName('adopt'), adopt_stack_data: '{"id": ' }), 400, 'AdoptDataInvalid', /adopt_stack_data: not JSON/);
  await expectFault(await request('POST', '/stacks', { stack_name: uniqueName('adopt'), adopt_stack_data: { id: 'x' } }), 400, 'HTTPBadRequest', /must be a string of JSON/);
  await expectFault(await request('DELETE', `/stacks/${name}/00000000-0000-0000-0000-000000000000/abandon`), 404, 'EntityNotFound', /could not be found/);
  const wrongMethod = await request('GET', `${at}/abandon`);
  expect(wrongMethod.headers.get('allow')).toBe('DELETE');
  await expectFault(wrongMethod, 405, 'HTTPMethodNotAllowed', /GET is not allowed/);

  expect(showStack(name)).toMatchObject({ status: 'CREATE_COMPLETE', outputs: before.outputs });
  expect(stoke('stack', 'delete', name, '--wait').status).toBe(0);
});
