/**
 * Wait condition handle credentials. A handle's token is an HMAC of its identity under a key kept in
 * the state folder, so any gateway sharing that key checks a token on its own, with no worker and no
 * lookup, and a leaked token opens one handle of one stack only.
 */
import * as crypto from 'node:crypto';
import Docker from 'dockerode';
import { stateSecret, type StokeConfig } from '../config';
import { StokeError } from '../errors';
import { dockerOptions } from '../runtime/docker-endpoint';

/**
 * The path every handle's signal URL has: /v1/signal/STACK/STACK_ID/HANDLE, and /COPY for a copy of the
 * handle an update made in place of another, so that the credentials the old copy handed out do not count.
 */
export const SIGNAL_PATH = /^\/v1\/signal\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/;

/** The key tokens are derived from: STOKE_SIGNAL_KEY, else a random one made once in the state folder. */
export function loadSignalKey(config: StokeConfig, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.STOKE_SIGNAL_KEY) return Buffer.from(env.STOKE_SIGNAL_KEY, 'utf8');
  return Buffer.from(stateSecret(config, 'signal.key', () => crypto.randomBytes(32).toString('hex')), 'utf8');
}

export function handleToken(key: Buffer, stack: string, stackId: string, handle: string, copy?: string): string {
  return crypto.createHmac('sha256', key).update(`${stack}\n${stackId}\n${handle}${copy ? `\n${copy}` : ''}`).digest('base64url');
}

export function tokenMatches(key: Buffer, stack: string, stackId: string, handle: string, copy: string | undefined, token: string): boolean {
  const expected = Buffer.from(handleToken(key, stack, stackId, handle, copy));
  const given = Buffer.from(token);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** A scaling policy's URL: POST scales its group (a resource signal, Heat's). */
export const SCALE_PATH = /^\/v1\/scale\/([^/]+)\/([^/]+)\/([^/]+)$/;

export function scaleEndpoint(baseUrl: string, stack: string, stackId: string, policy: string): string {
  return `${baseUrl}/v1/scale/${encodeURIComponent(stack)}/${encodeURIComponent(stackId)}/${encodeURIComponent(policy)}`;
}

export function signalEndpoint(baseUrl: string, stack: string, stackId: string, handle: string, copy?: string): string {
  return `${baseUrl}/v1/signal/${encodeURIComponent(stack)}/${encodeURIComponent(stackId)}/${encodeURIComponent(handle)}${copy ? `/${encodeURIComponent(copy)}` : ''}`;
}

/**
 * A gateway's answer to a health challenge: shows that it holds the key without giving out anything a
 * token could be made from (challenges hold no newline, every token's input does).
 */
export function healthProof(key: Buffer, challenge: string): string {
  return crypto.createHmac('sha256', key).update(`stoke-gateway-health:${challenge}`).digest('base64url');
}

/** What a health challenge may be: long enough to be fresh, and no newline (see healthProof). */
export const HEALTH_CHALLENGE = /^[A-Za-z0-9_-]{16,128}$/;

/** The gateway address of the engine's default bridge: the host as its containers see it. */
export async function bridgeAddress(dockerEndpoint: string): Promise<string> {
  const bridge = await new Docker(dockerOptions(dockerEndpoint)).getNetwork('bridge').inspect();
  const ipam = (bridge.IPAM?.Config ?? [])[0] as { Gateway?: string; Subnet?: string } | undefined;
  // Engines started with --iptables=false may leave Gateway out: the bridge then has the subnet's first address.
  const gateway = ipam?.Gateway ?? ipam?.Subnet?.replace(/\.0\/\d+$/, '.1');
  if (!gateway || !/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) {
    throw new StokeError('SignalAddressUnknown', `cannot tell the Docker bridge's gateway address (${JSON.stringify(ipam)}): set STOKE_SIGNAL_URL and STOKE_SIGNAL_BIND`);
  }
  return gateway;
}

/**
 * Where servers reach the gateway: STOKE_SIGNAL_URL, else the gateway address of the engine's default
 * bridge and the port the gateway binds.
 */
export async function signalBaseUrl(config: StokeConfig, dockerEndpoint: string): Promise<string> {
  if (config.signalUrl) return config.signalUrl;
  return `http://${await bridgeAddress(dockerEndpoint)}:${config.signalBind.port}`;
}
