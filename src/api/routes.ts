/**
 * Heat's orchestration API v1: the dispatcher. Each area (stacks, and later resources, events, templates)
 * is one module exporting its routes; this one finds the route of a request and answers 404 / 405 as Heat.
 */
import type * as http from 'node:http';
import type { StackClient } from '../client/client';
import { ApiError } from './faults';
import { EVENT_ROUTES } from './events';
import { RESOURCE_ROUTES } from './resources';
import { STACK_CHANGE_ROUTES } from './stack-changes';
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

/**
 * Paths under `/v1/{tenant}`, and per path the methods served; the first pattern that matches and serves the
 * method wins, so areas may serve other methods of one path (Heat's router matches path and method together).
 */
export type Routes = readonly (readonly [RegExp, Readonly<Record<string, Handler>>])[];

const ROUTES: Routes = [...STACK_CHANGE_ROUTES, ...STACK_ROUTES, ...RESOURCE_ROUTES, ...EVENT_ROUTES, ...TEMPLATE_ROUTES];

/** Answers one request under `/v1/{tenant}`; `path` is what follows the tenant. */
export async function route(request: ApiRequest, method: string, path: string): Promise<void> {
  const allowed = new Set<string>();
  for (const [pattern, methods] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    const handler = methods[method];
    if (handler) return handler(request, ...match.slice(1).map(decodeURIComponent));
    Object.keys(methods).forEach((m) => allowed.add(m));
  }
  if (allowed.size > 0) {
    const allow = [...allowed].join(', ');
    throw new ApiError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on ${path} (allowed: ${allow})`, { Allow: allow });
  }
  throw new ApiError(404, 'HTTPNotFound', `${method} ${path}: stoke's API does not serve this path yet (see the README's Heat API section)`);
}
