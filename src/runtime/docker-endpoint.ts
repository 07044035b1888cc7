/**
 * Docker endpoints and credentials as the docker CLI finds them: endpoint URLs, TLS client
 * certificates, and registry logins from the user's Docker config and its credential helpers.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DockerOptions } from 'dockerode';
import { StokeError } from '../errors';

/**
 * TLS material for https:// endpoints (and tcp:// ones when DOCKER_TLS_VERIFY is set, as the docker CLI
 * does): STOKE_DOCKER_TLS_CA, STOKE_DOCKER_TLS_CERT and STOKE_DOCKER_TLS_KEY name PEM files one by one;
 * otherwise ca.pem, cert.pem and key.pem are read from DOCKER_CERT_PATH. Without either, the server is
 * checked against the system's CAs and no client certificate is sent.
 */
export function tlsFiles(env: NodeJS.ProcessEnv = process.env): Pick<DockerOptions, 'ca' | 'cert' | 'key'> {
  const read = (file: string | undefined, variable: string, required: boolean) => {
    if (!file) return undefined;
    if (fs.existsSync(file)) return fs.readFileSync(file);
    if (required) throw new StokeError('DockerTlsFileMissing', `${variable} names ${file}, which does not exist`);
    return undefined;
  };
  if (env.STOKE_DOCKER_TLS_CA || env.STOKE_DOCKER_TLS_CERT || env.STOKE_DOCKER_TLS_KEY) {
    return {
      ca: read(env.STOKE_DOCKER_TLS_CA, 'STOKE_DOCKER_TLS_CA', true),
      cert: read(env.STOKE_DOCKER_TLS_CERT, 'STOKE_DOCKER_TLS_CERT', true),
      key: read(env.STOKE_DOCKER_TLS_KEY, 'STOKE_DOCKER_TLS_KEY', true),
    };
  }
  const dir = env.DOCKER_CERT_PATH;
  if (!dir) return {};
  return {
    ca: read(path.join(dir, 'ca.pem'), 'DOCKER_CERT_PATH', false),
    cert: read(path.join(dir, 'cert.pem'), 'DOCKER_CERT_PATH', false),
    key: read(path.join(dir, 'key.pem'), 'DOCKER_CERT_PATH', false),
  };
}

/**
 * Turns a Docker endpoint as templates write it (`unix:///var/run/docker.sock`, `tcp://host:2375`,
 * `http://host:2345/`, `https://host:2376`) into dockerode options.
 */
export function dockerOptions(endpoint: string, env: NodeJS.ProcessEnv = process.env): DockerOptions {
  if (endpoint.startsWith('/')) return { socketPath: endpoint };
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new StokeError('DockerEndpointInvalid', `docker endpoint '${endpoint}' is not a URL (unix://, tcp://, http:// or https://)`);
  }
  const tls = url.protocol === 'https:' || (url.protocol === 'tcp:' && Boolean(env.DOCKER_TLS_VERIFY));
  switch (url.protocol) {
    case 'unix:':
      return { socketPath: url.pathname };
    case 'tcp:':
    case 'http:':
    case 'https:':
      return tls
        ? { protocol: 'https', host: url.hostname, port: Number(url.port || 2376), ...tlsFiles(env) }
        : { protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
    default:
      throw new StokeError('DockerEndpointInvalid', `docker endpoint '${endpoint}' has an unsupported scheme '${url.protocol}'`);
  }
}

export interface RegistryAuth {
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly serveraddress: string;
}

/** The registry an image reference names: its first part when that looks like a host, else Docker Hub. */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  const first = slash < 0 ? '' : reference.slice(0, slash);
  return first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/**
 * Asks a docker credential helper (`docker-credential-NAME get`, the protocol of `docker login`'s
 * credential stores) for a registry's login; undefined when it has none or cannot be run.
 */
function fromHelper(helper: string, serveraddress: string, env: NodeJS.ProcessEnv): RegistryAuth | undefined {
  const result = spawnSync(`docker-credential-${helper}`, ['get'], { input: serveraddress, encoding: 'utf8', env, timeout: 10_000 });
  if (result.status !== 0 || !result.stdout) return undefined;
  try {
    const { Username, Secret } = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
    if (!Secret) return undefined;
    // Helpers return identity tokens under this user name, as the docker CLI reads them.
    return Username === '<token>' ? { identitytoken: Secret, serveraddress } : { username: Username ?? '', password: Secret, serveraddress };
  } catch {
    return undefined;
  }
}

/**
 * The login for an image's registry from the user's Docker config ($DOCKER_CONFIG/config.json, else
 * ~/.docker/config.json) as `docker login` leaves it: the registry's credential helper (`credHelpers`,
 * else `credsStore`) when one is configured and knows the registry, else the `auths` section.
 */
export function registryAuth(reference: string, env: NodeJS.ProcessEnv = process.env): RegistryAuth | undefined {
  const file = path.join(env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker'), 'config.json');
  type Entry = { auth?: string; username?: string; password?: string; identitytoken?: string };
  let config: { auths?: Record<string, Entry>; credHelpers?: Record<string, string>; credsStore?: string };
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof config;
  } catch {
    return undefined;
  }
  const registry = registryOf(reference);
  const serveraddress = registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
  const hostOf = (key: string) => key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const wanted = registry === 'docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io'] : [registry];
  const helperKey = Object.keys(config.credHelpers ?? {}).find((candidate) => wanted.includes(hostOf(candidate)));
  const helper = helperKey ? config.credHelpers![helperKey] : config.credsStore;
  const helped = helper ? fromHelper(helper, serveraddress, env) : undefined;
  if (helped) return helped;
  const auths = config.auths ?? {};
  const key = Object.keys(auths).find((candidate) => wanted.includes(hostOf(candidate)));
  if (!key) return undefined;
  const entry = auths[key]!;
  if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
  }
  if (entry.username) return { username: entry.username, password: entry.password ?? '', serveraddress };
  return undefined;
}

/**
 * What templates may do with the worker's engines: a template's docker_endpoint is any URL its author
 * chose, so the worker's registry logins and its requests go only where the operator said.
 */
export interface EndpointPolicy {
  /** Engines besides the worker's own that may receive its registry logins (STOKE_REGISTRY_AUTH_ENDPOINTS). */
  readonly registryAuth?: readonly string[];
  /** When set, the only engines besides the worker's own that docker_endpoint may name (STOKE_ALLOWED_ENDPOINTS). */
  readonly allowed?: readonly string[];
}

/** One spelling per engine, so that `tcp://h:2375` and `http://h:2375/`, or `unix:///s` and `/s`, compare equal. */
export function endpointKey(endpoint: string): string {
  try {
    // Only the scheme rule of DOCKER_TLS_VERIFY matters here; no certificate file is read.
    const options = dockerOptions(endpoint.trim(), { DOCKER_TLS_VERIFY: process.env.DOCKER_TLS_VERIFY });
    return options.socketPath ? `unix://${options.socketPath}` : `${options.protocol}://${options.host}:${options.port}`;
  } catch {
    return endpoint.trim();
  }
}

/** Whether `endpoint` is the worker's own engine or one of `listed`. */
export function endpointListed(endpoint: string, defaultEndpoint: string, listed: readonly string[]): boolean {
  const key = endpointKey(endpoint);
  return [defaultEndpoint, ...listed].some((candidate) => endpointKey(candidate) === key);
}
