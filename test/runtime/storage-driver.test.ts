/**
 * The storage driver of stoke's own engines: the one a data root already holds images for, so a user's images
 * stay visible after an upgrade; else what the kernel allows, probed without leaving anything behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { storageDriver } from '../../src/runtime/runtime';

const made: string[] = [];

function dataRoot(...driversWithImages: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-data-root-'));
  made.push(dir);
  for (const driver of driversWithImages) fs.mkdirSync(path.join(dir, 'image', driver), { recursive: true });
  return dir;
}

afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

test('a data root that holds vfs images keeps vfs, and one that holds overlay2 images keeps overlay2', () => {
  expect(storageDriver(dataRoot('vfs'))).toBe('vfs');
  expect(storageDriver(dataRoot('overlay2'))).toBe('overlay2');
});

test('a new data root gets a driver after a probe that leaves the folder as it found it', () => {
  const fresh = dataRoot();
  expect(['overlay2', 'vfs']).toContain(storageDriver(fresh));
  expect(fs.readdirSync(fresh)).toEqual([]);
  const missing = path.join(fresh, 'not-yet');
  expect(['overlay2', 'vfs']).toContain(storageDriver(missing));
  expect(fs.readdirSync(missing)).toEqual([]);
});
