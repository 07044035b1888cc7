/** The stackEvents query's pages: after a marker, bounded in count and in size, one resource's alone. */
import type { RecordedEvent } from '../../workflows/definitions';
import { eventPage } from '../../workflows/events';

function recorded(count: number, reason = 'state changed'): RecordedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1, time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`, resourceName: i % 2 ? 'app' : 'db',
    physicalId: '', resourceType: 'DockerInc::Docker::Container', status: 'CREATE_IN_PROGRESS', reason,
  }));
}

test('a page starts right after the marker and says whether more follow', () => {
  const all = recorded(5);
  expect(eventPage(all)).toEqual({ events: all, more: false });
  expect(eventPage(all, { after: 2 }).events.map((e) => e.seq)).toEqual([3, 4, 5]);
  expect(eventPage(all, { after: 2, limit: 2 })).toEqual({ events: all.slice(2, 4), more: true });
  expect(eventPage(all, { after: 3, limit: 2 })).toEqual({ events: all.slice(3, 5), more: false });
  expect(eventPage(all, { after: 5 })).toEqual({ events: [], more: false });
});

test('one resource\'s events alone', () => {
  expect(eventPage(recorded(6), { resource: 'app' }).events.map((e) => e.seq)).toEqual([2, 4, 6]);
  expect(eventPage(recorded(6), { resource: 'app', after: 2, limit: 1 })).toEqual({ events: [expect.objectContaining({ seq: 4 })], more: true });
});

test('no page holds more than 500 events, or much more than a quarter of a megabyte, whatever is asked', () => {
  const many = eventPage(recorded(2000), { limit: 100_000 });
  expect(many.events).toHaveLength(500);
  expect(many.more).toBe(true);
  const long = eventPage(recorded(100, 'x'.repeat(50_000)), { limit: 500 });
  expect(long.more).toBe(true);
  expect(JSON.stringify(long).length).toBeLessThan(300 * 1024);
  // An event larger than a page still makes a page of its own: reading never stalls.
  expect(eventPage(recorded(2, 'x'.repeat(1024 * 1024)), { after: 1 }).events).toHaveLength(1);
});
