/** `stack resource show`'s view of one resource, from a stack's state. */
import { resourceDetail } from '../../src/cli/resource-detail';
import type { ResourceState, StackState } from '../../src/template/types';

const resource = (requires: string[], extra: Partial<ResourceState> = {}): ResourceState => ({
  type: 'DockerInc::Docker::Container', status: 'CREATE_COMPLETE', statusReason: 'state changed', physicalId: 'abc', attributes: {},
  requires, deletionPolicy: 'Delete', properties: {}, updatedAt: '2026-01-01T00:00:00.000Z', ...extra,
});
const state = {
  name: 'demo', id: 'id', status: 'CREATE_COMPLETE', statusReason: '', outputs: {}, createdAt: '', updatedAt: '',
  resources: { db: resource([], { attributes: { network_ip: '172.17.0.2' }, properties: { env: ['P=******'] } }), app: resource(['db']), web: resource(['db', 'app']) },
} as unknown as StackState;

test('what a resource requires and, read off the others, what requires it', () => {
  expect(resourceDetail(state, 'db')).toEqual({
    resource_name: 'db', resource_type: 'DockerInc::Docker::Container', resource_status: 'CREATE_COMPLETE', resource_status_reason: 'state changed',
    physical_resource_id: 'abc', updated_time: '2026-01-01T00:00:00.000Z', depends_on: [], required_by: ['app', 'web'],
    attributes: { network_ip: '172.17.0.2' }, properties: { env: ['P=******'] },
  });
  expect(resourceDetail(state, 'web')).toMatchObject({ depends_on: ['app', 'db'], required_by: [] });
});

test('a resource the stack lacks names it and lists those it has', () => {
  expect(() => resourceDetail(state, 'cache')).toThrow("stack 'demo' has no resource 'cache' (it has: app, db, web)");
});
