/** Reading a stack's events across its actions' runs, each once, and finding one by its id; how the CLI prints them. */
import { parse } from 'yaml';
import { currentRuns, EventReader, findEvent, type ActionRun, type EventSource } from '../../src/client/events';
import { FIELDS, listedColumns, logLine, streamed } from '../../src/cli/event-output';
import { renderList } from '../../src/cli/format';
import type { RecordedEvent } from '../../workflows/definitions';
import { eventPage } from '../../workflows/events';

const run = (runId: string, action: string, minute: number, running = false): ActionRun => ({ runId, action, running, startTime: new Date(Date.UTC(2026, 0, 1, 0, minute)) });

function event(seq: number, resourceName: string, status: RecordedEvent['status']): RecordedEvent {
  return { seq, time: `2026-01-01T00:00:0${seq}.000Z`, resourceName, physicalId: `${resourceName}-id`, resourceType: 'DockerInc::Docker::Container', status, reason: 'state changed' };
}

/** Runs whose events grow as a test records them; pages come from the workflow's own paging, two events at a time. */
function source(runs: ActionRun[], recorded: Record<string, RecordedEvent[]>): EventSource & { queried: string[] } {
  const queried: string[] = [];
  return {
    queried,
    runs: async () => currentRuns(runs),
    page: async (runId, request) => {
      queried.push(runId);
      return eventPage(recorded[runId] ?? [], { ...request, limit: request.limit ?? 2 });
    },
  };
}

test('the stack as it is now: the runs since its newest create, oldest first', () => {
  const runs = [run('d2', 'deleteStack', 5), run('c1', 'createStack', 1), run('c2', 'createStack', 3), run('d1', 'deleteStack', 2), run('u2', 'updateStack', 4)];
  expect(currentRuns(runs).map((r) => r.runId)).toEqual(['c2', 'u2', 'd2']);
  expect(currentRuns([run('s1', 'suspendStack', 1)]).map((r) => r.runId)).toEqual(['s1']);
});

test('every event once, in order across runs and pages, with ids of the run and the place in it', async () => {
  const runs = [run('create', 'createStack', 1), run('delete', 'deleteStack', 2, true)];
  const recorded = {
    create: [event(1, 's', 'CREATE_IN_PROGRESS'), event(2, 'db', 'CREATE_IN_PROGRESS'), event(3, 'db', 'CREATE_COMPLETE'), event(4, 's', 'CREATE_COMPLETE')],
    delete: [event(1, 's', 'DELETE_IN_PROGRESS')],
  };
  const from = source(runs, recorded);
  const reader = new EventReader(from);
  const first = await reader.next();
  expect(first.running).toBe(true);
  expect(first.events.map((e) => `${e.id} ${e.resource_name} ${e.resource_status}`)).toEqual([
    'create:1 s CREATE_IN_PROGRESS', 'create:2 db CREATE_IN_PROGRESS', 'create:3 db CREATE_COMPLETE', 'create:4 s CREATE_COMPLETE', 'delete:1 s DELETE_IN_PROGRESS',
  ]);
  expect(first.events[2]).toEqual({
    id: 'create:3', event_time: '2026-01-01T00:00:03.000Z', resource_name: 'db', physical_resource_id: 'db-id',
    resource_type: 'DockerInc::Docker::Container', resource_status: 'CREATE_COMPLETE', resource_status_reason: 'state changed',
  });

  recorded.delete.push(event(2, 'db', 'DELETE_IN_PROGRESS'), event(3, 'db', 'DELETE_COMPLETE'));
  runs[1] = { ...runs[1]!, running: false };
  from.queried.length = 0;
  const second = await reader.next();
  expect(second).toEqual({ running: false, events: [expect.objectContaining({ id: 'delete:2' }), expect.objectContaining({ id: 'delete:3' })] });
  // The create had ended when it was read: it is not asked again.
  expect(from.queried).toEqual(['delete']);
  expect((await reader.next()).events).toEqual([]);

  const db = await new EventReader(source(runs, recorded), 'db').next();
  expect(db.events.map((e) => e.id)).toEqual(['create:2', 'create:3', 'delete:2', 'delete:3']);
});

test('an event by its id: only of the resource named, only of the stack as it is now', async () => {
  const runs = [run('old', 'createStack', 1), run('new', 'createStack', 2)];
  const from = source(runs, { old: [event(1, 'db', 'CREATE_IN_PROGRESS')], new: [event(1, 's', 'CREATE_IN_PROGRESS'), event(2, 'db', 'CREATE_IN_PROGRESS')] });
  await expect(findEvent(from, 's', 'db', 'new:2')).resolves.toMatchObject({ id: 'new:2', resource_name: 'db' });
  await expect(findEvent(from, 's', 's', 'new:1')).resolves.toMatchObject({ id: 'new:1', resource_name: 's' });
  for (const [resource, id] of [['app', 'new:2'], ['db', 'new:1'], ['db', 'new:3'], ['db', 'old:1'], ['db', 'new'], ['db', 'new:0'], ['db', ':2']]) {
    await expect(findEvent(from, 's', resource!, id!)).rejects.toMatchObject({
      code: 'EventNotFound', message: `stack 's' has no event '${id}' of resource '${resource}' (see \`stoke stack event list s --resource ${resource}\`)`,
    });
  }
});

test('printed as the openstack client prints them: table columns, log lines to follow, JSON lines and one YAML sequence', async () => {
  const { events } = await new EventReader(source([run('r', 'createStack', 1)], { r: [event(1, 's', 'CREATE_IN_PROGRESS'), event(2, 'db', 'CREATE_COMPLETE')] })).next();
  const listed = (format: string) => renderList({ format, column: listedColumns({ format, column: [] }) }, FIELDS, events.map((e) => FIELDS.map((f) => e[f])));
  expect((await listed('value')).split('\n')).toEqual([
    'r:1 2026-01-01T00:00:01.000Z s s-id DockerInc::Docker::Container CREATE_IN_PROGRESS state changed',
    'r:2 2026-01-01T00:00:02.000Z db db-id DockerInc::Docker::Container CREATE_COMPLETE state changed',
  ]);
  expect((await listed('table')).split('\n')[0]).toMatch(/^event_time +resource_name +id +resource_status +resource_status_reason$/);
  expect(JSON.parse(await listed('json'))).toEqual(events);
  expect(logLine(events[1]!)).toBe('2026-01-01T00:00:02.000Z [db]: CREATE_COMPLETE  state changed');
  expect(logLine({ ...events[1]!, resource_status_reason: '' })).toBe('2026-01-01T00:00:02.000Z [db]: CREATE_COMPLETE');
  expect(streamed('json', events).map((line) => JSON.parse(line))).toEqual(events);
  expect(parse(streamed('yaml', events).join('\n'))).toEqual(events);
});
