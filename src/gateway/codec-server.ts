/**
 * `stoke codec-server`: Temporal's remote codec protocol (POST /encode and /decode of
 * `{payloads: [{metadata: {k: base64}, data: base64}]}`), so the Temporal UI and `temporal workflow
 * show --codec-endpoint` can show decrypted payloads to whoever holds the key and can reach this port.
 */
import * as http from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { StokeConfig } from '../config';
import { StokeError } from '../errors';

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

export interface CodecServerOptions {
  readonly host: string;
  readonly port: number;
  /** Browser origins allowed to call (the Temporal UI's); '*' allows any. */
  readonly origins: readonly string[];
}

/** The origins of the embedded dev server's UI, which calls the codec server from the user's browser. */
export function embeddedUiOrigins(config: StokeConfig): string[] {
  const uiPort = config.devServerPort + 1000;
  return [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
}

/** Bodies are a page of history's payloads at most; this bounds what one request may make us hold. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

class BadRequest extends StokeError {
  constructor(message: string) {
    super('BadRequest', message);
  }
}

function fromJson(payload: JsonPayload): Payload {
  if (typeof payload !== 'object' || payload === null) throw new BadRequest('each payload must be an object');
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64')])),
    data: payload.data ? Buffer.from(payload.data, 'base64') : undefined,
  };
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: payload.data ? Buffer.from(payload.data).toString('base64') : undefined,
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequest(`body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function corsHeaders(req: http.IncomingMessage, origins: readonly string[]): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin || !(origins.includes('*') || origins.includes(origin))) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

/** Starts the server; resolves once it listens, with the server so callers (tests) can close it. */
export async function startCodecServer(codec: PayloadCodec, options: CodecServerOptions): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    const cors = corsHeaders(req, options.origins);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { ...cors, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    const action = req.url?.split('?')[0];
    if (action !== '/encode' && action !== '/decode') return reply(404, { error: 'use POST /encode or POST /decode' });
    if (req.method !== 'POST') return reply(405, { error: 'use POST' });
    try {
      const body = JSON.parse(await readBody(req)) as { payloads?: unknown };
      if (!Array.isArray(body?.payloads)) throw new BadRequest('the body must be {"payloads": [...]}');
      const payloads = body.payloads.map((p) => fromJson(p as JsonPayload));
      const out = action === '/encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      reply(200, { payloads: out.map(toJson) });
    } catch (err) {
      // Malformed input and payloads this key cannot open are the caller's problem, not a server fault.
      reply(400, { error: err instanceof SyntaxError ? `invalid JSON: ${err.message}` : (err as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
