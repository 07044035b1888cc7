/**
 * DockerInc::Docker::Container against a real engine. Every call is safe to repeat: containers carry
 * labels naming their stack and resource, and a retry adopts what an earlier attempt made.
 */
import { heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import Docker from 'dockerode';
import { dockerOptions } from '../src/docker-endpoint';
import type { Json, JsonObject } from '../src/template/types';
import type { CreatedResource, CreateResourceRequest, DeleteResourceRequest } from './types';

export const LABEL_STACK = 'org.stoke.stack';
export const LABEL_STACK_ID = 'org.stoke.stack-id';
export const LABEL_RESOURCE = 'org.stoke.resource';

/** Seconds between SIGTERM and SIGKILL when a container is deleted, as `docker stop` does. */
const STOP_GRACE_SECONDS = 10;

interface DockerError {
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
  message: string;
  code?: string;
}

/** Engine answers that no retry can change, though Docker reports them as 500. */
const PERMANENT_SERVER_ERRORS = /port is already allocated|address already in use|invalid|no such|not found|conflict|executable file not found|permission denied/i;

function dockerMessage(err: DockerError): string {
  return (err.json && typeof err.json === 'object' && err.json.message) || err.reason || err.message;
}

/**
 * Rethrows a Docker error so Temporal does the right thing: rejected requests (4xx, and 500s that name a
 * permanent cause) fail the resource at once with Docker's own message; an endpoint that refuses or
 * cannot be reached yet (a server still booting) is retried with backoff until the stack times out.
 */
function rethrow(err: unknown, what: string): never {
  if (err instanceof ApplicationFailure) throw err;
  const e = err as DockerError;
  const message = `${what}: ${dockerMessage(e)}`;
  if (e.statusCode !== undefined && ((e.statusCode >= 400 && e.statusCode < 500) || PERMANENT_SERVER_ERRORS.test(dockerMessage(e)))) {
    throw ApplicationFailure.nonRetryable(message, 'DockerRequestRejected');
  }
  throw new Error(message);
}

function invalid(path: string, message: string): never {
  throw ApplicationFailure.nonRetryable(`${path}: ${message}`, 'InvalidProperty');
}

const clients = new Map<string, Docker>();

export function dockerFor(endpoint: string): Docker {
  let client = clients.get(endpoint);
  if (!client) {
    client = new Docker(dockerOptions(endpoint));
    clients.set(endpoint, client);
  }
  return client;
}

/** Docker's "80/tcp" form of a port spec (80, "80", "53/udp"). */
function portKey(spec: Json, path: string): string {
  const text = String(spec);
  if (!/^\d{1,5}(\/(tcp|udp|sctp))?$/.test(text) || Number(text.split('/')[0]) > 65535) {
    invalid(path, `'${text}' is not a port (a number up to 65535, optionally /tcp or /udp)`);
  }
  return text.includes('/') ? text : `${text}/tcp`;
}

/** docker-py's (ip, port) tuple, which YAML can only write as a two-item list. */
function isAddressPortPair(value: Json): boolean {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && /[.:]/.test(value[0]);
}

function hostBinding(value: Json, path: string): { HostIp: string; HostPort: string } {
  if (value === null) return { HostIp: '', HostPort: '' };
  if (typeof value === 'number' || typeof value === 'string') return { HostIp: '', HostPort: String(value) };
  if (Array.isArray(value) && isAddressPortPair(value)) {
    return { HostIp: String(value[0]), HostPort: String(value[1] ?? '') };
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    return { HostIp: String(value.HostIp ?? ''), HostPort: String(value.HostPort ?? '') };
  }
  invalid(path, `cannot read a host binding from ${JSON.stringify(value)}`);
}

/** Heat accepts both docker-py forms: {"80/tcp": [{"HostPort": "80"}]} and {80: 8080}, [ip, port], null. */
export function portBindings(bindings: JsonObject, path: string): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const [port, value] of Object.entries(bindings)) {
    const key = portKey(port, `${path}.${port}`);
    const list = Array.isArray(value) && !isAddressPortPair(value) ? value : [value];
    out[key] = list.map((item, i) => hostBinding(item, `${path}.${port}[${i}]`));
  }
  return out;
}

function stringList(value: Json | undefined, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) invalid(path, 'expected a list');
  return value.map((item, i) => {
    if (typeof item === 'object' && item !== null) invalid(`${path}[${i}]`, `expected a string, got ${JSON.stringify(item)}`);
    return String(item);
  });
}

function mapping(value: Json | undefined, path: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) invalid(path, 'expected a mapping');
  return value;
}

/** Docker's create body for a resource's resolved properties. */
export function containerSpec(req: CreateResourceRequest): Docker.ContainerCreateOptions {
  const p = req.properties;
  const at = (name: string) => `resources.${req.resource}.properties.${name}`;
  if (typeof p.image !== 'string' || p.image === '') invalid(at('image'), 'an image name is required');
  const exposed: Record<string, object> = {};
  for (const [i, spec] of stringList(p.port_specs, at('port_specs')).entries()) exposed[portKey(spec, `${at('port_specs')}[${i}]`)] = {};
  const bindings = portBindings(mapping(p.port_bindings, at('port_bindings')), at('port_bindings'));
  for (const port of Object.keys(bindings)) exposed[port] = {};
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const [source, target] of Object.entries(mapping(p.volumes, at('volumes')))) {
    const spec = mapping(target, `${at('volumes')}.${source}`);
    if (typeof spec.bind === 'string') binds.push(`${source}:${spec.bind}${spec.ro === true || spec.ro === 'true' ? ':ro' : ''}`);
    else volumes[source] = {};
  }
  const links = Object.entries(mapping(p.links, at('links'))).map(([name, alias]) => `${name}:${String(alias)}`);
  const cmd = stringList(p.cmd, at('cmd'));
  return {
    name: typeof p.name === 'string' && p.name !== '' ? p.name : `${req.stack}-${req.resource}`.replace(/[^a-zA-Z0-9_.-]/g, '-'),
    Image: p.image,
    Cmd: cmd.length > 0 ? cmd : undefined,
    Env: stringList(p.env, at('env')),
    ExposedPorts: exposed,
    Volumes: volumes,
    Labels: { [LABEL_STACK]: req.stack, [LABEL_STACK_ID]: req.stackId, [LABEL_RESOURCE]: req.resource },
    HostConfig: { PortBindings: bindings, Links: links, Binds: binds },
  };
}

async function findByLabels(docker: Docker, stackId: string, resource: string): Promise<string[]> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${LABEL_STACK_ID}=${stackId}`, `${LABEL_RESOURCE}=${resource}`] } });
  return found.map((c) => c.Id);
}

async function ensureImage(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (err) {
    if ((err as DockerError).statusCode !== 404) rethrow(err, `inspecting image ${image}`);
  }
  log.info('pulling image', { image });
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: { status?: string; progress?: string; id?: string }) => heartbeat({ pulling: image, status: event.status, id: event.id, progress: event.progress })
      );
    });
  } catch (err) {
    // A pull that fails is a missing or inaccessible image; retrying the same pull does not help.
    throw ApplicationFailure.nonRetryable(`image '${image}' is not on the engine and could not be pulled: ${dockerMessage(err as DockerError)}`, 'ImageNotFound');
  }
}

/** Reads a container's output; without a TTY Docker frames it with 8-byte headers per chunk. */
function demux(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length && buffer[offset + 1] === 0 && buffer[offset + 2] === 0 && buffer[offset + 3] === 0) {
    const size = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

async function logsOf(container: Docker.Container): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return demux(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
}

/** All requested attributes from one inspect (and one logs call if a logs attribute is wanted). */
async function attributesOf(container: Docker.Container, info: Docker.ContainerInspectInfo, wanted: readonly string[]): Promise<JsonObject> {
  const net = info.NetworkSettings as unknown as JsonObject & { Ports?: Record<string, { HostPort: string }[] | null>; Networks?: Record<string, { IPAddress: string; Gateway: string }> };
  const firstNetwork = Object.values(net.Networks ?? {})[0];
  const hostPorts = (proto: string) => Object.entries(net.Ports ?? {})
    .filter(([port, bound]) => port.endsWith(`/${proto}`) && bound && bound[0]?.HostPort)
    .map(([, bound]) => bound![0]!.HostPort)
    .join(',');
  const out: JsonObject = {};
  const logs = wanted.some((name) => name.startsWith('logs')) ? (await logsOf(container)).replace(/\n$/, '') : '';
  for (const name of wanted) {
    switch (name) {
      case 'info': out.info = JSON.parse(JSON.stringify(info)) as Json; break;
      case 'network_info': out.network_info = { ...JSON.parse(JSON.stringify(net)), TcpPorts: hostPorts('tcp'), UdpPorts: hostPorts('udp') }; break;
      case 'network_ip': out.network_ip = (net.IPAddress as string) || firstNetwork?.IPAddress || ''; break;
      case 'network_gateway': out.network_gateway = (net.Gateway as string) || firstNetwork?.Gateway || ''; break;
      case 'network_tcp_ports': out.network_tcp_ports = hostPorts('tcp'); break;
      case 'network_udp_ports': out.network_udp_ports = hostPorts('udp'); break;
      case 'logs': out.logs = logs; break;
      case 'logs_head': out.logs_head = logs.split('\n')[0] ?? ''; break;
      case 'logs_tail': out.logs_tail = logs.split('\n').pop() ?? ''; break;
    }
  }
  return out;
}

/** Waits until the container runs (or has exited 0, a one-shot command); a failed start fails the resource. */
async function waitRunning(container: Docker.Container): Promise<Docker.ContainerInspectInfo> {
  for (;;) {
    const info = await container.inspect();
    if (info.State.Running || (info.State.Status === 'exited' && info.State.ExitCode === 0)) return info;
    if (info.State.Status === 'exited' || info.State.Status === 'dead') {
      const tail = (await logsOf(container)).trim().split('\n').slice(-5).join('\n');
      throw ApplicationFailure.nonRetryable(`container exited with code ${info.State.ExitCode}${info.State.Error ? `: ${info.State.Error}` : ''}${tail ? `; last output:\n${tail}` : ''}`, 'ContainerExited');
    }
    heartbeat({ waiting: 'container start', status: info.State.Status });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function createContainer(req: CreateResourceRequest, defaultEndpoint: string): Promise<CreatedResource> {
  const endpoint = typeof req.properties.docker_endpoint === 'string' && req.properties.docker_endpoint ? req.properties.docker_endpoint : defaultEndpoint;
  const docker = dockerFor(endpoint);
  const spec = containerSpec(req);
  try {
    let [id] = await findByLabels(docker, req.stackId, req.resource);
    if (id) log.info('adopting the container an earlier attempt created', { resource: req.resource, id });
    else {
      await ensureImage(docker, spec.Image!);
      try {
        id = (await docker.createContainer(spec)).id;
      } catch (err) {
        if ((err as DockerError).statusCode !== 409) throw err;
        // A name conflict is ours to adopt only if the container carries this resource's labels.
        const existing = await docker.getContainer(spec.name!).inspect();
        if (existing.Config.Labels?.[LABEL_STACK_ID] !== req.stackId || existing.Config.Labels?.[LABEL_RESOURCE] !== req.resource) throw err;
        id = existing.Id;
      }
    }
    const container = docker.getContainer(id);
    try {
      await container.start();
    } catch (err) {
      if ((err as DockerError).statusCode !== 304) throw err;
    }
    const info = await waitRunning(container);
    return { physicalId: id, attributes: await attributesOf(container, info, req.attributes) };
  } catch (err) {
    rethrow(err, `creating container for ${req.resource} on ${endpoint}`);
  }
}

export async function deleteContainer(req: DeleteResourceRequest, defaultEndpoint: string): Promise<void> {
  const endpoint = typeof req.properties.docker_endpoint === 'string' && req.properties.docker_endpoint ? req.properties.docker_endpoint : defaultEndpoint;
  const docker = dockerFor(endpoint);
  try {
    const ids = new Set(await findByLabels(docker, req.stackId, req.resource));
    if (req.physicalId) ids.add(req.physicalId);
    for (const id of ids) {
      const container = docker.getContainer(id);
      try {
        await container.stop({ t: STOP_GRACE_SECONDS });
      } catch (err) {
        const status = (err as DockerError).statusCode;
        if (status === 404) continue;
        if (status !== 304) throw err;
      }
      try {
        await container.remove({ v: true, force: true });
      } catch (err) {
        // 404: already gone; 409: removal already under way from an earlier attempt.
        if ((err as DockerError).statusCode !== 404 && (err as DockerError).statusCode !== 409) throw err;
      }
    }
  } catch (err) {
    rethrow(err, `deleting container of ${req.resource} on ${endpoint}`);
  }
}
