/** How a stack's resources and events become Heat's JSON, and how Heat's queries and bodies for them are read. */
import { eventPage, eventView, extractInt, markRequest, resourceListing, resourceView } from '../../src/api/resource-views';
import { ApiError } from '../../src/api/faults';
import type { StackEvent } from '../../src/client/events';
import type { ResourceState, StackState } from '../../src/template/types';

const BASE = 'http://h:1/v1/t';
const C = `${BASE}/stacks/web/ID-1`;

function resource(type: string, status: ResourceState['status'], more: Partial<ResourceState> = {}): ResourceState {
  return { type, status, statusReason: 'state changed', physicalId: `phys-${type}`, attributes: {}, requires: [], deletionPolicy: 'Delete', properties: {}, updatedAt: '2026-01-02T03:04:05.678Z', ...more };
}

const STATE: StackState = {
  name: 'web', id: 'ID-1', status: 'CREATE_COMPLETE', statusReason: 'done', createdAt: '2026-01-02T03:00:00.000Z', outputs: {},
  resources: {
    handle: resource('OS::Heat::WaitConditionHandle', 'CREATE_COMPLETE'),
    wait: resource('OS::Heat::WaitCondition', 'CREATE_COMPLETE', { requires: ['handle'], attributes: { data: '{}' } }),
    box: resource('DockerInc::Docker::Container', 'CHECK_FAILED', { requires: ['handle'], physicalId: 'abc' }),
  },
};

function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('accepted');
}

describe('resource view', () => {
  test('Heat\'s keys: joined status, both names, who requires it, links to itself and its stack; no detail unless asked', () => {
    expect(resourceView(BASE, STATE, 'handle')).toEqual({
      resource_name: 'handle', logical_resource_id: 'handle', physical_resource_id: 'phys-OS::Heat::WaitConditionHandle',
      resource_type: 'OS::Heat::WaitConditionHandle', resource_status: 'CREATE_COMPLETE', resource_status_reason: 'state changed',
      creation_time: '2026-01-02T03:04:05Z', updated_time: '2026-01-02T03:04:05Z', required_by: ['box', 'wait'],
      links: [{ href: `${C}/resources/handle`, rel: 'self' }, { href: C, rel: 'stack' }],
    });
  });

  test('detail adds the description and attributes, with_attr names it does not hold as null', () => {
    const view = resourceView(BASE, STATE, 'wait', { description: 'waits', withAttr: ['data', 'other'] });
    expect(view).toMatchObject({ description: 'waits', attributes: { data: '{}', other: null } });
  });
});

describe('resource list query', () => {
  const names = (query: string) => resourceListing(new URLSearchParams(query)).names(STATE);

  test('filters: type by part, status and action as the halves of the joined status, any of repeated values', () => {
    expect(names('')).toEqual(['box', 'handle', 'wait']);
    expect(names('type=WaitCondition')).toEqual(['handle', 'wait']);
    expect(names('status=FAILED')).toEqual(['box']);
    expect(names('action=CREATE&status=COMPLETE')).toEqual(['handle', 'wait']);
    expect(names('name=box&name=wait')).toEqual(['box', 'wait']);
    expect(names('physical_resource_id=abc')).toEqual(['box']);
    expect(names('id=1')).toEqual([]);
    expect(names('status=CREATE_COMPLETE')).toEqual([]);
  });

  test('with_detail and nested_depth are read as Heat reads them; any other key is refused', () => {
    expect(resourceListing(new URLSearchParams('with_detail=True&nested_depth=2')).withDetail).toBe(true);
    expect(resourceListing(new URLSearchParams('with_detail=false')).withDetail).toBe(false);
    const unknown = refusal(() => resourceListing(new URLSearchParams('sort=name&type=x&colour=red')));
    expect({ status: unknown.status, type: unknown.type, message: unknown.message }).toEqual({ status: 400, type: 'HTTPBadRequest', message: 'Invalid filter parameters [\'sort\', \'colour\']' });
    expect(refusal(() => resourceListing(new URLSearchParams('with_detail=yes'))).message).toBe('Unrecognized value "yes" for "with_detail", acceptable values are: true, false.');
    expect(refusal(() => resourceListing(new URLSearchParams('nested_depth=two'))).message).toBe('Only integer is acceptable by \'nested_depth\'.');
  });
});

describe('mark unhealthy body', () => {
  test('mark_unhealthy as a bool or its text, the reason optional', () => {
    expect(markRequest({ mark_unhealthy: true, resource_status_reason: 'broken' })).toEqual({ healthy: false, reason: 'broken' });
    expect(markRequest({ mark_unhealthy: 'False' })).toEqual({ healthy: true, reason: '' });
  });

  test('other keys, no mark_unhealthy, or a value that is no bool: 400 as Heat', () => {
    expect(refusal(() => markRequest({ mark_unhealthy: true, colour: 'red' }))).toMatchObject({ status: 400, type: 'HTTPBadRequest', message: 'Invalid keys in resource mark unhealthy {\'colour\'}' });
    expect(refusal(() => markRequest({ resource_status_reason: 'x' }))).toMatchObject({ status: 400, message: 'Missing mandatory (mark_unhealthy) key from mark unhealthy request' });
    expect(refusal(() => markRequest({ mark_unhealthy: 'maybe' }))).toMatchObject({ status: 400, message: 'Unrecognized value "maybe" for "mark_unhealthy", acceptable values are: true, false.' });
  });
});

const event = (id: string, time: string, name: string, type: string, status: string): StackEvent => ({
  id, event_time: time, resource_name: name, physical_resource_id: `p-${name}`, resource_type: type, resource_status: status, resource_status_reason: 'r',
});

/** Oldest first, as the client reads them; two share a time. */
const EVENTS = [
  event('run:1', '2026-01-01T00:00:01.000Z', 'web', 'OS::Heat::Stack', 'CREATE_IN_PROGRESS'),
  event('run:2', '2026-01-01T00:00:02.000Z', 'box', 'DockerInc::Docker::Container', 'CREATE_IN_PROGRESS'),
  event('run:3', '2026-01-01T00:00:02.000Z', 'handle', 'OS::Heat::WaitConditionHandle', 'CREATE_COMPLETE'),
  event('run:4', '2026-01-01T00:00:03.000Z', 'box', 'DockerInc::Docker::Container', 'CREATE_COMPLETE'),
  event('run:5', '2026-01-01T00:00:04.000Z', 'web', 'OS::Heat::Stack', 'CREATE_COMPLETE'),
];

describe('event page', () => {
  const ids = (query: string) => eventPage(EVENTS, new URLSearchParams(query)).map((e) => e.id);

  test('newest first by default, ascending with sort_dir=asc, ties in recording order', () => {
    expect(ids('')).toEqual(['run:5', 'run:4', 'run:3', 'run:2', 'run:1']);
    expect(ids('sort_dir=asc')).toEqual(['run:1', 'run:2', 'run:3', 'run:4', 'run:5']);
  });

  test('sort keys: ascending unless told, unknown keys dropped', () => {
    expect(ids('sort_keys=resource_type')).toEqual(['run:2', 'run:4', 'run:1', 'run:5', 'run:3']);
    expect(ids('sort_keys=resource_type&sort_dir=desc')).toEqual(['run:3', 'run:5', 'run:1', 'run:4', 'run:2']);
    expect(ids('sort_keys=colour&sort_dir=asc')).toEqual(['run:1', 'run:2', 'run:3', 'run:4', 'run:5']);
  });

  test('marker and limit page through, as heatclient polls with them; an unknown marker starts at the beginning', () => {
    expect(ids('sort_dir=asc&marker=run:2&limit=2')).toEqual(['run:3', 'run:4']);
    expect(ids('sort_dir=asc&marker=run:5')).toEqual([]);
    expect(ids('sort_dir=desc&limit=1')).toEqual(['run:5']);
    expect(ids('sort_dir=asc&marker=nothing&limit=1')).toEqual(['run:1']);
  });

  test('filters on the halves of the status, the name and the type, any of repeated values', () => {
    expect(ids('sort_dir=asc&resource_status=COMPLETE&resource_name=box&resource_name=web')).toEqual(['run:4', 'run:5']);
    expect(ids('sort_dir=asc&resource_action=CREATE&resource_type=OS::Heat::Stack')).toEqual(['run:1', 'run:5']);
  });

  test('limit and sort_dir that Heat refuses: 400', () => {
    expect(refusal(() => extractInt('limit', '-1'))).toMatchObject({ status: 400, message: 'Only non-negative integer is acceptable by \'limit\'.' });
    expect(refusal(() => eventPage(EVENTS, new URLSearchParams('limit=x')))).toMatchObject({ status: 400, message: 'Only integer is acceptable by \'limit\'.' });
    expect(refusal(() => eventPage(EVENTS, new URLSearchParams('sort_dir=up')))).toMatchObject({ status: 400, type: 'HTTPBadRequest' });
  });
});

describe('event view', () => {
  test('a summary has Heat\'s keys and links; the detail adds the type and properties', () => {
    const summary = eventView(BASE, STATE, EVENTS[3]!);
    expect(summary).toEqual({
      id: 'run:4',
      links: [{ href: `${C}/resources/box/events/run%3A4`, rel: 'self' }, { href: `${C}/resources/box`, rel: 'resource' }, { href: C, rel: 'stack' }],
      event_time: '2026-01-01T00:00:03Z', resource_name: 'box', logical_resource_id: 'box',
      resource_status: 'CREATE_COMPLETE', resource_status_reason: 'r', physical_resource_id: 'p-box',
    });
    expect(eventView(BASE, STATE, EVENTS[3]!, { image: 'busybox' })).toEqual({ ...summary, resource_type: 'DockerInc::Docker::Container', resource_properties: { image: 'busybox' } });
  });
});
