/**
 * DockerInc::Docker::Container against a real engine. Every call is safe to repeat: containers carry
 * labels naming their stack and resource, and a retry adopts what an earlier attempt made.
 */
import { activityInfo, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type Docker from 'dockerode';
import {
  abandonOnCancel, classifyDockerError, dockerFor, dockerMessage, drifted, identityLabels, isCopy, LABEL_ENGINE, LABEL_RESOURCE, LABEL_STACK_ID, LABEL_STANDIN_FOR,
  rethrowDockerError, stopIfCancelled, unlessGone, type DockerError,
} from '../../../activities/docker';
import { endpointListed, registryAuth, type EndpointPolicy } from '../../runtime/docker-endpoint';
import { HAND_OVER, type Json, type JsonObject } from '../../template/types';
import { DEFAULT_CATALOG } from '../../runtime/catalog';
import type { AdoptResourceRequest, CreatedResource, CreateResourceRequest, DeleteResourceRequest, ExistingResourceRequest, SuspendResourceRequest, UpdateResourceRequest } from '../plugin';
import { durationNanos, HEALTHCHECK_DURATIONS, healthTestProblem, isAddressPortPair, portSpecProblem } from './index';
import { StokeError } from '../../errors';

/** Seconds between SIGTERM and SIGKILL when a container is deleted, as `docker stop` does. */
const STOP_GRACE_SECONDS = 10;

/**
 * A dockerd restarted with --live-restore while a start was under way can keep that start's task in
 * containerd and then refuse every later start of the container: "task <id>: already exists", or "id
 * already in use" when containerd's container object outlived it too. Only a new container, with a
 * new id, gets past it.
 */
const ORPHANED_TASK = /task [0-9a-f]+: already exists|^id already in use$/;
const ORPHANED_TASK_RECREATIONS = 3;

function invalid(path: string, message: string): never {
  throw ApplicationFailure.nonRetryable(`${path}: ${message}`, 'InvalidProperty');
}

/** The resource's docker_endpoint, or the worker's engine when it names none; an engine the operator did not allow is refused. */
function endpointOf(req: DeleteResourceRequest | CreateResourceRequest, defaultEndpoint: string, policy: EndpointPolicy): string {
  const named = req.properties.docker_endpoint;
  if (typeof named !== 'string' || !named) return defaultEndpoint;
  if (policy.allowed && !endpointListed(named, defaultEndpoint, policy.allowed)) {
    throw ApplicationFailure.nonRetryable(
      `resources.${req.resource}.properties.docker_endpoint: '${named}' is not an engine this worker may use (STOKE_ALLOWED_ENDPOINTS: ${policy.allowed.join(', ') || 'none'}, besides the worker's own)`,
      'DockerEndpointNotAllowed');
  }
  return named;
}

/** Whether the worker's registry logins may go to `endpoint`: its own engine, or one the operator listed. */
const mayReceiveLogins = (endpoint: string, defaultEndpoint: string, policy: EndpointPolicy) => endpointListed(endpoint, defaultEndpoint, policy.registryAuth ?? []);

/** Docker's "80/tcp" form of a port spec (80, "80", "53/udp"); validation checked it unless it came from a resource. */
function portKey(spec: Json, path: string): string {
  const problem = portSpecProblem(spec);
  if (problem) invalid(path, problem);
  const text = String(spec);
  return text.includes('/') ? text : `${text}/tcp`;
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

const flag = (value: Json | undefined): boolean => value === true || value === 'true';

/** Bind mounts and volumes from Heat's `volumes`: {host: {bind: path, ro: bool}}, {host: path}, or {path: {}}. */
function volumeSpecs(volumes: JsonObject, path: string): { binds: string[]; volumes: Record<string, object> } {
  const binds: string[] = [];
  const anonymous: Record<string, object> = {};
  for (const [source, target] of Object.entries(volumes)) {
    if (typeof target === 'string') {
      binds.push(`${source}:${target}`);
      continue;
    }
    const spec = mapping(target, `${path}.${source}`);
    if (typeof spec.bind !== 'string') {
      anonymous[source] = {};
      continue;
    }
    const readOnly = flag(spec.ro) || spec.mode === 'ro';
    binds.push(`${source}:${spec.bind}${readOnly ? ':ro' : typeof spec.mode === 'string' ? `:${spec.mode}` : ''}`);
  }
  return { binds, volumes: anonymous };
}

/** Heat's device mappings; the path in the container defaults to the host's. */
function deviceSpecs(devices: Json | undefined, path: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[] {
  if (!Array.isArray(devices)) return [];
  return devices.map((device, i) => {
    const d = mapping(device, `${path}[${i}]`);
    if (typeof d.path_on_host !== 'string') invalid(`${path}[${i}].path_on_host`, 'a device path is required');
    const inContainer = typeof d.path_in_container === 'string' && d.path_in_container ? d.path_in_container : d.path_on_host;
    return { PathOnHost: d.path_on_host, PathInContainer: inContainer, CgroupPermissions: typeof d.permissions === 'string' ? d.permissions : 'rwm' };
  });
}

/** Docker's Healthcheck config for the template's Compose-style `healthcheck`; durations in nanoseconds, as the API takes them. */
export function healthcheckConfig(value: Json | undefined, path: string): Docker.HealthConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const check = mapping(value, path);
  const config: Docker.HealthConfig = {};
  if (check.test !== undefined && check.test !== null) {
    const problem = healthTestProblem(check.test);
    if (problem) invalid(`${path}.test`, problem);
    config.Test = typeof check.test === 'string' ? ['CMD-SHELL', check.test] : (check.test as string[]);
  }
  const fields = { interval: 'Interval', timeout: 'Timeout', start_period: 'StartPeriod' } as const;
  for (const key of HEALTHCHECK_DURATIONS) {
    const text = check[key];
    if (text === undefined || text === null) continue;
    const nanos = durationNanos(String(text));
    if (nanos === undefined) invalid(`${path}.${key}`, `'${String(text)}' is not a duration (as "5s" or "1m30s")`);
    config[fields[key]] = nanos;
  }
  if (check.retries !== undefined && check.retries !== null) config.Retries = Number(check.retries);
  return config;
}

/** Docker's create body for a resource's resolved properties (Heat's create and start arguments in one). */
export function containerSpec(req: CreateResourceRequest): Docker.ContainerCreateOptions {
  const p = req.properties;
  const at = (name: string) => `resources.${req.resource}.properties.${name}`;
  if (typeof p.image !== 'string' || p.image === '') invalid(at('image'), 'an image name is required');
  const exposed: Record<string, object> = {};
  for (const [i, spec] of stringList(p.port_specs, at('port_specs')).entries()) exposed[portKey(spec, `${at('port_specs')}[${i}]`)] = {};
  const bindings = portBindings(mapping(p.port_bindings, at('port_bindings')), at('port_bindings'));
  for (const port of Object.keys(bindings)) exposed[port] = {};
  const { binds, volumes } = volumeSpecs(mapping(p.volumes, at('volumes')), at('volumes'));
  const links = Object.entries(mapping(p.links, at('links'))).map(([name, alias]) => `${name}:${String(alias)}`);
  const cmd = stringList(p.cmd, at('cmd'));
  // Heat's default for volumes_from is '', and the 2013 type took one name as a string.
  const volumesFrom = typeof p.volumes_from === 'string' ? (p.volumes_from ? [p.volumes_from] : []) : stringList(p.volumes_from, at('volumes_from'));
  const restart = mapping(p.restart_policy, at('restart_policy'));
  const privileged = flag(p.privileged);
  const number = (value: Json | undefined) => (typeof value === 'number' && value > 0 ? value : undefined);
  return {
    name: typeof p.name === 'string' && p.name !== '' ? p.name : `${req.stack}-${req.resource}${req.copy ? `-${req.copy}` : ''}`.replace(/[^a-zA-Z0-9_.-]/g, '-'),
    Image: p.image,
    Cmd: cmd.length > 0 ? cmd : undefined,
    Env: stringList(p.env, at('env')),
    Hostname: typeof p.hostname === 'string' && p.hostname ? p.hostname : undefined,
    User: typeof p.user === 'string' && p.user ? p.user : undefined,
    Tty: flag(p.tty),
    OpenStdin: flag(p.open_stdin),
    StdinOnce: flag(p.stdin_once),
    // Only the 2013 type sets these; a detached container attaches nothing otherwise.
    AttachStdin: flag(p.attach_stdin),
    AttachStdout: p.attach_stdout === undefined ? undefined : flag(p.attach_stdout),
    AttachStderr: p.attach_stderr === undefined ? undefined : flag(p.attach_stderr),
    ExposedPorts: exposed,
    Volumes: volumes,
    Labels: identityLabels(req),
    Healthcheck: healthcheckConfig(p.healthcheck, at('healthcheck')),
    HostConfig: {
      PortBindings: bindings,
      Links: links,
      Binds: binds,
      VolumesFrom: volumesFrom,
      Privileged: privileged,
      Memory: number(p.memory),
      Dns: stringList(p.dns, at('dns')),
      CapAdd: stringList(p.cap_add, at('cap_add')),
      CapDrop: stringList(p.cap_drop, at('cap_drop')),
      ReadonlyRootfs: flag(p.read_only),
      CpuShares: number(p.cpu_shares),
      CpusetCpus: typeof p.cpu_set === 'string' && p.cpu_set ? p.cpu_set : undefined,
      // As Heat: a privileged container sees every device already.
      Devices: privileged ? [] : deviceSpecs(p.devices, at('devices')),
      RestartPolicy: typeof restart.Name === 'string' && restart.Name !== 'no'
        ? { Name: restart.Name, MaximumRetryCount: restart.Name === 'on-failure' ? Number(restart.MaximumRetryCount ?? 0) : 0 }
        : undefined,
    },
  };
}

/** The Docker API version each newer property needs, as Heat's plugin checks before using it. */
const MIN_API_VERSION: Readonly<Record<string, string>> = { read_only: '1.17', cpu_shares: '1.8', devices: '1.14', cpu_set: '1.12' };

/** Whether API version `a` ("1.41") is older than `b`. */
export function olderApi(a: string, b: string): boolean {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor < bMajor || (aMajor === bMajor && aMinor < bMinor);
}

/** The first property set in `properties` that the engine's API is too old for; asks the engine only if one is set. */
async function engineLacks(docker: Docker, properties: JsonObject): Promise<{ property: string; minimum: string; engine: string } | undefined> {
  const used = Object.keys(MIN_API_VERSION).filter((name) => {
    const value = properties[name];
    return value !== undefined && value !== null && value !== false && value !== 0 && value !== '' && !(Array.isArray(value) && value.length === 0);
  });
  if (used.length === 0) return undefined;
  // dockerode's version() takes request options, though its types do not say so.
  const version = docker.version as unknown as (options: object) => Promise<Docker.DockerVersion>;
  const engine = (await version.call(docker, abandonOnCancel())).ApiVersion;
  const property = used.find((name) => olderApi(engine, MIN_API_VERSION[name]!));
  return property ? { property, minimum: MIN_API_VERSION[property]!, engine } : undefined;
}

/** The containers of this copy of the resource: another copy, made beside it by a stack update, is not its to adopt or delete. */
async function findByLabels(docker: Docker, req: ExistingResourceRequest | CreateResourceRequest): Promise<string[]> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${LABEL_STACK_ID}=${req.stackId}`, `${LABEL_RESOURCE}=${req.resource}`] }, ...abandonOnCancel() });
  return found.filter((c) => isCopy(c.Labels, req)).map((c) => c.Id);
}

/** `busybox` → `busybox:latest`; a reference with a tag or a digest is kept as written. */
export function imageReference(image: string): string {
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return image.includes('@') || lastPart.includes(':') ? image : `${image}:latest`;
}

/** Pull failures that a later attempt can get past: the registry is still starting or briefly away. */
const TRANSIENT_PULL = /connection refused|connection reset|i\/o timeout|timeout exceeded|TLS handshake timeout|temporarily unavailable|too many requests|EOF$/i;

/** One line of the engine's pull stream; `progressDetail` counts a layer's bytes while it downloads. */
interface PullEvent { status?: string; progress?: string; id?: string; progressDetail?: { current?: number; total?: number } }

/**
 * The bytes of a pull summed over its layers, for the heartbeat that `stack create --wait` draws as a bar.
 * A layer's size is known only once it starts downloading, so `size` grows while the first layers wait.
 */
export class PullTally {
  private readonly layers = new Map<string, { downloaded: number; size: number; done: boolean }>();

  add(event: PullEvent): { downloaded: number; size: number; layers: number; layersDone: number } {
    if (event.id && /^(Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete|Already exists)$/.test(event.status ?? '')) {
      const layer = this.layers.get(event.id) ?? { downloaded: 0, size: 0, done: false };
      if (event.status === 'Downloading' && event.progressDetail?.total) {
        layer.size = event.progressDetail.total;
        layer.downloaded = event.progressDetail.current ?? layer.downloaded;
      }
      if (/^(Download complete|Extracting|Pull complete|Already exists)$/.test(event.status!)) layer.downloaded = layer.size;
      if (/^(Pull complete|Already exists)$/.test(event.status!)) layer.done = true;
      this.layers.set(event.id, layer);
    }
    let downloaded = 0;
    let size = 0;
    let layersDone = 0;
    for (const layer of this.layers.values()) {
      downloaded += layer.downloaded;
      size += layer.size;
      if (layer.done) layersDone += 1;
    }
    return { downloaded, size, layers: this.layers.size, layersDone };
  }
}

/**
 * Pulls `image` unless the engine has it, logging the registry's progress and reporting it in heartbeats.
 * The registry login goes along only when `withLogin`: the engine receives it in the clear.
 * Returns the image to run: `image`, or stoke's stand-in for it when it can be had neither way.
 */
async function ensureImage(docker: Docker, image: string, resource: string, withLogin: boolean, standins: Readonly<Record<string, string>>): Promise<string> {
  try {
    await docker.getImage(image).inspect();
    return image;
  } catch (err) {
    if (classifyDockerError(err) !== 'gone') rethrowDockerError(err, `inspecting image ${image}`);
  }
  const reference = imageReference(image);
  const login = registryAuth(reference);
  const auth = withLogin ? login : undefined;
  if (login && !auth) log.warn('pulling without the registry login: this engine is not in STOKE_REGISTRY_AUTH_ENDPOINTS', { image: reference });
  log.info('pulling image', { image: reference, registry: auth ? auth.serveraddress : 'anonymous' });
  let lastLog = 0;
  const pulled = new PullTally();
  try {
    stopIfCancelled();
    const stream = (await docker.createImage({ fromImage: reference, ...(auth ? { authconfig: auth } : {}), ...abandonOnCancel() } as never)) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null, events: { error?: string }[]) => {
          const failed = err ?? events.find((event) => event.error);
          if (failed) reject(failed instanceof Error ? failed : new StokeError('ImagePullFailed', failed.error ?? 'the pull failed'));
          else resolve();
        },
        (event: PullEvent) => {
          heartbeat({ resource, pulling: reference, layer: event.id, status: event.status, progress: event.progress, ...pulled.add(event) });
          // Byte counters arrive many times a second; layer state changes are what a reader follows.
          const now = Date.now();
          if (!event.progress || now - lastLog > 2000) {
            lastLog = now;
            log.info('pull progress', { image: reference, layer: event.id, status: event.status, progress: event.progress });
          }
        }
      );
    });
  } catch (err) {
    stopIfCancelled();
    const message = dockerMessage(err);
    if ((err as DockerError).statusCode === undefined && (err as DockerError).code) rethrowDockerError(err, `pulling image ${reference}`);
    if (TRANSIENT_PULL.test(message)) throw new StokeError('ImagePullTransient', `pulling image ${reference}: ${message}`);
    const standin = standins[reference];
    if (standin && (await docker.getImage(standin).inspect().then(() => true, () => false))) {
      log.warn('image could not be pulled: running stoke\'s stand-in for it', { image: reference, standin, error: message });
      return standin;
    }
    const hint = standin ? ` (stoke's stand-in ${standin} is not built either: \`stoke images build\` builds it)` : '';
    throw ApplicationFailure.nonRetryable(`image '${image}' is not on the engine and could not be pulled: ${message}${hint}`, 'ImageNotFound');
  }
  // Ends the bar of `--wait`, which reads the last heartbeat while the container is made and started.
  heartbeat({ resource, pulled: reference });
  log.info('pulled image', { image: reference });
  return image;
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

/**
 * The container's output so far; as the 2013 plugin did, waits up to 10 s for a first line, since a
 * container that has just started may not have printed anything yet. A TTY's CRLFs read as lines.
 */
async function firstLogs(container: Docker.Container): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const logs = (await logsOf(container)).replace(/\r\n/g, '\n').replace(/\n$/, '');
    if (logs || Date.now() > deadline) return logs;
    heartbeat({ waiting: 'first logs' });
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
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
  const logs = wanted.some((name) => name.startsWith('logs')) ? await firstLogs(container) : '';
  for (const name of wanted) {
    switch (name) {
      case 'info':
      case 'show': out[name] = JSON.parse(JSON.stringify(info)) as Json; break;
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

/**
 * A create run as a local activity (RunProfile.creates) never waits, since the workflow task it holds open keeps
 * signals and cancels out until it ends: where the engine lacks the image, or the container is not yet running
 * or healthy, it hands the rest to an ordinary activity, which heartbeats through the pull and the waits and
 * adopts the container this attempt made.
 */
function handOver(reason: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${reason}: an ordinary activity goes on with the create`, HAND_OVER);
}

/** Waits until the container runs (or has exited 0, a one-shot command); a failed start fails the resource. */
async function waitRunning(container: Docker.Container, local: boolean): Promise<Docker.ContainerInspectInfo> {
  for (;;) {
    const info = await container.inspect();
    if (info.State.Running || (info.State.Status === 'exited' && info.State.ExitCode === 0)) return info;
    if (info.State.Status === 'exited' || info.State.Status === 'dead') {
      const tail = (await logsOf(container)).trim().split('\n').slice(-5).join('\n');
      throw ApplicationFailure.nonRetryable(`container exited with code ${info.State.ExitCode}${info.State.Error ? `: ${info.State.Error}` : ''}${tail ? `; last output:\n${tail}` : ''}`, 'ContainerExited');
    }
    if (local) throw handOver(`the container is ${info.State.Status}, not yet running`);
    heartbeat({ waiting: 'container start', status: info.State.Status });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Between looks at a container's health: Docker's own checks seldom run more than once a second. */
const HEALTH_POLL_MS = 500;

/**
 * Waits, when the container has a health check (its image's or the template's), until Docker reports it
 * healthy: dependents must not start against a service that is up but not yet serving. Unhealthy fails the
 * resource with the check's last output; the stack's timeout ends a wait that never settles by cancelling.
 */
async function waitHealthy(container: Docker.Container, started: Docker.ContainerInspectInfo, local: boolean): Promise<Docker.ContainerInspectInfo> {
  let info = started;
  for (;;) {
    const health = info.State.Health;
    // Docker says 'none' for a check the template disabled over the image's.
    if (!health || health.Status === 'healthy' || health.Status === 'none') return info;
    if (health.Status === 'unhealthy') {
      const last = health.Log?.at(-1);
      const output = last ? `; last check (exit code ${last.ExitCode}):\n${last.Output.trim()}` : '';
      throw ApplicationFailure.nonRetryable(`container is unhealthy after ${health.FailingStreak} failed health checks${output}`, 'ContainerUnhealthy');
    }
    if (!info.State.Running) return waitRunning(container, local);
    if (local) throw handOver(`the container's health is ${health.Status}`);
    heartbeat({ waiting: 'container health', status: health.Status, failingStreak: health.FailingStreak });
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    stopIfCancelled();
    info = await container.inspect(abandonOnCancel());
  }
}

/** A new container for the resource, or the one an earlier attempt made under the same name. */
async function newContainer(docker: Docker, req: CreateResourceRequest, spec: Docker.ContainerCreateOptions, endpoint: string, withLogin: boolean,
  standins: Readonly<Record<string, string>>): Promise<string> {
  const tooOld = await engineLacks(docker, req.properties);
  if (tooOld) invalid(`resources.${req.resource}.properties.${tooOld.property}`, `"${tooOld.property}" is not supported for API version < "${tooOld.minimum}" (the engine at ${endpoint} speaks ${tooOld.engine})`);
  try {
    return await createOrAdopt(docker, req, spec);
  } catch (err) {
    // As `docker run`: the image is looked for, and pulled, only when the engine says it lacks it.
    if (classifyDockerError(err) !== 'gone') throw err;
    if (activityInfo().isLocal) throw handOver(`the engine at ${endpoint} lacks the image ${spec.Image}`);
    const image = await ensureImage(docker, spec.Image!, req.resource, withLogin, standins);
    if (image === spec.Image) return createOrAdopt(docker, req, spec);
    // The label says on the container itself what it runs instead of the image the template names.
    return createOrAdopt(docker, req, { ...spec, Image: image, Labels: { ...spec.Labels, [LABEL_STANDIN_FOR]: spec.Image! } });
  }
}

async function createOrAdopt(docker: Docker, req: CreateResourceRequest, spec: Docker.ContainerCreateOptions): Promise<string> {
  try {
    stopIfCancelled();
    return (await docker.createContainer(spec)).id;
  } catch (err) {
    if (classifyDockerError(err) !== 'conflict') throw err;
    // A name conflict is ours to adopt only if the container carries this resource's labels.
    const existing = await docker.getContainer(spec.name!).inspect();
    if (!isCopy(existing.Config.Labels, req)) throw err;
    return existing.Id;
  }
}

/** What another container type (OS::Zun::Container) sets that Heat's Docker plugin has no property for. */
export interface ContainerExtras {
  readonly workingDir?: string;
  /** The template's own labels: stoke's identity labels win over them. */
  readonly labels?: Readonly<Record<string, string>>;
}

export async function createContainer(req: CreateResourceRequest, defaultEndpoint: string, policy: EndpointPolicy = {},
  standins: Readonly<Record<string, string>> = DEFAULT_CATALOG.standins, extras: ContainerExtras = {}): Promise<CreatedResource> {
  const endpoint = endpointOf(req, defaultEndpoint, policy);
  const docker = dockerFor(endpoint);
  const spec = containerSpec(req);
  if (extras.workingDir) spec.WorkingDir = extras.workingDir;
  spec.Labels = { ...extras.labels, ...spec.Labels, [LABEL_ENGINE]: endpoint };
  try {
    // A retry looks for what an earlier attempt made; a first attempt saves the engine the search, and one that
    // goes on after a local create's hand-over meets that create's container as a name conflict and adopts it there.
    let [id] = activityInfo().attempt > 1 ? await findByLabels(docker, req) : [];
    if (id) log.info('adopting the container an earlier attempt created', { resource: req.resource, id });
    for (let recreations = 0; ; recreations++) {
      id ??= await newContainer(docker, req, spec, endpoint, mayReceiveLogins(endpoint, defaultEndpoint, policy), standins);
      try {
        stopIfCancelled();
        await docker.getContainer(id).start();
        break;
      } catch (err) {
        if ((err as DockerError).statusCode === 304) break;
        if (!ORPHANED_TASK.test(dockerMessage(err))) throw err;
        if (recreations === ORPHANED_TASK_RECREATIONS) {
          throw ApplicationFailure.nonRetryable(`the engine refused to start ${recreations + 1} containers in a row: ${dockerMessage(err)}`, 'DockerTaskOrphaned');
        }
        log.warn('the engine kept the task of an interrupted start and refuses this container; replacing it', { resource: req.resource, id });
        await docker.getContainer(id).remove({ v: true, force: true });
        id = undefined;
      }
    }
    const container = docker.getContainer(id);
    const local = activityInfo().isLocal;
    const info = await waitHealthy(container, await waitRunning(container, local), local);
    return { physicalId: id, attributes: await attributesOf(container, info, req.attributes) };
  } catch (err) {
    rethrowDockerError(err, `creating container for ${req.resource} on ${endpoint}`);
  }
}

/**
 * The container a resource takes over, found by its id: for a stack adopt, the abandoned stack's, and one whose
 * labels give it to another stack or resource is refused (its stack's delete or sweep would take it from this
 * one); for an external_id, any container, since this stack never deletes it.
 */
export async function inspectAdopted(docker: Docker, req: AdoptResourceRequest, endpoint: string): Promise<Docker.ContainerInspectInfo> {
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(req.physicalId).inspect(abandonOnCancel());
  } catch (err) {
    if (classifyDockerError(err) === 'gone') {
      throw ApplicationFailure.nonRetryable(`container ${req.physicalId} to adopt is not on the engine at ${endpoint}`, 'AdoptedResourceMissing');
    }
    rethrowDockerError(err, `inspecting container ${req.physicalId} of ${req.resource} on ${endpoint}`);
  }
  const labels = info.Config.Labels ?? {};
  const owner = { stackId: labels[LABEL_STACK_ID], resource: labels[LABEL_RESOURCE] };
  if (!req.external && ((owner.stackId && owner.stackId !== req.stackId) || (owner.resource && owner.resource !== req.resource))) {
    throw ApplicationFailure.nonRetryable(`container ${req.physicalId} belongs to resource '${owner.resource ?? ''}' of stack id ${owner.stackId ?? ''}, `
      + `not to '${req.resource}' of stack id ${req.stackId}`, 'AdoptedResourceMismatch');
  }
  return info;
}

/** Heat's adopt of a container: read as a create would have read it, and neither recreated nor restarted. */
export async function adoptContainer(req: AdoptResourceRequest, defaultEndpoint: string, policy: EndpointPolicy = {}): Promise<CreatedResource> {
  const endpoint = endpointOf(req, defaultEndpoint, policy);
  const docker = dockerFor(endpoint);
  const info = await inspectAdopted(docker, req, endpoint);
  try {
    return { physicalId: info.Id, attributes: await attributesOf(docker.getContainer(info.Id), info, req.attributes) };
  } catch (err) {
    rethrowDockerError(err, `reading container ${req.physicalId} of ${req.resource} on ${endpoint}`);
  }
}

export async function deleteContainer(req: DeleteResourceRequest, defaultEndpoint: string, policy: EndpointPolicy = {}): Promise<void> {
  let endpoint = String(req.properties.docker_endpoint || defaultEndpoint);
  try {
    endpoint = endpointOf(req, defaultEndpoint, policy);
    const docker = dockerFor(endpoint);
    // A first attempt that knows its container deletes that one and saves the engine a search of all its
    // containers (200 deletes made it 200 full listings); a retry, or a create that never returned its id,
    // looks for what an earlier attempt made. The stack's delete sweeps its labels once at the end.
    const ids = new Set(req.physicalId && activityInfo().attempt === 1 ? [] : await findByLabels(docker, req));
    if (req.physicalId) ids.add(req.physicalId);
    for (const id of ids) {
      const container = docker.getContainer(id);
      try {
        await container.stop({ t: STOP_GRACE_SECONDS });
      } catch (err) {
        if (classifyDockerError(err) === 'gone') continue;
        if ((err as DockerError).statusCode !== 304) throw err;
      }
      // Gone already, or its removal under way from an earlier attempt: either way done.
      await container.remove({ v: true, force: true }).catch(unlessGone);
    }
  } catch (err) {
    try {
      rethrowDockerError(err, `deleting container of ${req.resource} on ${endpoint}`);
    } catch (failure) {
      // A create that never got an id from an endpoint refusing our requests made nothing there to delete.
      if (!req.physicalId && failure instanceof ApplicationFailure && failure.nonRetryable) {
        log.warn('nothing to delete: the endpoint refuses requests and the create never made a container', { resource: req.resource, reason: failure.message });
        return;
      }
      throw failure;
    }
  }
}

/**
 * A stack update's change in place, `docker update`: the container keeps its id and keeps running. Values
 * left out are set back to what a create without them gives, since Docker's update leaves a zero unchanged.
 */
export async function updateContainer(req: UpdateResourceRequest, defaultEndpoint: string, policy: EndpointPolicy = {}): Promise<CreatedResource> {
  const endpoint = endpointOf(req, defaultEndpoint, policy);
  const container = dockerFor(endpoint).getContainer(req.physicalId);
  const { Memory, CpuShares, CpusetCpus, RestartPolicy } = containerSpec(req).HostConfig!;
  try {
    stopIfCancelled();
    await container.update({
      // Docker's default swap at create is twice the memory; without it a larger limit than the old swap is refused.
      ...(Memory ? { Memory, MemorySwap: 2 * Memory } : {}),
      CpuShares: CpuShares ?? 0,
      CpusetCpus: CpusetCpus ?? '',
      RestartPolicy: RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
    });
    return { physicalId: req.physicalId, attributes: await attributesOf(container, await container.inspect(), req.attributes) };
  } catch (err) {
    rethrowDockerError(err, `updating container of ${req.resource} on ${endpoint}`);
  }
}

/**
 * Pauses (suspend) or unpauses (resume) a resource's container. Repeating either is harmless: Docker's
 * "already paused" and "not paused" answers mean the work is done.
 */
async function setPaused(req: SuspendResourceRequest, defaultEndpoint: string, policy: EndpointPolicy, paused: boolean): Promise<void> {
  const endpoint = endpointOf(req, defaultEndpoint, policy);
  const what = `${paused ? 'pausing' : 'unpausing'} container of ${req.resource} on ${endpoint}`;
  const container = dockerFor(endpoint).getContainer(req.physicalId);
  try {
    if (paused) await container.pause();
    else await container.unpause();
  } catch (err) {
    const message = dockerMessage(err);
    if (classifyDockerError(err) === 'conflict' && (paused ? /already paused/i : /not paused/i).test(message)) return;
    rethrowDockerError(err, what);
  }
}

export const pauseContainer = (req: SuspendResourceRequest, defaultEndpoint: string, policy: EndpointPolicy = {}) => setPaused(req, defaultEndpoint, policy, true);
export const unpauseContainer = (req: SuspendResourceRequest, defaultEndpoint: string, policy: EndpointPolicy = {}) => setPaused(req, defaultEndpoint, policy, false);

/**
 * Heat's check of a container: it exists, runs (or exited 0, a one-shot command; or is paused, by a
 * suspend) and runs the template's image, or the stand-in its label says it runs for that image.
 */
export async function checkContainer(req: ExistingResourceRequest, defaultEndpoint: string, policy: EndpointPolicy = {}): Promise<void> {
  const endpoint = endpointOf(req, defaultEndpoint, policy);
  const id = req.physicalId.slice(0, 12);
  let info: Docker.ContainerInspectInfo;
  try {
    info = await dockerFor(endpoint).getContainer(req.physicalId).inspect();
  } catch (err) {
    if (classifyDockerError(err) === 'gone') throw drifted(`container ${id} is gone`);
    rethrowDockerError(err, `inspecting container of ${req.resource} on ${endpoint}`);
  }
  const state = info.State;
  if (!state.Running && !(state.Status === 'exited' && state.ExitCode === 0)) {
    throw drifted(`container ${id} is not running (${state.Status}${state.Status === 'exited' ? `, exit code ${state.ExitCode}` : ''})`);
  }
  const expected = String(req.properties.image ?? '');
  const runs = info.Config.Labels?.[LABEL_STANDIN_FOR] ?? info.Config.Image;
  if (imageReference(runs) !== imageReference(expected)) throw drifted(`container ${id} runs image ${runs}, not ${expected}`);
}
