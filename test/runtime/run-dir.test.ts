/**
 * The run folder (the workflow bundle the worker runs, the local engine's socket) has a predictable name
 * in the shared temporary folder: it is made private, and one that is not ours is refused. Daemon logs,
 * which hold container output, are private too.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, type StokeConfig } from '../../src/config';
import { ensureRunDir, startDaemon } from '../../src/runtime/runtime';

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const made: string[] = [];

function config(): StokeConfig {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-home-'));
  const loaded = loadConfig({ STOKE_HOME: home });
  made.push(home, loaded.runDir);
  return loaded;
}

afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

test('the run folder is created private, and an open one of ours is made private', () => {
  const c = config();
  expect(ensureRunDir(c)).toBe(c.runDir);
  expect(mode(c.runDir)).toBe(0o700);
  fs.chmodSync(c.runDir, 0o755);
  ensureRunDir(c);
  expect(mode(c.runDir)).toBe(0o700);
});

test('a run folder that is a symbolic link is refused, and left alone', () => {
  const c = config();
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-elsewhere-'));
  made.push(elsewhere);
  fs.chmodSync(elsewhere, 0o755);
  fs.symlinkSync(elsewhere, c.runDir);
  expect(() => ensureRunDir(c)).toThrow(`the run folder ${c.runDir} is a symbolic link: remove it`);
  expect(mode(elsewhere)).toBe(0o755);
});

test('a run folder that belongs to another user is refused', () => {
  const c = config();
  const uid = process.getuid!();
  // As root a folder is handed to nobody; any other user finds one of root's.
  const foreign = uid === 0 ? c.runDir : '/';
  if (uid === 0) {
    fs.mkdirSync(foreign, { mode: 0o777 });
    fs.chownSync(foreign, 65534, 65534);
  }
  const owner = fs.statSync(foreign).uid;
  expect(() => ensureRunDir({ ...c, runDir: foreign })).toThrow(`the run folder ${foreign} belongs to user ${owner}, not to this user (${uid})`);
  expect(fs.statSync(foreign).uid).toBe(owner);
});

test('daemon logs are written private, an existing open one too', () => {
  const c = config();
  fs.mkdirSync(c.stateDir, { recursive: true });
  const log = path.join(c.stateDir, 'worker.log');
  fs.writeFileSync(log, 'earlier run\n', { mode: 0o644 });
  startDaemon(c, 'worker', process.execPath, ['-e', 'console.log("container output")']);
  expect(mode(log)).toBe(0o600);
  startDaemon(c, 'registry', process.execPath, ['-e', '']);
  expect(mode(path.join(c.stateDir, 'registry.log'))).toBe(0o600);
});
