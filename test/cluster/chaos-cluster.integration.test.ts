/**
 * The short version of `npm run chaos -- R9` (bench/chaos-cluster.js), on a cluster of its own: three stacks of
 * ten containers over two engines while one of two workers is SIGKILLed and not restarted, and one create each
 * through a restart of the Temporal server, of PostgreSQL and of the second engine. Every stack must complete
 * (or roll back leaving nothing), with no container leaked or duplicated on either engine.
 */
type SummaryRow = [id: string, fault: string, runs: number, completed: number, leaked: number, duplicated: number];
// bench/ is plain JavaScript that `npm run chaos` runs without a build step of its own.
const { runChaos } = require('../../bench/chaos') as {
  runChaos(options: { runs: number; restarts: number; scenarios: string[]; say: (line: string) => void }): Promise<SummaryRow[]>;
};

test('R9a–d: every stack completes through each fault of the cluster, nothing leaked or duplicated', async () => {
  const log: string[] = [];
  const rows = await runChaos({ runs: 3, restarts: 1, scenarios: ['R9'], say: (line) => log.push(line) });
  const expected = [['R9a', 3], ['R9b', 1], ['R9c', 1], ['R9d', 1]].map(([id, runs]) => [id, expect.any(String), runs, runs, 0, 0]);
  const clean = rows.every((row) => row[3] === row[2] && row[4] === 0 && row[5] === 0);
  expect({ rows, log: clean ? [] : log }).toEqual({ rows: expected, log: [] });
}, 900_000);
