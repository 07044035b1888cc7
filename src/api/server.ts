/** `stoke api`: Heat's orchestration API v1 on loopback port 8004 by default, every request checked for the token. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StokeConfig } from '../config';
import { StokeError } from '../errors';
import { tokenAccepted } from './auth';
import { ApiError } from './faults';
import { sendFault } from './http';
import { route, type Stacks } from './routes';

export interface ApiServer {
  /** `http://host:port` */
  readonly url: string;
  close(): Promise<void>;
}

const TENANT_PATH = /^\/v1\/([^/?]+)(\/[^?]*)?(\?.*)?$/;

function tenantOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'HTTPBadRequest', `the tenant '${segment}' in the path is not valid percent-encoding`);
  }
}

function handler(stacks: Stacks, token: string, log: (message: string) => void): http.RequestListener {
  return (req, res) => {
    const answer = async () => {
      if (!tokenAccepted(token, req.headers['x-auth-token'])) {
        throw new ApiError(401, 'Unauthorized', req.headers['x-auth-token'] ? 'the X-Auth-Token given is not the API\'s token' : 'the request has no X-Auth-Token header');
      }
      const match = TENANT_PATH.exec(req.url ?? '');
      if (!match) throw new ApiError(404, 'HTTPNotFound', `${req.url}: Heat's API is served under /v1/{tenant_id}`);
      const [, tenant, path = '', query = ''] = match;
      const base = `http://${req.headers.host ?? 'localhost'}/v1/${tenant}`;
      // Each request sees its tenant's stacks alone, whatever area answers it.
      await route({ req, res, base, query, stacks: stacks.forTenant(tenantOf(tenant!)) }, req.method ?? 'GET', path.replace(/\/+$/, ''));
    };
    answer().catch((err: unknown) => {
      // Users get the message alone; the operator gets the stack of what nobody meant to happen.
      if (!StokeError.isStokeError(err)) log(`${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
      if (res.headersSent) res.destroy();
      else sendFault(res, err, err instanceof ApiError ? err.headers : {});
    });
  };
}

export async function startApi(config: StokeConfig, stacks: Stacks, token: string, log: (message: string) => void): Promise<ApiServer> {
  const server = http.createServer(handler(stacks, token, log));
  // Clients pool connections (keystoneauth's session does) and may pause between calls: past Node's default of
  // 5 s idle, a request sent as the server closes the socket fails with nothing answered.
  server.keepAliveTimeout = 120_000;
  const host = config.apiBind.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.apiBind.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
