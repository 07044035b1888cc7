import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Everything stoke reads from its environment, resolved once per process. */
export interface StokeConfig {
  /** Temporal frontend `host:port`; unset means the embedded dev server. */
  readonly temporalAddress?: string;
  /** Temporal's HTTP API `host:port`; unset means the frontend's host and port + 10 (7233 -> 7243, Temporal's default). */
  readonly temporalHttpAddress?: string;
  /** @default 'default' */
  readonly namespace: string;
  /** @default 'stoke' */
  readonly taskQueue: string;
  /** Docker endpoint (`unix://…`, `tcp://…`); unset means the local engine, found or started by the bootstrap. */
  readonly dockerHost?: string;
  /** The project's own git-ignored folder for tools, logs, the dev server's SQLite file and dockerd's data. */
  readonly stateDir: string;
  /** A short folder for sockets: unix socket paths may not exceed 107 bytes, project paths can. */
  readonly runDir: string;
  readonly projectRoot: string;
  /** Port of the embedded Temporal dev server; its web UI listens on port + 1000. @default 7233 */
  readonly devServerPort: number;
  /** Base URL that servers reach the signal gateway at; unset means the Docker bridge gateway and the bind port. */
  readonly signalUrl?: string;
  /**
   * Where the signal gateway listens. No host (the default, or a bare port) means loopback and the Docker
   * bridge's gateway address, where containers reach it; any wider bind is asked for by name. @default { port: 8000 }
   */
  readonly signalBind: { readonly host?: string; readonly port: number };
  /** Where `stoke dev` and `quickstart` serve the codec server the embedded Temporal UI decrypts through, on loopback (STOKE_CODEC_PORT). @default 8888 */
  readonly codecPort: number;
  /** Where `stoke ui` serves the topology page (STOKE_UI_BIND, `host:port` or a port); no host means loopback. @default { port: 8005 } */
  readonly uiBind: { readonly host?: string; readonly port: number };
  /** The Temporal UI that `stoke ui` links actions to (STOKE_TEMPORAL_UI); unset means the embedded dev server's. */
  readonly temporalUi: string;
  /** Where `stoke api` (Heat's orchestration API) listens (STOKE_API_BIND, `host:port` or a port); no host means loopback. @default { port: 8004 } */
  readonly apiBind: { readonly host?: string; readonly port: number };
  /** The token `X-Auth-Token` must carry (STOKE_API_TOKEN); unset means one generated into the state folder. */
  readonly apiToken?: string;
  /**
   * Whether `stoke worker` serves the API too: STOKE_API=1, or STOKE_API_BIND set. `stoke dev` serves it unless
   * STOKE_API=0. Undefined when neither says.
   */
  readonly apiEnabled?: boolean;
  /** STOKE_API_AUTH: `token`, or `none` (no token asked: heatclient's `--os-auth-type none`), loopback only. @default 'token' */
  readonly apiAuth: string;
  /** The tenant (Heat's project) the stacks this process creates belong to (STOKE_TENANT); the API creates under its path's. @default 'default' */
  readonly tenant: string;
  /** Engines besides the worker's own that may receive its registry logins (STOKE_REGISTRY_AUTH_ENDPOINTS). */
  readonly registryAuthEndpoints: readonly string[];
  /** When set, the only engines besides the worker's own that a template's docker_endpoint may name (STOKE_ALLOWED_ENDPOINTS). */
  readonly allowedEndpoints?: readonly string[];
  /** STOKE_DOCKER_ENGINES: engines a worker places stacks on, besides DOCKER_HOST (each stack on the least loaded). */
  readonly dockerEngines: readonly string[];
}

/** Heat's CFN API port, where cfn-signal expects to find the wait condition service. */
export const DEFAULT_SIGNAL_PORT = 8000;
/** Heat's orchestration API port, where heatclient users expect it. */
export const DEFAULT_API_PORT = 8004;
/** Next to the API: Horizon's place, the pictures of stacks. */
export const DEFAULT_UI_PORT = 8005;
/** Temporal's codec server samples listen here. */
export const DEFAULT_CODEC_PORT = 8888;

function parseBind(value: string | undefined, defaultPort = DEFAULT_SIGNAL_PORT): { host?: string; port: number } {
  if (!value) return { port: defaultPort };
  const colon = value.lastIndexOf(':');
  const port = Number(colon >= 0 ? value.slice(colon + 1) : value);
  return { ...(colon > 0 ? { host: value.slice(0, colon) } : {}), port: Number.isInteger(port) && port >= 0 ? port : defaultPort };
}

/** A list setting: endpoints separated by commas or white space. */
function endpointList(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

/** The tenant of stacks made without one: by the CLI unconfigured, or by a stoke that recorded none. */
export const DEFAULT_TENANT = 'default';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1';

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'stoke') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): StokeConfig {
  const projectRoot = findProjectRoot(__dirname);
  const stateDir = path.resolve(env.STOKE_HOME ?? path.join(projectRoot, '.stoke'));
  const digest = crypto.createHash('sha256').update(stateDir).digest('hex').slice(0, 10);
  const port = Number(env.STOKE_DEV_PORT ?? 7233);
  const devServerPort = Number.isInteger(port) && port > 0 ? port : 7233;
  return {
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalHttpAddress: env.TEMPORAL_HTTP_ADDRESS?.replace(/^https?:\/\//, '').replace(/\/+$/, '') || undefined,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.STOKE_TASK_QUEUE || 'stoke',
    dockerHost: env.DOCKER_HOST || undefined,
    stateDir,
    runDir: path.join(os.tmpdir(), `stoke-${digest}`),
    projectRoot,
    devServerPort,
    signalUrl: env.STOKE_SIGNAL_URL?.replace(/\/+$/, '') || undefined,
    signalBind: parseBind(env.STOKE_SIGNAL_BIND),
    apiBind: parseBind(env.STOKE_API_BIND, DEFAULT_API_PORT),
    codecPort: parseBind(env.STOKE_CODEC_PORT, DEFAULT_CODEC_PORT).port,
    uiBind: parseBind(env.STOKE_UI_BIND, DEFAULT_UI_PORT),
    temporalUi: env.STOKE_TEMPORAL_UI?.replace(/\/+$/, '') || `http://127.0.0.1:${devServerPort + 1000}`,
    apiToken: env.STOKE_API_TOKEN || undefined,
    apiEnabled: env.STOKE_API ? env.STOKE_API !== '0' : env.STOKE_API_BIND ? true : undefined,
    apiAuth: env.STOKE_API_AUTH || 'token',
    tenant: env.STOKE_TENANT || DEFAULT_TENANT,
    registryAuthEndpoints: endpointList(env.STOKE_REGISTRY_AUTH_ENDPOINTS),
    allowedEndpoints: env.STOKE_ALLOWED_ENDPOINTS?.trim() ? endpointList(env.STOKE_ALLOWED_ENDPOINTS) : undefined,
    dockerEngines: endpointList(env.STOKE_DOCKER_ENGINES),
  };
}

/** The address clients and workers dial: the configured cluster, else the embedded dev server. */
export function temporalAddress(config: StokeConfig): string {
  return config.temporalAddress ?? `${DEFAULT_TEMPORAL_ADDRESS}:${config.devServerPort}`;
}

/** Where Temporal's HTTP API answers: configured, else next to the frontend as Temporal's defaults place it. */
export function temporalHttpAddress(config: StokeConfig): string {
  if (config.temporalHttpAddress) return config.temporalHttpAddress;
  const address = temporalAddress(config);
  const colon = address.lastIndexOf(':');
  const port = colon > 0 ? Number(address.slice(colon + 1)) : NaN;
  return Number.isInteger(port) ? `${address.slice(0, colon)}:${port + 10}` : `${address}:7243`;
}

/**
 * A secret kept in the state folder (the signal key, the API's token): made once by `make`, then read. Of two
 * processes starting together, one creates the file ('wx') and both read that one.
 */
export function stateSecret(config: StokeConfig, name: string, make: () => string): string {
  const file = path.join(config.stateDir, name);
  fs.mkdirSync(config.stateDir, { recursive: true });
  try {
    fs.writeFileSync(file, make(), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}
