/**
 * Heat's orchestration API v1: the dispatcher. Each area (stacks, and later resources, events, templates)
 * is one module exporting its routes; this one finds the route of a request and answers 404 / 405 as Heat.
 */
import type * as http from 'node:http';
import type { StackClient } from '../client/client';
import { ApiError } from './faults';
import { STACK_ROUTES } from './stacks';
import { TEMPLATE_ROUTES } from './templates';

export type Stacks = StackClient;

export interface ApiRequest {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  /** `http://host:port/v1/{tenant}`: Heat's links are absolute, built from the request's host. */
  readonly base: string;
  readonly query: string;
  readonly stacks: Stacks;
}

export type Handler = (request: ApiRequest, ...params: string[]) => Promise<void>;

/** Paths under `/v1/{tenant}`, and per path the methods served; the first pattern that matches wins. */
export type Routes = readonly (readonly [RegExp, Readonly<Record<string, Handler>>])[];

const ROUTES: Routes = [...STACK_ROUTES, ...TEMPLATE_ROUTES];

/** Answers one request under `/v1/{tenant}`; `path` is what follows the tenant. */
export async function route(request: ApiRequest, method: string, path: string): Promise<void> {
  for (const [pattern, methods] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    const handler = methods[method];
    if (!handler) throw new ApiError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on ${path} (allowed: ${Object.keys(methods).join(', ')})`, { Allow: Object.keys(methods).join(', ') });
    return handler(request, ...match.slice(1).map(decodeURIComponent));
  }
  throw new ApiError(404, 'HTTPNotFound', `${method} ${path}: stoke's API does not serve this path yet (see the README's Heat API section)`);
}
