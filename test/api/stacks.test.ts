/** The stacks area's mapping: `GET /stacks`'s query as Heat reads it, outputs and environments in Heat's shapes. */
import { ApiError } from '../../src/api/faults';
import { nextLinks, parseListQuery, selectPage, type Listed } from '../../src/api/list-query';
import { environmentView, outputView } from '../../src/api/views';
import { newestPerStack } from '../../src/client/stacks';
import { loadConfig } from '../../src/config';

function refusal(query: string): ApiError {
  try {
    parseListQuery(query);
  } catch (err) {
    return err as ApiError;
  }
  throw new Error(`${query} accepted`);
}

const item = (id: string, stack_name: string, stack_status: string, creation_time: string, updated_time = creation_time): Listed & { tenant: string } =>
  ({ id, stack_name, stack_status, creation_time, updated_time, tenant: 't1' });

const ITEMS = [
  item('id-a', 'alpha', 'CREATE_COMPLETE', '2026-01-01T00:00:01Z', '2026-01-05T00:00:00Z'),
  item('id-b', 'bravo', 'CREATE_FAILED', '2026-01-01T00:00:03Z'),
  item('id-c', 'charlie', 'UPDATE_COMPLETE', '2026-01-01T00:00:02Z', '2026-01-04T00:00:00Z'),
  item('id-d', 'delta', 'SUSPEND_COMPLETE', '2026-01-01T00:00:04Z'),
];

const names = (query: string) => selectPage(parseListQuery(query), ITEMS, (i) => i.tenant).page.map((i) => i.stack_name);

describe('GET /stacks query', () => {
  test('the newest first by default; sort keys ascending unless sort_dir says otherwise', () => {
    expect(names('')).toEqual(['delta', 'bravo', 'charlie', 'alpha']);
    expect(names('?sort_keys=stack_name')).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    expect(names('?sort_keys=stack_name&sort_dir=desc')).toEqual(['delta', 'charlie', 'bravo', 'alpha']);
    expect(names('?sort_keys=updated_time&sort_keys=stack_name')).toEqual(['bravo', 'delta', 'charlie', 'alpha']);
    expect(names('?sort_keys=stack_status')).toEqual(['alpha', 'bravo', 'delta', 'charlie']);
  });

  test('filters: a repeated key is any of its values; a status with its action filters both, without only the status', () => {
    expect(names('?name=alpha&stack_name=delta&sort_keys=stack_name')).toEqual(['alpha', 'delta']);
    expect(names('?status=COMPLETE&sort_keys=stack_name')).toEqual(['alpha', 'charlie', 'delta']);
    expect(names('?stack_status=CREATE_COMPLETE&status=CREATE_FAILED&sort_keys=stack_name')).toEqual(['alpha', 'bravo']);
    expect(names('?status=COMPLETE&action=UPDATE')).toEqual(['charlie']);
    expect(names('?id=id-b')).toEqual(['bravo']);
    expect(names('?tenant=t1&sort_keys=stack_name')).toHaveLength(4);
    expect(names('?tenant=t2')).toEqual([]);
    expect(names('?name=nothing')).toEqual([]);
  });

  test('limit and marker page through; a full page links to the next; with_count counts every match', () => {
    const first = selectPage(parseListQuery('?sort_keys=stack_name&limit=2'), ITEMS, (i) => i.tenant);
    expect(first).toMatchObject({ count: 4, page: [{ stack_name: 'alpha' }, { stack_name: 'bravo' }] });
    const links = nextLinks('http://h/v1/t1/stacks', '?sort_keys=stack_name&limit=2', first.page, 2);
    expect(links).toEqual([{ rel: 'next', href: 'http://h/v1/t1/stacks?sort_keys=stack_name&limit=2&marker=id-b' }]);
    const second = selectPage(parseListQuery(new URL(links[0]!.href).search), ITEMS, (i) => i.tenant);
    expect(second.page.map((i) => i.stack_name)).toEqual(['charlie', 'delta']);
    const third = selectPage(parseListQuery('?sort_keys=stack_name&limit=2&marker=id-d'), ITEMS, (i) => i.tenant);
    expect(third.page).toEqual([]);
    expect(nextLinks('http://h/v1/t1/stacks', '?limit=3', second.page, 3)).toEqual([]);
    expect(nextLinks('http://h/v1/t1/stacks', '', ITEMS, undefined)).toEqual([]);
    expect(names('?limit=0')).toEqual([]);
    expect(parseListQuery('?with_count=true&show_deleted=True&show_nested=false&global_tenant=false'))
      .toMatchObject({ withCount: true, showDeleted: true, globalTenant: false });
    expect(parseListQuery('?global_tenant=TRUE').globalTenant).toBe(true);
  });

  test('a marker that is no stack of the listing is refused rather than starting over', () => {
    expect(() => selectPage(parseListQuery('?marker=gone'), ITEMS, (i) => i.tenant)).toThrow(/marker 'gone' is not the id of a stack/);
  });

  test.each([
    ['?limit=ten', /Only integer is acceptable by 'limit'/],
    ['?limit=-1', /Value '-1' is invalid for 'limit' which only accepts non-negative integer/],
    ['?sort_keys=owner', /Unknown sort key 'owner': stacks sort by stack_name, stack_status, creation_time, updated_time/],
    ['?sort_dir=up', /Unknown sort direction 'up'/],
    ['?global_tenant=maybe', /Unrecognized value "maybe" for "global_tenant", acceptable values are: true, false/],
    ['?show_deleted=1', /Unrecognized value "1" for "show_deleted"/],
    ['?show_nested=yes', /"show_nested"/],
    ['?with_count=2', /"with_count"/],
    ['?status=DONE', /Unknown stack status 'DONE'/],
    ['?tags=a', /cannot filter stacks by 'tags'/],
    ['?username=u', /cannot filter stacks by 'username'/],
  ])('%s is refused with 400: %s', (query, message) => {
    const err = refusal(query);
    expect({ status: err.status, type: err.type }).toEqual({ status: 400, type: 'HTTPBadRequest' });
    expect(err.message).toMatch(message);
  });
});

describe('stacks by tenant', () => {
  test("the newest action's tenant is the stack's; deleted stacks are kept only when asked for", () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const records = [
      { stackName: 'a', stackStatus: 'CREATE_COMPLETE', action: 'createStack', workflowStatus: 'COMPLETED', startTime: at(1), tenant: 't1' },
      { stackName: 'a', stackStatus: 'SUSPEND_COMPLETE', action: 'suspendStack', workflowStatus: 'COMPLETED', startTime: at(2), tenant: 't1' },
      { stackName: 'b', stackStatus: 'DELETE_COMPLETE', action: 'deleteStack', workflowStatus: 'COMPLETED', startTime: at(3), tenant: 't2' },
    ];
    expect(newestPerStack(records)).toEqual([expect.objectContaining({ name: 'a', tenant: 't1', status: 'SUSPEND_COMPLETE' })]);
    expect(newestPerStack(records, { deleted: true }).map((s) => [s.name, s.tenant, s.status])).toEqual([['a', 't1', 'SUSPEND_COMPLETE'], ['b', 't2', 'DELETE_COMPLETE']]);
  });

  test('the CLI creates under STOKE_TENANT, "default" unless set', () => {
    expect(loadConfig({}).tenant).toBe('default');
    expect(loadConfig({ STOKE_TENANT: 'ops' }).tenant).toBe('ops');
  });
});

describe('outputs and environment', () => {
  test("an output as Heat's list (key and description) and show (value, error) give it", () => {
    expect(outputView('url', { value: 'http://x/', description: 'where' }, false)).toEqual({ output_key: 'url', description: 'where' });
    expect(outputView('url', { value: 'http://x/' })).toEqual({ output_key: 'url', output_value: 'http://x/', description: 'No description given' });
    expect(outputView('bad', { value: null, error: 'no such attribute' })).toMatchObject({ output_error: 'no such attribute' });
  });

  test('environments merged in order, given parameters last, hidden values masked', () => {
    const template = { name: 't.yaml', text: 'heat_template_version: 2016-10-14\nparameters:\n  pw: {type: string, hidden: true}\n  n: {type: number}\n' };
    const view = environmentView({
      plan: {} as never,
      source: {
        template, files: {},
        environments: [
          { name: 'a.yaml', text: 'parameters: {n: 1, pw: a}\nresource_registry: {My::Type: my.yaml, resources: {r: {hooks: pre-create}}}' },
          { name: 'b.yaml', text: 'parameter_defaults: {pw: d, x: 2}\nresource_registry: {resources: {s: {hooks: pre-update}}}' },
        ],
        parameters: { n: '3' },
      },
    });
    expect(view).toEqual({
      parameters: { n: '3', pw: '******' }, parameter_defaults: { pw: '******', x: 2 },
      resource_registry: { 'My::Type': 'my.yaml', resources: { r: { hooks: 'pre-create' }, s: { hooks: 'pre-update' } } },
      event_sinks: [], encrypted_param_names: [],
    });
  });
});
