/**
 * The order jest runs test files in. Jest's own order depends on its cache (durations of earlier runs),
 * so a fresh clone runs files in another order than a developer's machine; STOKE_TEST_ORDER makes the
 * order chosen and repeatable, to show that no file depends on another having run first:
 * `name` (by path), `reverse` (by path, backwards), `shuffle:SEED` (a permutation fixed by SEED).
 */
const Sequencer = require('@jest/test-sequencer').default;

/** mulberry32: a small seeded generator, so a shuffle seen failing can be run again. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class StokeSequencer extends Sequencer {
  sort(tests) {
    const order = process.env.STOKE_TEST_ORDER;
    if (!order) return super.sort(tests);
    const byName = [...tests].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (order === 'name') return byName;
    if (order === 'reverse') return byName.reverse();
    const seed = /^shuffle:(\d+)$/.exec(order)?.[1];
    if (seed === undefined) throw new Error(`STOKE_TEST_ORDER=${order}: expected name, reverse or shuffle:SEED (SEED a whole number)`);
    const next = random(Number(seed));
    for (let i = byName.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [byName[i], byName[j]] = [byName[j], byName[i]];
    }
    return byName;
  }
}

module.exports = StokeSequencer;
