/** How Heat's request bodies become stoke's inputs, and stoke's states and errors Heat's JSON. */
import { createRequest } from '../../src/api/create-body';
import { ApiError, faultOf } from '../../src/api/faults';
import { isotime, listItem, stackView } from '../../src/api/views';
import { StokeError } from '../../src/errors';
import { planSource } from '../../src/template/source';
import type { StackState } from '../../src/template/types';

const TEMPLATE = { heat_template_version: '2016-10-14', description: 'two words', resources: { r: { type: 'OS::Heat::None' } } };

function refused(body: Record<string, unknown>): ApiError {
  try {
    createRequest(body);
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('accepted');
}

describe('create body', () => {
  test('template as an object or as text, parameters as text, Heat\'s defaults', () => {
    const fromObject = createRequest({ stack_name: 's', template: TEMPLATE, parameters: { n: 3, t: 'x' } });
    expect(JSON.parse(fromObject.source.template.text)).toEqual(TEMPLATE);
    expect(fromObject.source.parameters).toEqual({ n: '3', t: 'x' });
    expect(fromObject).toMatchObject({ name: 's', timeoutMinutes: 60, disableRollback: false });
    const fromText = createRequest({ stack_name: 's', template: 'heat_template_version: 2016-10-14\n', timeout_mins: 5, disable_rollback: 'True' });
    expect(fromText.source.template.text).toBe('heat_template_version: 2016-10-14\n');
    expect(fromText).toMatchObject({ timeoutMinutes: 5, disableRollback: true });
  });

  test('files are what get_file reads, under the keys heatclient rewrote the references to', () => {
    const template = { ...TEMPLATE, outputs: { o: { value: { get_file: 'file:///home/u/greeting.txt' } } } };
    const request = createRequest({ stack_name: 's', template, files: { 'file:///home/u/greeting.txt': 'hello' } });
    const { plan } = planSource(request.source, { stackName: 's', disableRollback: false, timeoutMinutes: 60 });
    expect(plan.outputs.o!.value).toBe('hello');
  });

  test('environment_files are merged from files in order, and environment is then ignored', () => {
    const files = { 'file:///a.yaml': 'parameters: {x: a}', 'file:///b.yaml': 'parameters: {x: b}' };
    const request = createRequest({ stack_name: 's', template: TEMPLATE, files, environment_files: ['file:///a.yaml', 'file:///b.yaml'], environment: { parameters: { x: 'ignored' } } });
    expect(request.source.environments.map((e) => e.text)).toEqual([files['file:///a.yaml'], files['file:///b.yaml']]);
    expect(createRequest({ stack_name: 's', template: TEMPLATE, environment: { parameters: { x: 'e' } } }).source.environments).toEqual([{ name: 'environment', text: '{"parameters":{"x":"e"}}' }]);
  });

  test.each([
    [{ template: TEMPLATE }, /'stack_name' is missing/],
    [{ stack_name: 's' }, /No template specified/],
    [{ stack_name: 's', template_url: 'http://example.com/t.yaml' }, /'template_url' is not supported.*send the template itself/],
    [{ stack_name: 's', template: TEMPLATE, timeout_mins: 'soon' }, /'timeout_mins' must be a whole number/],
    [{ stack_name: 's', template: TEMPLATE, disable_rollback: 'maybe' }, /'disable_rollback' must be true or false/],
    [{ stack_name: 's', template: TEMPLATE, files: { f: 1 } }, /'files' entry 'f' must be a string/],
    [{ stack_name: 's', template: TEMPLATE, environment_files: ['file:///missing.yaml'] }, /'file:\/\/\/missing.yaml' is not among 'files'/],
    [{ stack_name: 's', template: 7 }, /'template' must be an object or a string/],
    [{ stack_name: 's', template: TEMPLATE, tags: 'a,b' }, /'tags' are not supported: stoke keeps no tags/],
  ])('%j is refused with 400', (body, message) => {
    const err = refused(body);
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
  });
});

describe('faults', () => {
  test('Heat\'s error shape, with Heat\'s statuses for stoke\'s codes', () => {
    expect(faultOf(new StokeError('StackNotFound', "stack 'x' not found"))).toEqual({
      explanation: 'The resource could not be found.', code: 404, title: 'Not Found',
      error: { message: "stack 'x' not found", traceback: null, type: 'EntityNotFound' },
    });
    expect(faultOf(new StokeError('StackExists', 'exists')).code).toBe(409);
    expect(faultOf(new StokeError('StackBusy', 'busy')).error.type).toBe('ActionInProgress');
    expect(faultOf(new StokeError('InvalidStackName', 'bad name'))).toMatchObject({ code: 400, title: 'Bad Request', error: { type: 'InvalidStackName' } });
    expect(faultOf(new ApiError(401, 'Unauthorized', 'no token'))).toMatchObject({ code: 401, title: 'Unauthorized', error: { message: 'no token' } });
  });

  test('an unexpected error is a 500 without its stack trace', () => {
    const body = faultOf(new TypeError('boom'));
    expect(body).toMatchObject({ code: 500, error: { type: 'InternalError', traceback: null } });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts/);
  });
});

describe('views', () => {
  const base = 'http://127.0.0.1:8004/v1/t1';
  const state: StackState = {
    name: 's', id: 'id-1', status: 'CREATE_COMPLETE', statusReason: 'Stack CREATE completed successfully', resources: {},
    outputs: { url: { value: 'http://x', description: 'where' }, bare: { value: 1 } },
    createdAt: '2026-01-02T03:04:05.678Z', updatedAt: '2026-01-02T03:04:05.678Z',
  };

  test('isotime is Heat\'s: seconds and Z', () => {
    expect(isotime('2026-01-02T03:04:05.678Z')).toBe('2026-01-02T03:04:05Z');
    expect(isotime(undefined)).toBeNull();
  });

  test('show: links, joined status, outputs as a list, hidden parameters masked, no update yet', () => {
    const template = { ...TEMPLATE, parameters: { secret: { type: 'string', hidden: true }, size: { type: 'number' } } };
    const source = { template: { name: 'template', text: JSON.stringify(template) }, environments: [], parameters: { secret: 'hunter2', size: '3' } };
    const plan = planSource(source, { stackName: 's', disableRollback: true, timeoutMinutes: 9 }).plan;
    const view = stackView(base, state, { plan, source });
    expect(view).toMatchObject({
      id: 'id-1', links: [{ href: `${base}/stacks/s/id-1`, rel: 'self' }], stack_name: 's', description: 'two words', template_description: 'two words',
      creation_time: '2026-01-02T03:04:05Z', updated_time: null, stack_status: 'CREATE_COMPLETE', timeout_mins: 9, disable_rollback: true,
      parameters: { secret: '******', size: '3', 'OS::stack_id': 'id-1', 'OS::stack_name': 's' },
      outputs: [{ output_key: 'url', output_value: 'http://x', description: 'where' }, { output_key: 'bare', output_value: 1, description: 'No description given' }],
    });
    expect(stackView(base, { ...state, status: 'DELETE_COMPLETE' }, undefined)).not.toHaveProperty('outputs');
  });

  test('list item: Heat\'s keys, description always empty', () => {
    const item = listItem(base, { name: 's', status: 'CREATE_COMPLETE', createdAt: new Date('2026-01-02T03:04:05Z') }, 'id-1');
    expect(Object.keys(item).sort()).toEqual(['creation_time', 'deletion_time', 'description', 'id', 'links', 'parent', 'stack_name', 'stack_owner',
      'stack_status', 'stack_status_reason', 'stack_user_project_id', 'tags', 'updated_time']);
    expect(item).toMatchObject({ id: 'id-1', description: '', stack_status_reason: '', links: [{ href: `${base}/stacks/s/id-1` }] });
  });
});
