/** The API's one token: from configuration, else generated once into the state folder as the signal key is. */
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import { stateSecret, type StokeConfig } from '../config';
import { StokeError } from '../errors';

export function loadApiToken(config: StokeConfig): string {
  if (config.apiToken) return config.apiToken;
  return stateSecret(config, 'api.token', () => crypto.randomBytes(24).toString('base64url'));
}

/** Compared in constant time, so the answer's timing tells nothing of the token. */
export function tokenAccepted(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = crypto.createHash('sha256').update(expected).digest();
  const b = crypto.createHash('sha256').update(given).digest();
  return crypto.timingSafeEqual(a, b);
}

/** The token requests must carry, or undefined when STOKE_API_AUTH=none lets every request in. */
export function apiTokenOf(config: StokeConfig): string | undefined {
  if (config.apiAuth === 'none') {
    const host = apiHost(config);
    if (!isLoopback(host)) {
      throw new StokeError('ApiAuthRefused', `STOKE_API_AUTH=none lets in anyone who reaches the API: refused on ${host}, which is not a loopback address (bind it to 127.0.0.1, or keep the token)`);
    }
    return undefined;
  }
  if (config.apiAuth !== 'token') throw new StokeError('ApiAuthInvalid', `STOKE_API_AUTH must be 'token' or 'none', got '${config.apiAuth}'`);
  return loadApiToken(config);
}

/** Where the API listens: loopback unless the bind names a host. */
export const apiHost = (config: StokeConfig): string => config.apiBind.host ?? '127.0.0.1';

/** Whether only this machine reaches `host`. */
function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1' || /^::ffff:127\./i.test(host);
}
