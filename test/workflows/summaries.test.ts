/** The summaries the Temporal UI shows for stoke's actions and activities. */
import { actionSummary } from '../../workflows/definitions';
import { activitySummary } from '../../workflows/profiles';

test('an activity on a resource is named by what it does, the type and the resource', () => {
  const req = { stack: 'web', resource: 'db', type: 'DockerInc::Docker::Container' };
  expect(activitySummary('createResource', req)).toBe('create DockerInc::Docker::Container db');
  expect(activitySummary('suspendResource', req)).toBe('suspend DockerInc::Docker::Container db');
  expect(activitySummary('checkResource', req)).toBe('check DockerInc::Docker::Container db');
  expect(activitySummary('planNestedStack', { ...req, type: 'OS::Heat::Stack', childName: 'web-db-1a2b' })).toBe('plan OS::Heat::Stack db as stack web-db-1a2b');
  expect(activitySummary('nestedStackState', { name: 'web-db-1a2b' })).toBe('read nested stack web-db-1a2b');
});

test('an input that names no resource gets no summary, rather than a wrong one', () => {
  expect(activitySummary('createResource', { stack: 'web' })).toBeUndefined();
  expect(activitySummary('createResource', undefined)).toBeUndefined();
  expect(activitySummary('somethingElse', { resource: 'db', type: 'OS::Heat::None' })).toBeUndefined();
});

test('an action is named by its verb and the stack', () => {
  expect(actionSummary('createStack', 'web')).toBe('create stack web');
  expect(actionSummary('updateStack', 'web')).toBe('update stack web');
  expect(actionSummary('markResourceUnhealthy', 'web')).toBe('mark a resource unhealthy in stack web');
  expect(actionSummary('signalResource', 'web')).toBe('signal a resource of stack web');
});
