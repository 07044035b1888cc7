/** The sizes a scaling policy gives, as Heat's: pure, checked without an engine. */
import { groupSize, OS_SIZES } from '../../src/resources/stacks/scaling';
import { scaledSize } from '../../workflows/signal-resource';

const policy = (kind: 'change' | 'exact' | 'percent', adjustment: number, minStep = 0) => ({ group: 'g', kind, adjustment, cooldown: 0, minStep } as const);

test('change, exact and percent adjustments stay within min and max', () => {
  expect(scaledSize(2, policy('change', 1), 1, 3)).toBe(3);
  expect(scaledSize(3, policy('change', 1), 1, 3)).toBe(3);
  expect(scaledSize(1, policy('change', -5), 1, 3)).toBe(1);
  expect(scaledSize(2, policy('exact', 7), 0, 5)).toBe(5);
  expect(scaledSize(2, policy('exact', 0), 0, 5)).toBe(0);
});

test('a percent change moves one member at least, and min_adjustment_step more', () => {
  expect(scaledSize(4, policy('percent', 10), 0, 10)).toBe(5);
  expect(scaledSize(4, policy('percent', -10), 0, 10)).toBe(3);
  expect(scaledSize(10, policy('percent', 25), 0, 20)).toBe(12);
  expect(scaledSize(10, policy('percent', 25, 4), 0, 20)).toBe(14);
  expect(scaledSize(10, policy('percent', -25, 4), 0, 20)).toBe(6);
});

test('a group has its desired capacity, else the members it has, else its minimum; within min and max', () => {
  expect(groupSize({ min_size: 1, max_size: 3 }, undefined, OS_SIZES)).toBe(1);
  expect(groupSize({ min_size: 1, max_size: 3 }, 2, OS_SIZES)).toBe(2);
  expect(groupSize({ min_size: 1, max_size: 3, desired_capacity: 3 }, 2, OS_SIZES)).toBe(3);
  expect(groupSize({ min_size: 1, max_size: 3, desired_capacity: 9 }, 2, OS_SIZES)).toBe(3);
  expect(groupSize({ min_size: 2, max_size: 3 }, 0, OS_SIZES)).toBe(2);
});
