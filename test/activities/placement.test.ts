import { leastLoaded, mayPlaceOn } from '../../activities/docker';

test('a stack goes to the engine with the fewest of stoke\'s containers, the first on a tie, never to one that did not answer', () => {
  const engines = ['unix:///a.sock', 'tcp://127.0.0.1:7434', 'tcp://127.0.0.1:7435'];
  expect(leastLoaded(engines, [12, 3, 7])).toBe('tcp://127.0.0.1:7434');
  expect(leastLoaded(engines, [3, 3, 7])).toBe('unix:///a.sock');
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
