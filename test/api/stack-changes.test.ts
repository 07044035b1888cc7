/** Heat's update, preview, abandon and adopt bodies and answers, mapped onto stoke's update planning, preview and adopt data. */
import { abandonData } from '../../src/client/abandon';
import { adoptionOf, createRequest, updateRequest } from '../../src/api/create-body';
import { ApiError } from '../../src/api/faults';
import { route, type ApiRequest } from '../../src/api/routes';
import { previewStackView, resourceChanges } from '../../src/api/stack-changes';
import { previewUpdate } from '../../src/client/preview';
import { planUpdateRequest } from '../../src/client/update-request';
import { planSource } from '../../src/template/source';
import type { ResourceState, StackState } from '../../src/template/types';

const TEMPLATE = {
  heat_template_version: '2016-10-14', description: 'two words',
  parameters: { greeting: { type: 'string', default: 'hi' }, secret: { type: 'string', default: 's', hidden: true } },
  resources: { r: { type: 'OS::Heat::None', properties: { greeting: { get_param: 'greeting' } } } },
};

/** Enough of a template for requests refused before anything is planned. */
const SHORT = 'heat_template_version: 2016-10-14\n';

function refused(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('accepted');
}

/** What a create of this body leaves as the stack's inputs. */
function created(body: Record<string, unknown>) {
  const request = createRequest({ stack_name: 'demo', ...body });
  return planSource(request.source, { stackName: 'demo', disableRollback: request.disableRollback, timeoutMinutes: request.timeoutMinutes });
}

describe('update body', () => {
  test('PUT needs a template; PATCH keeps the stack\'s (heatclient sends null and an empty environment)', () => {
    expect(refused(() => updateRequest({ parameters: {} }, false))).toMatchObject({ status: 400, type: 'HTTPBadRequest', message: 'No template specified' });
    const patch = updateRequest({ template: null, environment: {}, files: {}, parameters: { greeting: 'hello' } }, true);
    expect(patch).toEqual({ existing: true, environments: [], parameters: { greeting: 'hello' }, files: {}, clear: [] });
    expect(updateRequest({ template: TEMPLATE, timeout_mins: 5, disable_rollback: 'False' }, false)).toMatchObject({ existing: false, timeoutMinutes: 5, disableRollback: false });
  });

  test.each([
    [{ template: SHORT, clear_parameters: ['greeting'] }, false, /'clear_parameters' forgets stored parameter values: it needs a PATCH update/],
    [{ clear_parameters: 'greeting' }, true, /'clear_parameters' must be a list of parameter names/],
    [{ template: SHORT, timeout_mins: 0 }, false, /'timeout_mins' must be a whole number/],
    [{ template: SHORT, disable_rollback: 'sometimes' }, true, /'disable_rollback' must be true or false/],
    [{ template_url: 'http://example.com/t.yaml' }, true, /'template_url' is not supported/],
    [{ template: SHORT, adopt_stack_data: '{}' }, false, /'adopt_stack_data' belongs to a create/],
  ])('%j (existing %s) is refused with 400', (body, existing, message) => {
    const err = refused(() => updateRequest(body, existing));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
  });

  test('a PATCH plans as `stack update --existing`: stored values kept, given ones over them, cleared ones back to the default, rollback and timeout kept', () => {
    const first = created({ template: TEMPLATE, parameters: { greeting: 'hello', secret: 'x' }, timeout_mins: 7, disable_rollback: true });
    const kept = planUpdateRequest('demo', updateRequest({ template: null, parameters: {} }, true), first);
    expect(kept.plan).toMatchObject({ timeoutMinutes: 7, disableRollback: true });
    expect(kept.plan.resources.r!.properties).toEqual({ greeting: 'hello' });
    expect(kept.source.parameters).toEqual({ greeting: 'hello', secret: 'x' });
    const cleared = planUpdateRequest('demo', updateRequest({ clear_parameters: ['greeting'], parameters: { secret: 'y' }, timeout_mins: 9 }, true), first);
    expect(cleared.plan.resources.r!.properties).toEqual({ greeting: 'hi' });
    expect(cleared.source.parameters).toEqual({ secret: 'y' });
    expect(cleared.plan.timeoutMinutes).toBe(9);
    // A PUT starts from the template given alone.
    const put = planUpdateRequest('demo', updateRequest({ template: TEMPLATE }, false), first);
    expect(put.plan.resources.r!.properties).toEqual({ greeting: 'hi' });
  });

  test('get_file of a template sent over the API reads the files sent, never the server\'s disk', () => {
    const first = created({ template: TEMPLATE });
    const template = { ...TEMPLATE, outputs: { o: { value: { get_file: 'file:///etc/hostname' } } } };
    expect(() => planUpdateRequest('demo', updateRequest({ template }, true), first)).toThrow(/etc\/hostname/);
    const sent = planUpdateRequest('demo', updateRequest({ template, files: { 'file:///etc/hostname': 'sent' } }, true), first);
    expect(sent.plan.outputs.o!.value).toBe('sent');
  });
});

describe('adopt body', () => {
  const state = (): StackState => ({
    name: 'old', id: '11111111-2222-3333-4444-555555555555', status: 'CREATE_COMPLETE', statusReason: '', outputs: {}, createdAt: '', updatedAt: '',
    resources: { r: { type: 'OS::Heat::None', status: 'CREATE_COMPLETE', statusReason: '', physicalId: 'phys-r', attributes: {}, requires: [], deletionPolicy: 'Delete', properties: {}, updatedAt: '' } },
  });

  test('adopt_stack_data (a JSON string, as `stack abandon` returned it) gives the template and the objects to adopt', () => {
    const abandoned = created({ template: TEMPLATE, parameters: { greeting: 'hello' } }).plan;
    const data = abandonData(state(), abandoned);
    const request = createRequest({ stack_name: 'again', adopt_stack_data: JSON.stringify(data), disable_rollback: true });
    expect(request.adopt).toEqual(data);
    const { plan } = planSource(request.source, { stackName: 'again', disableRollback: true, timeoutMinutes: 60 });
    expect(plan.resources.r!.properties).toEqual({ greeting: 'hello' });
    expect(adoptionOf(plan, request.adopt!)).toEqual({ stackId: data.id, adopted: { r: { physicalId: 'phys-r', data: {} } } });
  });

  test.each([
    [{ template: 1 }, /'adopt_stack_data' must be a string of JSON/],
    ['{"id": ', /adopt_stack_data: not JSON/],
    ['{"resources": {}}', /adopt_stack_data: id: the abandoned stack's id is required/],
    ['{"id": "x", "resources": {}}', /Invalid adopt data: 'adopt_stack_data' has no template/],
  ])('%j is refused with 400', (data, message) => {
    const err = refused(() => createRequest({ stack_name: 's', adopt_stack_data: data }));
    expect(err.message).toMatch(message);
    expect(err instanceof ApiError ? err.status : 400).toBe(400);
  });
});

describe('previews', () => {
  test('a create\'s preview: the stack with id "None", no status or outputs, hidden values masked, each resource not made yet', () => {
    const { plan, source } = created({ template: { ...TEMPLATE, resources: { ...TEMPLATE.resources, s: { type: 'OS::Heat::None', depends_on: ['r'] } } }, parameters: { secret: 'x' } });
    const stack = previewStackView('http://h/v1/t', plan, source);
    expect(stack).toMatchObject({
      id: 'None', stack_name: 'demo', description: 'two words', links: [{ href: 'http://h/v1/t/stacks/demo/None', rel: 'self' }],
      parameters: { secret: '******', 'OS::stack_id': 'None', 'OS::stack_name': 'demo' }, timeout_mins: 60, disable_rollback: false,
    });
    expect(Object.keys(stack)).not.toEqual(expect.arrayContaining(['stack_status']));
    expect(stack).not.toHaveProperty('outputs');
    expect(stack.resources).toEqual([
      expect.objectContaining({ resource_name: 'r', resource_type: 'OS::Heat::None', resource_action: 'INIT', resource_status: 'COMPLETE', required_by: ['s'], properties: { greeting: 'hi' } }),
      expect.objectContaining({ resource_name: 's', physical_resource_id: '', required_by: [] }),
    ]);
  });

  const container = (memory: number) => ({ type: 'DockerInc::Docker::Container', properties: { image: 'busybox', memory } });

  test('an update\'s preview sorts stoke\'s plan into Heat\'s resource_changes; what may change counts as replaced', () => {
    const before = created({ template: { heat_template_version: '2016-10-14', resources: {
      keep: { type: 'OS::Heat::None' }, pw: { type: 'OS::Heat::RandomString', properties: { length: 8 } }, grow: container(8000000),
      uses: { type: 'OS::Heat::TestResource', properties: { value: { get_resource: 'pw' } } }, gone: { type: 'OS::Heat::None' },
    } } }).plan;
    const after = created({ template: { heat_template_version: '2016-10-14', resources: {
      keep: { type: 'OS::Heat::None' }, pw: { type: 'OS::Heat::RandomString', properties: { length: 9 } }, grow: container(16000000),
      uses: { type: 'OS::Heat::TestResource', properties: { value: { get_resource: 'pw' } } }, added: { type: 'OS::Heat::None' },
    } } }).plan;
    const resources = Object.fromEntries(Object.entries(before.resources).map(([name, r]): [string, ResourceState] => [name, {
      type: r.type, handler: r.handler, runs: r.runs, status: 'CREATE_COMPLETE', statusReason: 'done', physicalId: `id-${name}`, attributes: {},
      requires: r.requires, deletionPolicy: r.deletionPolicy, properties: name === 'uses' ? { value: 'id-pw' } : r.properties, updatedAt: '',
    }]));
    const state: StackState = { name: 'demo', id: 'x', status: 'CREATE_COMPLETE', statusReason: '', resources, outputs: {}, createdAt: '', updatedAt: '' };
    const changes = resourceChanges(state, after, previewUpdate(state, after));
    const names = Object.fromEntries(Object.entries(changes).map(([change, list]) => [change, list.map((r) => r.resource_name)]));
    expect(names).toEqual({ unchanged: ['keep'], updated: ['grow'], replaced: ['pw', 'uses'], added: ['added'], deleted: ['gone'] });
    expect(changes.deleted[0]).toMatchObject({ physical_resource_id: 'id-gone', resource_action: 'CREATE', resource_status: 'COMPLETE', resource_status_reason: 'done' });
    // Heat shows an updated resource as the stack has it now.
    expect(changes.updated[0]).toMatchObject({ physical_resource_id: 'id-grow', properties: { image: 'busybox', memory: 8000000 } });
    expect(changes.added[0]).toMatchObject({ physical_resource_id: '', resource_action: 'INIT', resource_status: 'COMPLETE' });
  });
});

describe('routes', () => {
  const nowhere = {} as ApiRequest;

  test('a path two areas serve answers 405 with every method either serves', async () => {
    const err = await route(nowhere, 'POST', '/stacks/demo/x').catch((e: unknown) => e as ApiError);
    expect(err).toMatchObject({ status: 405, type: 'HTTPMethodNotAllowed' });
    expect((err as ApiError).headers.Allow!.split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH', 'PUT']);
    const preview = await route(nowhere, 'GET', '/stacks/demo/x/preview').catch((e: unknown) => e as ApiError);
    expect((preview as ApiError).headers.Allow).toBe('PUT, PATCH');
  });
});
