/** The API's one token: from configuration, else generated once into the state folder as the signal key is. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StokeConfig } from '../config';

export function loadApiToken(config: StokeConfig): string {
  if (config.apiToken) return config.apiToken;
  const file = path.join(config.stateDir, 'api.token');
  fs.mkdirSync(config.stateDir, { recursive: true });
  try {
    // 'wx': of two processes starting together, one creates the token and both read that one.
    fs.writeFileSync(file, crypto.randomBytes(24).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** Compared in constant time, so the answer's timing tells nothing of the token. */
export function tokenAccepted(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = crypto.createHash('sha256').update(expected).digest();
  const b = crypto.createHash('sha256').update(given).digest();
  return crypto.timingSafeEqual(a, b);
}
