/**
 * The short version of `npm run chaos` (bench/chaos.js): two worker SIGKILLs (one mid-create, one
 * mid-delete), one restart of a Temporal dev server of the test's own and two restarts of a dockerd of
 * its own, each in the middle of a 10-container create, two worker SIGKILLs in a 10-container update, and two
 * while the nested stacks of a 10-container, three-level create are created.
 * Every stack must finish with no container leaked or duplicated, and an update's unchanged containers kept.
 */
type SummaryRow = [id: string, fault: string, runs: number, completed: number, leaked: number, duplicated: number];
// bench/ is plain JavaScript that `npm run chaos` runs without a build step of its own.
const { runChaos } = require('../../bench/chaos') as {
  runChaos(options: { runs: number; restarts: number; scenarios: string[]; say: (line: string) => void }): Promise<SummaryRow[]>;
};

const log: string[] = [];
const say = (line: string) => log.push(line);

test.each([
  ['R1', 2],
  ['R2', 1],
  ['R3', 2],
  ['R4', 2],
  ['R6', 2],
])('%s: every stack completes, nothing leaked or duplicated', async (scenario, runs) => {
  const [row] = await runChaos({ runs, restarts: runs, scenarios: [scenario], say });
  expect({ row, log: row![3] === row![2] && row![4] === 0 && row![5] === 0 ? [] : log }).toEqual({ row: [scenario, expect.any(String), runs, runs, 0, 0], log: [] });
}, 300_000);
