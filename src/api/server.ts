/** `stoke api`: Heat's orchestration API v1 on loopback port 8004 by default, every request checked for the token. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StokeConfig } from '../config';
import { StokeError } from '../errors';
import { apiHost, tokenAccepted } from './auth';
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

/** `token` undefined: no token is asked (heatclient's `--os-auth-type none` sends `notused`). */
function handler(stacks: Stacks, token: string | undefined, log: (message: string) => void): http.RequestListener {
  return (req, res) => {
    const answer = async () => {
      if (token !== undefined && !tokenAccepted(token, req.headers['x-auth-token'])) {
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

export async function startApi(config: StokeConfig, stacks: Stacks, token: string | undefined, log: (message: string) => void): Promise<ApiServer> {
  const host = apiHost(config);
  const server = http.createServer(handler(stacks, token, log));
  // Clients pool connections (keystoneauth's session does) and may pause between calls: past Node's default of
  // 5 s idle, a request sent as the server closes the socket fails with nothing answered.
  server.keepAliveTimeout = 120_000;
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

/**
 * The API with its own client, as `stoke api`, `stoke worker` and `stoke dev` serve it, `token` from auth.ts's
 * apiTokenOf; says where it listens and its token. A busy port ends the start with a clear error.
 */
export async function serveApi(config: StokeConfig, token: string | undefined, say: (message: string) => void): Promise<ApiServer> {
  const { StackClient } = await import('../client/client');
  const client = await StackClient.connect(config);
  const api = await startApi(config, client, token, say).catch(async (err: NodeJS.ErrnoException) => {
    await client.close();
    if (err.code === 'EADDRINUSE') throw new StokeError('ApiPortInUse', `port ${config.apiBind.port} is in use: set STOKE_API_BIND to another port (or STOKE_API=0 to serve no API)`);
    throw err;
  });
  say(`listening on ${api.url}/v1/{tenant_id}`);
  say(token === undefined ? `no token asked (STOKE_API_AUTH=none): openstack --os-auth-type none --os-endpoint ${api.url}/v1/TENANT …` : `token ${token}`);
  return {
    url: api.url,
    close: async () => {
      await api.close();
      await client.close();
    },
  };
}
