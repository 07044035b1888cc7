/** OS::Zun::Container's lifecycle: its properties in DockerInc::Docker::Container's names, run by the Docker handler. */
import { ApplicationFailure } from '@temporalio/common';
import type { Json, JsonObject } from '../../template/types';
import { createContainer, checkContainer, deleteContainer, pauseContainer, unpauseContainer } from '../docker/handler';
import type { CreateResourceRequest, ExistingResourceRequest, HandlerContext } from '../plugin';
import { DEFAULT_NETWORK_LABEL } from '../servers/server';
import { restartPolicy } from '.';

const isMap = (value: Json | undefined): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

function invalid(req: { resource: string }, property: string, message: string): never {
  throw ApplicationFailure.nonRetryable(`resources.${req.resource}.properties.${property}: ${message}`, 'InvalidProperty');
}

/** Python's shlex.split, as Heat splits Zun's command: words by blanks, quotes and backslashes as a POSIX shell reads them; undefined where it raises. */
export function shellWords(command: string): string[] | undefined {
  const words: string[] = [];
  // Undefined between words; a word begun by quotes may stay empty ('' is a word).
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < command.length && '\\"$`'.includes(command[i + 1]!)) word += command[++i]!;
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word ??= '';
      if (c === '"' || c === "'") quote = c;
      else if (c === '\\') {
        if (i + 1 === command.length) return undefined;
        word += command[++i];
      } else word += c;
    }
  }
  if (quote) return undefined;
  if (word !== undefined) words.push(word);
  return words;
}

/** The container's properties as DockerInc::Docker::Container names them, and what that type has no property for. */
export function dockerProperties(req: CreateResourceRequest): { properties: JsonObject; workingDir?: string; labels: Record<string, string> } {
  const p = req.properties;
  const properties: JsonObject = { image: p.image ?? null };
  if (typeof p.name === 'string' && p.name !== '') properties.name = p.name;
  if (typeof p.command === 'string' && p.command.trim() !== '') {
    properties.cmd = shellWords(p.command) ?? invalid(req, 'command', `'${p.command}' ends inside quotes or after a backslash`);
  }
  if (isMap(p.environment)) properties.env = Object.entries(p.environment).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (typeof p.memory === 'number') properties.memory = p.memory * 1024 * 1024;
  if (typeof p.hostname === 'string') properties.hostname = p.hostname;
  if (p.interactive === true) properties.open_stdin = true;
  if (p.tty === true) properties.tty = true;
  if (typeof p.restart_policy === 'string' && p.restart_policy !== '') {
    properties.restart_policy = restartPolicy(p.restart_policy) ?? invalid(req, 'restart_policy', `"${p.restart_policy}" is not a restart policy`);
  }
  const volumes: JsonObject = {};
  for (const mount of Array.isArray(p.mounts) ? p.mounts : []) {
    if (!isMap(mount) || typeof mount.mount_path !== 'string') continue;
    // A volume by name is mounted as Docker mounts named volumes; a size asks for a new, anonymous one.
    volumes[typeof mount.volume_id === 'string' && mount.volume_id ? mount.volume_id : mount.mount_path] = typeof mount.volume_id === 'string' && mount.volume_id ? mount.mount_path : {};
  }
  if (Object.keys(volumes).length > 0) properties.volumes = volumes;
  const labels = isMap(p.labels) ? Object.fromEntries(Object.entries(p.labels).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) : {};
  return { properties, labels, ...(typeof p.workdir === 'string' && p.workdir ? { workingDir: p.workdir } : {}) };
}

interface InspectedNetwork {
  IPAddress?: string;
  GlobalIPv6Address?: string;
  NetworkID?: string;
}

/** Zun's addresses from docker inspect: by network name (the default network as Nova calls it) and by id. */
export function zunAttributes(show: Json | undefined): JsonObject {
  const info = isMap(show) ? show : {};
  const settings = isMap(info.NetworkSettings) ? info.NetworkSettings : {};
  const networks = (isMap(settings.Networks) ? settings.Networks : {}) as Record<string, InspectedNetwork>;
  const addresses: JsonObject = {};
  for (const [name, net] of Object.entries(networks)) {
    const entries = [net.IPAddress, net.GlobalIPv6Address].filter((ip): ip is string => Boolean(ip)).map((addr) => ({ addr, version: addr.includes(':') ? 6 : 4 }));
    addresses[name === 'bridge' ? DEFAULT_NETWORK_LABEL : name] = entries;
    if (net.NetworkID) addresses[net.NetworkID] = entries;
  }
  return { name: typeof info.Name === 'string' ? info.Name.replace(/^\//, '') : '', addresses };
}

export async function createZunContainer(req: CreateResourceRequest, ctx: HandlerContext) {
  const { properties, workingDir, labels } = dockerProperties(req);
  const created = await createContainer({ ...req, properties, attributes: ['show'] }, ctx.dockerEndpoint, ctx.endpointPolicy, ctx.catalog.standins, { workingDir, labels });
  const all: JsonObject = { ...zunAttributes(created.attributes.show), show: created.attributes.show ?? null };
  return { physicalId: created.physicalId, attributes: Object.fromEntries(req.attributes.filter((name) => name in all).map((name) => [name, all[name]!])) };
}

/** The Docker handler finds the container by its id and labels; of Zun's properties only the image matters to it (a check compares it). */
const asDocker = (req: ExistingResourceRequest): ExistingResourceRequest => ({ ...req, properties: { image: req.properties.image ?? null } });

export const deleteZunContainer = (req: ExistingResourceRequest, ctx: HandlerContext) => deleteContainer(asDocker(req), ctx.dockerEndpoint, ctx.endpointPolicy);
export const pauseZunContainer = (req: ExistingResourceRequest, ctx: HandlerContext) => pauseContainer(asDocker(req), ctx.dockerEndpoint, ctx.endpointPolicy);
export const unpauseZunContainer = (req: ExistingResourceRequest, ctx: HandlerContext) => unpauseContainer(asDocker(req), ctx.dockerEndpoint, ctx.endpointPolicy);
export const checkZunContainer = (req: ExistingResourceRequest, ctx: HandlerContext) => checkContainer(asDocker(req), ctx.dockerEndpoint, ctx.endpointPolicy);
