/**
 * The signal gateway: the HTTP endpoint servers signal wait condition handles at, cfn-signal style
 * (PUT/POST to the handle URL, token in `?Signature=`, body {Status, Reason, Data, UniqueId}) or
 * OS::Heat style (POST to the endpoint with X-Auth-Token, body {status, reason, data, id}). Each accepted
 * request becomes one Temporal signal to the stack's create or update workflow; Temporal keeps it even while no
 * worker runs. The lookup and the send are the client library's (../client/signals.ts), which
 * `stoke stack signal` calls without a token.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../client/codec';
import { sendHandleSignal, type SentSignals, type SignalRequest } from '../client/signals';
import { temporalAddress, type StokeConfig } from '../config';
import { StokeError } from '../errors';
import { bridgeAddress, HEALTH_CHALLENGE, healthProof, loadSignalKey, SCALE_PATH, SIGNAL_PATH, tokenMatches } from './signal';
import { StackClient } from '../client/client';
import type { Json } from '../template/types';

/** Larger bodies are refused before they are read to the end. */
export const MAX_SIGNAL_BYTES = 64 * 1024;

/** HTTP status of each refusal, by StokeError code. */
const HTTP_STATUS: Record<string, number> = {
  InvalidSignal: 400, BadToken: 403, StackNotFound: 404, HandleNotFound: 404, NotFound: 404, ResourceNotFound: 404,
  MethodNotAllowed: 405, NotWaiting: 409, StackBusy: 409, StackStateInvalid: 409, SignalNotSupported: 400, TooLarge: 413,
};

/** A signal body of either style; an empty body is a SUCCESS, as Heat tolerates. */
export function parseSignalBody(handle: string, text: string): SignalRequest {
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new StokeError('InvalidSignal', `malformed JSON body: ${(err as Error).message}`);
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new StokeError('InvalidSignal', 'the body must be a JSON object');
  const fields = body as Record<string, Json | undefined>;
  const status = fields.status ?? fields.Status ?? 'SUCCESS';
  if (status !== 'SUCCESS' && status !== 'FAILURE') throw new StokeError('InvalidSignal', `status must be SUCCESS or FAILURE, got ${JSON.stringify(status)}`);
  const reason = fields.reason ?? fields.Reason;
  const data = fields.data ?? fields.Data;
  const id = fields.id ?? fields.UniqueId;
  return {
    handle,
    status,
    ...(reason === undefined || reason === null ? {} : { reason: typeof reason === 'string' ? reason : JSON.stringify(reason) }),
    ...(data === undefined ? {} : { data }),
    ...(id === undefined || id === null ? {} : { id: typeof id === 'string' ? id : JSON.stringify(id) }),
  };
}

/** Past this much, a refused body is no longer drained so the client could read its 413: the socket is cut. */
const MAX_DRAINED_BYTES = 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new StokeError('TooLarge', `the body exceeds ${MAX_SIGNAL_BYTES} bytes`);
    if (Number(req.headers['content-length'] ?? 0) > MAX_DRAINED_BYTES) {
      reject(tooLarge());
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_SIGNAL_BYTES) chunks.push(chunk);
      else if (size > MAX_DRAINED_BYTES) req.destroy();
    });
    req.on('end', () => (size > MAX_SIGNAL_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
    req.on('close', () => reject(new StokeError('InvalidSignal', 'the request ended before its body')));
  });
}

export interface Gateway {
  /** The addresses it listens on, `host:port, …`. */
  readonly address: string;
  close(): Promise<void>;
}

/** Proves, to whoever asks with a fresh challenge, that this gateway holds the signal key (see healthProof). */
function health(req: http.IncomingMessage, url: URL, key: Buffer): { status: number; body: Json } {
  if (req.method !== 'GET') throw new StokeError('MethodNotAllowed', `method ${req.method} not allowed: use GET`);
  const challenge = url.searchParams.get('challenge') ?? '';
  if (!HEALTH_CHALLENGE.test(challenge)) throw new StokeError('InvalidSignal', 'give ?challenge= of 16 to 128 letters, digits, - or _');
  return { status: 200, body: { service: 'stoke-gateway', proof: healthProof(key, challenge) } };
}

/** The path's parts, unescaped. */
function pathParts(url: URL, match: RegExpExecArray): string[] {
  try {
    return match.slice(1).filter((part) => part !== undefined).map((part) => decodeURIComponent(part));
  } catch {
    throw new StokeError('NotFound', `no such path ${url.pathname}: malformed escapes`);
  }
}

/**
 * A POST to a scaling policy's URL (an alarm's, a script's): starts the scale of its group as a stack action.
 * The body is kept as the signal's data, as Heat's; any JSON or none.
 */
async function scale(req: http.IncomingMessage, url: URL, match: RegExpExecArray, key: Buffer, stacks: () => Promise<StackClient>, log: (message: string) => void) {
  if (req.method !== 'POST' && req.method !== 'PUT') throw new StokeError('MethodNotAllowed', `method ${req.method} not allowed: use POST or PUT`);
  const [stack, stackId, policy] = pathParts(url, match) as [string, string, string];
  const text = await readBody(req);
  const token = url.searchParams.get('Signature') ?? req.headers['x-auth-token'];
  if (typeof token !== 'string' || !tokenMatches(key, stack, stackId, `scale:${policy}`, undefined, token)) {
    throw new StokeError('BadToken', token ? 'wrong token for this policy' : 'missing token: give ?Signature= or X-Auth-Token');
  }
  let data: Json | undefined;
  try {
    data = text.trim() === '' ? undefined : JSON.parse(text) as Json;
  } catch {
    data = text;
  }
  await (await stacks()).scale(stack, policy, data, stackId);
  log(`scaling signal to ${stack}/${policy}`);
  return { status: 200, body: { stack, policy, scaling: true } };
}

async function handle(req: http.IncomingMessage, key: Buffer, client: Client, sent: SentSignals, stacks: () => Promise<StackClient>, log: (message: string) => void): Promise<{ status: number; body: Json }> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  if (url.pathname === '/health') return health(req, url, key);
  const scaling = SCALE_PATH.exec(url.pathname);
  if (scaling) return scale(req, url, scaling, key, stacks, log);
  const match = SIGNAL_PATH.exec(url.pathname);
  if (!match) throw new StokeError('NotFound', `no such path ${url.pathname}: signal URLs are /v1/signal/STACK/STACK_ID/HANDLE[/COPY] and /v1/scale/STACK/STACK_ID/POLICY`);
  if (req.method !== 'POST' && req.method !== 'PUT') throw new StokeError('MethodNotAllowed', `method ${req.method} not allowed: use POST or PUT`);
  const [stack, stackId, handleName, copy] = pathParts(url, match) as [string, string, string, string | undefined];
  const text = await readBody(req);
  const token = url.searchParams.get('Signature') ?? req.headers['x-auth-token'];
  if (typeof token !== 'string' || !tokenMatches(key, stack, stackId, handleName, copy, token)) {
    throw new StokeError('BadToken', token ? 'wrong token for this handle' : 'missing token: give ?Signature= or X-Auth-Token');
  }
  // The handle's first copy has no copy id: '' tells the workflow so (a signal of `stack signal` has none, for the current copy).
  const request = { ...parseSignalBody(handleName, text), copy: copy ?? '' };
  await sendHandleSignal(client, stack, request, stackId, sent);
  log(`signal ${request.status} to ${stack}/${handleName}${request.id ? ` (id ${request.id})` : ''}`);
  return { status: 200, body: { stack, handle: handleName, status: request.status, ...(request.id ? { id: request.id } : {}) } };
}

const LOOPBACK = '127.0.0.1';

/**
 * The addresses to listen on: STOKE_SIGNAL_BIND's host when it names one; else loopback and the Docker
 * bridge's gateway address, where containers reach the host, and nothing wider.
 */
async function bindHosts(config: StokeConfig, dockerEndpoint: string | undefined, log: (message: string) => void): Promise<string[]> {
  if (config.signalBind.host) return [config.signalBind.host];
  try {
    if (!dockerEndpoint) throw new StokeError('DockerUnreachable', 'no Docker engine answers');
    return [LOOPBACK, await bridgeAddress(dockerEndpoint)];
  } catch (err) {
    log(`listening on loopback only, where containers cannot reach it: ${(err as Error).message}`);
    return [LOOPBACK];
  }
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Why what answers at host:port is not a stoke gateway holding `key`; undefined when it is one. */
async function notOurGateway(host: string, port: number, key: Buffer): Promise<string | undefined> {
  const challenge = crypto.randomBytes(24).toString('base64url');
  const target = host === '0.0.0.0' ? LOOPBACK : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  try {
    const response = await fetch(`http://${target}:${port}/health?challenge=${challenge}`, { signal: AbortSignal.timeout(5000) });
    const body = await response.json().catch(() => undefined) as { service?: unknown; proof?: unknown } | undefined;
    if (response.status !== 200 || body?.service !== 'stoke-gateway') return `what answers there is no stoke gateway (HTTP ${response.status} to GET /health)`;
    if (body.proof !== healthProof(key, challenge)) return 'a stoke gateway with another signal key answers there';
    return undefined;
  } catch (err) {
    return `what holds it does not answer as a stoke gateway (${(err as Error).message})`;
  }
}

/**
 * Listens on config.signalBind. Resolves to undefined when the port is taken by a stoke gateway with the
 * same key, which serves those URLs already; throws when anything else holds it, since the handle URLs
 * would then reach something that cannot take their signals.
 */
export async function startGateway(config: StokeConfig, dockerEndpoint: string | undefined, log: (message: string) => void): Promise<Gateway | undefined> {
  const key = loadSignalKey(config);
  const hosts = await bindHosts(config, dockerEndpoint, log);
  const connection = await Connection.connect({ address: temporalAddress(config) });
  // The memo it reads and the signals it sends go through the same codec as the client's and the worker's.
  const client = new Client({ connection, namespace: config.namespace, dataConverter: dataConverter(config) });
  const sent: SentSignals = new Map();
  // Scales start stack actions, which read the stack's state and plan: the client's code, connected on first use.
  let scaler: Promise<StackClient> | undefined;
  const stacks = () => {
    scaler ??= StackClient.connect(config).catch((err: unknown) => {
      scaler = undefined;
      throw err;
    });
    return scaler;
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, key, client, sent, stacks, log).then(
      ({ status, body }) => reply(res, status, body),
      (err: unknown) => {
        const status = StokeError.isStokeError(err) ? HTTP_STATUS[err.code] ?? 500 : 503;
        if (status >= 500) log(`signal failed: ${(err as Error).message}`);
        reply(res, status, { error: (err as Error).message });
      });
  };
  const servers: http.Server[] = [];
  const bound: string[] = [];
  let port = config.signalBind.port;
  for (const host of hosts) {
    const server = http.createServer(onRequest);
    // Slow or idle clients must not pin sockets forever.
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    try {
      // A port of 0 is chosen by the first listener; the others take the same.
      port = await listen(server, host, port);
      servers.push(server);
      bound.push(`${host}:${port}`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTAVAIL' && host !== LOOPBACK && !config.signalBind.host) {
        log(`listening on loopback only: the Docker bridge's address ${host} is not one of this machine's (the engine runs elsewhere); set STOKE_SIGNAL_BIND`);
        continue;
      }
      await Promise.all(servers.map(closeServer));
      await connection.close();
      if (code !== 'EADDRINUSE') throw err;
      const why = await notOurGateway(host, port, key);
      if (why) throw new StokeError('GatewayPortInUse', `the signal gateway cannot listen on ${host}:${port}, which is in use: ${why}. Free the port or choose another with STOKE_SIGNAL_BIND`);
      log(`signal gateway not started: a stoke gateway with the same key already listens on ${host}:${port} and serves these handles`);
      return undefined;
    }
  }
  return {
    address: bound.join(', '),
    close: async () => {
      await Promise.all(servers.map(closeServer));
      await (await scaler?.catch(() => undefined))?.close();
      await connection.close();
    },
  };
}

function reply(res: http.ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  // Servers signal once: a kept-alive socket buys nothing, and a client reusing one as the server's idle
  // timer closes it gets "other side closed" instead of an answer.
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
  res.end(text);
}
