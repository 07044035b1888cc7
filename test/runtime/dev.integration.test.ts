/**
 * `stoke dev` that fails part-way stops what it had started: here a Temporal dev server of its own (its
 * own state folder and port), when no engine answers at the DOCKER_HOST it was given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { temporalBinary } from '../../src/runtime/runtime';
import { freePort, stokeWith, tempDir } from '../helpers';

/** Running, as opposed to gone or a zombie that no parent has reaped yet. */
function running(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
}

test('stoke dev with a DOCKER_HOST that does not answer exits non-zero and stops the Temporal dev server it started', async () => {
  const home = tempDir('stoke-dev');
  // The binary the project already has, so the fresh state folder does not install its own.
  const binary = temporalBinary(loadConfig(), console.log);
  const dead = `unix://${path.join(home, 'no-docker.sock')}`;
  const result = stokeWith({
    ...process.env, STOKE_HOME: home, STOKE_DEV_PORT: String(await freePort()), TEMPORAL_ADDRESS: '', DOCKER_HOST: dead,
    PATH: `${path.dirname(binary)}${path.delimiter}${process.env.PATH}`,
  }, 'dev');
  expect(result.stderr).toContain('starting the Temporal dev server');
  expect(result.stderr).toContain(`ERROR: no Docker engine answers at DOCKER_HOST=${dead}`);
  expect(result.status).toBe(1);
  const pid = Number(fs.readFileSync(path.join(home, 'temporal.pid'), 'utf8'));
  expect(pid).toBeGreaterThan(0);
  expect(running(pid)).toBe(false);
});
