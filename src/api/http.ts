/** Reading requests and writing answers the way Heat's WSGI layer does. */
import type * as http from 'node:http';
import { MAX_FILE_BYTES } from '../template/load';
import { ApiError, faultOf } from './faults';

/** Heat's max_json_body_size: no request over 1 MiB. */
export const MAX_BODY_BYTES = MAX_FILE_BYTES;

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = status === 204 ? '' : JSON.stringify(body);
  res.writeHead(status, { ...headers, ...(status === 204 ? {} : { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text) }) });
  res.end(text);
}

export function sendFault(res: http.ServerResponse, err: unknown, headers: Record<string, string> = {}): void {
  const body = faultOf(err);
  sendJson(res, body.code, body, headers);
}

/** The body as text; refused past MAX_BODY_BYTES, as Heat refuses it, without reading the rest. */
export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'RequestLimitExceeded', `request body exceeds the limit of ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The body as a JSON object. `whenEmpty` answers for no body where Heat takes none as an empty object (and then
 * says what is missing from it).
 */
export async function readJsonObject(req: http.IncomingMessage, whenEmpty?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (text.trim() === '' && whenEmpty) return whenEmpty;
  if (text.trim() === '') throw new ApiError(400, 'HTTPBadRequest', 'the request has no body: a JSON object is expected');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'HTTPBadRequest', `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'HTTPBadRequest', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}
