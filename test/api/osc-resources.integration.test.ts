/**
 * A stack's resources and events through the real `openstack` CLI against the built `stoke api`, compared with
 * what `stoke stack resource list | show` and `stoke stack event list | show` report of the same stack; Heat's
 * refusals over plain HTTP.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StackEvent } from '../../src/client/events';
import type { ResourceDetail } from '../../src/client/resource-detail';
import type { StackState } from '../../src/template/types';
import { call, ensureOpenstackCli, expectFault, openstack, openstackJson, startApi, TOKEN, type Api } from './harness';
import { showStack, stoke, stokeWith, uniqueName, waitUntil, writeTemplate, tempDir } from '../helpers';

let api: Api;

beforeAll(async () => {
  ensureOpenstackCli();
  api = await startApi('tenant-r');
}, 600_000);

afterAll(() => api.stop());

const osc = <T>(...args: string[]) => openstackJson<T>(api.endpoint, ...args);

function stokeJson<T>(...args: string[]): T {
  const result = stoke(...args, '-f', 'json');
  if (result.status !== 0) throw new Error(`stoke ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Heat's isotime of stoke's ISO times. */
const seconds = (time: string) => `${time.slice(0, 19)}Z`;

const TEMPLATE = [
  'heat_template_version: 2016-10-14',
  'parameters:',
  '  secret: {type: string, hidden: true, default: sesame-opens}',
  'resources:',
  '  handle: {type: OS::Heat::WaitConditionHandle}',
  '  wait:',
  '    type: OS::Heat::WaitCondition',
  '    properties: {handle: {get_resource: handle}, timeout: 600}',
  '  word:',
  '    type: OS::Heat::RandomString',
  '    description: a word to wait for',
  '    depends_on: wait',
  '    metadata: {role: words, key: {get_param: secret}}',
  '    properties: {length: 8}',
].join('\n');

describe('a stack waiting on a handle', () => {
  const name = uniqueName('oscres');
  let stack: StackState;
  let c: string;

  beforeAll(async () => {
    const created = openstack(api.endpoint, TOKEN, 'stack', 'create', '-t', writeTemplate(TEMPLATE), name);
    if (created.status !== 0) throw new Error(`openstack stack create failed: ${created.stderr}`);
    stack = await waitUntil(`${name} waiting`, () => {
      const shown = showStack(name);
      return shown.resources.wait?.statusReason.startsWith('waiting for') ? shown : undefined;
    });
    c = `/stacks/${name}/${stack.id}`;
  }, 180_000);

  afterAll(() => {
    stoke('stack', 'delete', name, '--wait');
  });

  test('openstack stack resource signal completes the wait, and the handle\'s metadata holds the signal', async () => {
    const signalled = openstack(api.endpoint, TOKEN, 'stack', 'resource', 'signal', name, 'handle', '--data', '{"status": "SUCCESS", "reason": "up", "data": "hello", "id": "1"}');
    expect(signalled.stderr).toBe('');
    expect(signalled.status).toBe(0);
    stack = await waitUntil(`${name} complete`, () => {
      const shown = showStack(name);
      return shown.status === 'CREATE_COMPLETE' ? shown : undefined;
    });
    expect(stack.resources.handle!.signals).toEqual({ 1: { status: 'SUCCESS', reason: 'up', data: 'hello' } });
    expect(osc('stack', 'resource', 'metadata', name, 'handle')).toEqual({ 1: { status: 'SUCCESS', reason: 'up', data: 'hello' } });
  }, 120_000);

  test('openstack stack resource list and show report what stoke stack resource list and show do', () => {
    const listed = osc<Record<string, string>[]>('stack', 'resource', 'list', name);
    const rows = stokeJson<{ resource_name: string }[]>('stack', 'resource', 'list', name);
    expect(listed.map((r) => r.resource_name).sort()).toEqual(rows.map((r) => r.resource_name).sort());
    const cli = showStack(name).resources;
    for (const row of listed) {
      const r = cli[row.resource_name!]!;
      expect(row).toEqual({
        resource_name: row.resource_name, physical_resource_id: r.physicalId, resource_type: r.type, resource_status: r.status, updated_time: seconds(r.updatedAt),
      });
    }
    // heatclient reads a resource's stack name off its `stack` link.
    expect(osc<Record<string, string>[]>('stack', 'resource', 'list', name, '--long').map((r) => r.stack_name)).toEqual([name, name, name]);
    expect(osc<unknown[]>('stack', 'resource', 'list', name, '--filter', 'type=WaitCondition').map((r) => (r as { resource_name: string }).resource_name).sort()).toEqual(['handle', 'wait']);

    const shown = osc<Record<string, unknown>>('stack', 'resource', 'show', name, 'word');
    const detail = stokeJson<ResourceDetail>('stack', 'resource', 'show', name, 'word');
    expect(shown).toMatchObject({
      resource_name: 'word', logical_resource_id: 'word', resource_type: detail.resource_type, resource_status: detail.resource_status,
      resource_status_reason: detail.resource_status_reason, physical_resource_id: detail.physical_resource_id, required_by: detail.required_by,
      updated_time: seconds(detail.updated_time), description: 'a word to wait for', attributes: detail.attributes,
    });
    expect(osc<{ required_by: string[] }>('stack', 'resource', 'show', name, 'wait').required_by).toEqual(stokeJson<ResourceDetail>('stack', 'resource', 'show', name, 'wait').required_by);
  });

  test('a resource\'s metadata is its template section, hidden values masked', () => {
    expect(osc('stack', 'resource', 'metadata', name, 'word')).toEqual({ role: 'words', key: '******' });
  });

  test('openstack stack event list and show report stoke stack event list\'s events, under the same ids', () => {
    const cli = stokeJson<StackEvent[]>('stack', 'event', 'list', name);
    const listed = osc<Record<string, string>[]>('stack', 'event', 'list', name);
    expect(listed.map((e) => e.id).sort()).toEqual(cli.map((e) => e.id).sort());
    for (const row of listed) {
      const e = cli.find((event) => event.id === row.id)!;
      expect(row).toMatchObject({ resource_name: e.resource_name, resource_status: e.resource_status, resource_status_reason: e.resource_status_reason, event_time: seconds(e.event_time) });
    }
    // The stack's own events name the stack, as Heat's do.
    expect(cli.filter((e) => e.resource_type === 'OS::Heat::Stack').map((e) => [e.resource_name, e.physical_resource_id])).toContainEqual([name, stack.id]);

    const ofWord = osc<Record<string, string>[]>('stack', 'event', 'list', name, '--resource', 'word');
    const cliOfWord = stokeJson<StackEvent[]>('stack', 'event', 'list', name, '--resource', 'word');
    expect(ofWord.map((e) => e.id).sort()).toEqual(cliOfWord.map((e) => e.id).sort());
    expect(osc<Record<string, string>[]>('stack', 'event', 'list', name).map((e) => e.id)).toEqual(listed.map((e) => e.id));

    const last = cliOfWord[cliOfWord.length - 1]!;
    const shown = osc<Record<string, unknown>>('stack', 'event', 'show', name, 'word', last.id);
    const cliShown = stokeJson<StackEvent>('stack', 'event', 'show', name, 'word', last.id);
    expect(shown).toMatchObject({
      id: cliShown.id, resource_name: 'word', resource_type: cliShown.resource_type, resource_status: cliShown.resource_status,
      physical_resource_id: cliShown.physical_resource_id, resource_properties: { length: 8 },
    });
  });

  test('the stack\'s events over HTTP: the stack named as its own resource, pages after a marker as heatclient polls', async () => {
    const all = (await (await call(api.endpoint, 'GET', `${c}/events?sort_dir=asc`)).json()).events as Record<string, unknown>[];
    expect(all[0]).toMatchObject({ resource_name: name, physical_resource_id: stack.id, resource_status: 'CREATE_IN_PROGRESS' });
    const page = (await (await call(api.endpoint, 'GET', `${c}/events?sort_dir=asc&limit=2&marker=${encodeURIComponent(String(all[1]!.id))}`)).json()).events as { id: string }[];
    expect(page.map((e) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));
    const detail = (await (await call(api.endpoint, 'GET', `${c}/resources/${name}/events/${encodeURIComponent(String(all[0]!.id))}`)).json()).event;
    expect(detail).toMatchObject({ resource_type: 'OS::Heat::Stack', resource_properties: {} });
  });

  test('Heat\'s refusals: unknown filters, resources and events; a signal to what takes none; a bad mark', async () => {
    await expectFault(await call(api.endpoint, 'GET', `${c}/resources?colour=red`), 400, 'HTTPBadRequest', /^Invalid filter parameters \['colour'\]$/);
    await expectFault(await call(api.endpoint, 'GET', `${c}/resources/nothing`), 404, 'ResourceNotFound', /nothing.*it has: handle, wait, word/);
    await expectFault(await call(api.endpoint, 'GET', `/stacks/${name}/not-its-id/resources`), 404, 'EntityNotFound', /could not be found/);
    await expectFault(await call(api.endpoint, 'POST', `${c}/resources/word/signal`, {}), 400, 'ResourceActionNotSupported', /word \(OS::Heat::RandomString\)/);
    await expectFault(await call(api.endpoint, 'PATCH', `${c}/resources/word`, { mark_unhealthy: true, colour: 'red' }), 400, 'HTTPBadRequest', /Invalid keys in resource mark unhealthy/);
    await expectFault(await call(api.endpoint, 'PATCH', `${c}/resources/word`, { resource_status_reason: 'x' }), 400, 'HTTPBadRequest', /Missing mandatory \(mark_unhealthy\)/);
    await expectFault(await call(api.endpoint, 'GET', `${c}/resources/word/events?resource_status=FAILED`), 404, 'HTTPNotFound', /^No events found for resource word$/);
    await expectFault(await call(api.endpoint, 'GET', `${c}/resources/word/events/nothing`), 404, 'HTTPNotFound', /^No event nothing found$/);
    await expectFault(await call(api.endpoint, 'DELETE', `${c}/resources/word`), 405, 'HTTPMethodNotAllowed', /allowed: GET, PATCH/);
  });

  test('openstack stack resource mark unhealthy marks it as stoke\'s mark-unhealthy does; --reset takes the mark back', () => {
    const marked = openstack(api.endpoint, TOKEN, 'stack', 'resource', 'mark', 'unhealthy', name, 'word', 'broken by hand');
    expect(marked.stderr).toBe('');
    expect(marked.status).toBe(0);
    expect(stokeJson<ResourceDetail>('stack', 'resource', 'show', name, 'word')).toMatchObject({ resource_status: 'CHECK_FAILED', resource_status_reason: 'broken by hand' });
    expect(osc('stack', 'resource', 'show', name, 'word')).toMatchObject({ resource_status: 'CHECK_FAILED', resource_status_reason: 'broken by hand' });

    expect(openstack(api.endpoint, TOKEN, 'stack', 'resource', 'mark', 'unhealthy', '--reset', name, 'word').status).toBe(0);
    expect(stokeJson<ResourceDetail>('stack', 'resource', 'show', name, 'word').resource_status).toBe('CHECK_COMPLETE');
  }, 120_000);
});

test('openstack stack create --wait and delete --wait follow the stack\'s events to their end', () => {
  const name = uniqueName('oscwait');
  const template = writeTemplate('heat_template_version: 2016-10-14\nresources:\n  word: {type: OS::Heat::RandomString}\n');
  const created = openstack(api.endpoint, TOKEN, 'stack', 'create', '--wait', '-t', template, name);
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  // The events it followed, as Heat's log lines, then the stack.
  expect(created.stdout).toMatch(new RegExp(`\\[${name}\\]: CREATE_COMPLETE`));
  expect(created.stdout).toMatch(/stack_status +\| CREATE_COMPLETE/);
  expect(showStack(name).status).toBe('CREATE_COMPLETE');
  const deleted = openstack(api.endpoint, TOKEN, 'stack', 'delete', '--wait', '-y', name);
  expect(deleted.stderr).toBe('');
  expect(deleted.status).toBe(0);
  expect(showStack(name).status).toBe('DELETE_COMPLETE');
}, 120_000);

describe('a stack two levels deep', () => {
  const name = uniqueName('oscnest');
  const asTenant = { ...process.env, STOKE_TENANT: 'tenant-r' };
  let root: StackState;
  let child: StackState;
  let grandchild: StackState;

  beforeAll(() => {
    const dir = tempDir('stoke-oscnest');
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'root.yaml'), 'heat_template_version: 2016-10-14\nresources:\n  app: {type: lib/app.yaml}\n  word: {type: OS::Heat::RandomString}\n'
      + 'outputs:\n  deep: {value: {get_attr: [app, deep]}}\n');
    fs.writeFileSync(path.join(dir, 'lib', 'app.yaml'), 'heat_template_version: 2016-10-14\nresources:\n  db: {type: db.yaml}\n  marker: {type: OS::Heat::None}\n'
      + 'outputs:\n  deep: {value: {get_attr: [db, name]}}\n');
    fs.writeFileSync(path.join(dir, 'lib', 'db.yaml'), 'heat_template_version: 2016-10-14\nresources:\n  cell: {type: OS::Heat::None}\n'
      + 'outputs:\n  name: {value: {get_param: OS::stack_name}}\n');
    const created = stokeWith(asTenant, 'stack', 'create', name, '-t', path.join(dir, 'root.yaml'), '--wait');
    if (created.status !== 0) throw new Error(`stoke stack create failed: ${created.stderr}`);
    root = showStack(name, asTenant);
    grandchild = showStack(String(root.outputs.deep!.value), asTenant);
    child = showStack(grandchild.parent!.name, asTenant);
  }, 180_000);

  afterAll(() => {
    stokeWith(asTenant, 'stack', 'delete', name, '--wait');
  });

  test('openstack stack resource list --nested-depth 2 lists every level, each resource with its stack\'s name, as stoke\'s does', () => {
    const listed = osc<Record<string, string>[]>('stack', 'resource', 'list', name, '--nested-depth', '2');
    const rows = (JSON.parse(stokeWith(asTenant, 'stack', 'resource', 'list', name, '--nested-depth', '2', '-f', 'json').stdout) as Record<string, string>[]);
    expect(listed).toEqual(rows.map((r) => ({ ...r, updated_time: seconds(r.updated_time!) })));
    expect(listed.map((r) => [r.stack_name, r.resource_name])).toEqual([
      [name, 'app'], [name, 'word'], [child.name, 'db'], [child.name, 'marker'], [grandchild.name, 'cell'],
    ]);
    expect(osc<unknown[]>('stack', 'resource', 'list', name, '--nested-depth', '1')).toHaveLength(4);
  });

  test('resources over HTTP: a nested stack\'s resources name their parent resource, a nested resource links its stack', async () => {
    const list = async (query: string) => (await (await call(api.endpoint, 'GET', `/stacks/${name}/${root.id}/resources${query}`)).json()).resources as Record<string, unknown>[];
    const nested = await list('?nested_depth=2&type=None');
    expect(nested.map((r) => [r.resource_name, r.parent_resource])).toEqual([['marker', 'app'], ['cell', 'db']]);
    const [app] = await list('?name=app');
    expect(app!.links).toContainEqual({ rel: 'nested', href: `${api.endpoint}/stacks/${child.name}/${child.id}` });
    expect(app).not.toHaveProperty('parent_resource');
    await expectFault(await call(api.endpoint, 'GET', `/stacks/${name}/${root.id}/resources?nested_depth=-1`), 400, 'HTTPBadRequest', /non-negative integer/);

    const db = osc<{ links: { rel: string; href: string }[]; parent_resource: string }>('stack', 'resource', 'show', child.name, 'db');
    expect(db.parent_resource).toBe('app');
    expect(db.links).toContainEqual({ rel: 'nested', href: `${api.endpoint}/stacks/${grandchild.name}/${grandchild.id}` });
    expect(osc<Record<string, string>>('stack', 'show', grandchild.name).parent).toBe(child.id);
  });

  test('openstack stack event list --nested-depth 2 shows every level\'s events with their stacks\' names, as stoke\'s does', async () => {
    const listed = osc<Record<string, string>[]>('stack', 'event', 'list', name, '--nested-depth', '2');
    const cli = JSON.parse(stokeWith(asTenant, 'stack', 'event', 'list', name, '--nested-depth', '2', '-f', 'json').stdout) as (StackEvent & { stack_name: string })[];
    expect(listed.map((e) => [e.id, e.stack_name]).sort()).toEqual(cli.map((e) => [e.id, e.stack_name]).sort());
    expect(listed.filter((e) => e.stack_name === grandchild.name).map((e) => `${e.resource_name} ${e.resource_status}`)).toEqual([
      `${grandchild.name} CREATE_IN_PROGRESS`, 'cell CREATE_IN_PROGRESS', 'cell CREATE_COMPLETE', `${grandchild.name} CREATE_COMPLETE`,
    ]);
    // heatclient knows an API that lists nested events by the root_stack link; it pages them after a marker.
    const all = (await (await call(api.endpoint, 'GET', `/stacks/${name}/${root.id}/events?nested_depth=2&sort_dir=asc`)).json()).events as { id: string; links: { rel: string; href: string }[] }[];
    expect(all).toHaveLength(cli.length);
    expect(all.every((e) => e.links.some((l) => l.rel === 'root_stack' && l.href === `${api.endpoint}/stacks/${name}/${root.id}`))).toBe(true);
    const page = (await (await call(api.endpoint, 'GET', `/stacks/${name}/${root.id}/events?nested_depth=2&sort_dir=asc&limit=3&marker=${encodeURIComponent(all[2]!.id)}`)).json()).events as { id: string }[];
    expect(page.map((e) => e.id)).toEqual(all.slice(3, 6).map((e) => e.id));
  });
});
