import { leastLoaded, mayPlaceOn, RecentPlacements } from '../../activities/docker';

test('a stack goes to the engine with the fewest of stoke\'s containers, never to one that did not answer', () => {
  const engines = ['unix:///a.sock', 'tcp://127.0.0.1:7434', 'tcp://127.0.0.1:7435'];
  expect(leastLoaded(engines, [12, 3, 7])).toBe('tcp://127.0.0.1:7434');
  expect(leastLoaded(engines, [3, 3, 7], 'any')).not.toBe('tcp://127.0.0.1:7435');
  expect(leastLoaded(engines, [undefined, 9, undefined])).toBe('tcp://127.0.0.1:7434');
  expect(leastLoaded(engines, [undefined, undefined, undefined])).toBeUndefined();
});

test('a pinned engine must be the worker\'s own, one of its engines or one the operator allowed, however it is spelled', () => {
  const own = 'unix:///run/docker.sock';
  expect(mayPlaceOn('unix:///run/docker.sock', own, [], {})).toBe(true);
  expect(mayPlaceOn('tcp://127.0.0.1:7434', own, ['tcp://127.0.0.1:7434'], {})).toBe(true);
  expect(mayPlaceOn('tcp://localhost:7434', own, [], { allowed: ['tcp://localhost:7434'] })).toBe(true);
  expect(mayPlaceOn('tcp://127.0.0.1:7999', own, ['tcp://127.0.0.1:7434'], { allowed: ['tcp://127.0.0.1:7435'] })).toBe(false);
});

test('stacks that read the same loads at once spread over the tied engines by name, each name always to the same one', () => {
  const engines = ['unix:///a.sock', 'tcp://127.0.0.1:7434'];
  const chosen = Array.from({ length: 200 }, (_, i) => leastLoaded(engines, [0, 0], `p4c-1234-two-${i}`));
  const onFirst = chosen.filter((e) => e === engines[0]).length;
  expect(onFirst).toBeGreaterThan(60);
  expect(onFirst).toBeLessThan(140);
  expect(leastLoaded(engines, [0, 0], 'web')).toBe(leastLoaded(engines, [0, 0], 'web'));
});

test('what this worker placed in the last minute counts as load until the window passes', () => {
  let now = 0;
  const recent = new RecentPlacements(60_000, () => now);
  recent.add('tcp://127.0.0.1:7434', 3);
  recent.add(' tcp://127.0.0.1:7434', 2);
  expect(recent.load('tcp://127.0.0.1:7434')).toBe(5);
  expect(recent.load('unix:///a.sock')).toBe(0);
  now = 61_000;
  expect(recent.load('tcp://127.0.0.1:7434')).toBe(0);
});
