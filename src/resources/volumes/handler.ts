/**
 * Volumes as Docker local volumes on the worker's engine, and attachments that check the mount their server
 * booted with. What a local volume cannot do (a size, a type, a zone, contents from an image or snapshot) is
 * recorded and said so in the volume's `show`.
 */
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type Docker from 'dockerode';
import { classifyDockerError, dockerFor, dockerMessage, drifted, identityLabels, LABEL_RESOURCE, LABEL_STACK_ID, rethrowDockerError, stopIfCancelled } from '../../../activities/docker';
import type { Json, JsonObject } from '../../template/types';
import type {
  AdoptResourceRequest, CreatedResource, CreateResourceRequest, DeleteResourceRequest, ExistingResourceRequest, HandlerContext, ResourceRequest, UpdateResourceRequest,
} from '../plugin';
import { siblingLookup } from '../siblings';

const str = (value: Json | undefined): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

type VolumeIdentity = Pick<ResourceRequest, 'stack' | 'stackId' | 'resource' | 'root'>;

/** The engine's volume of a resource: unique to its stack, so a volume a deleted stack retained is never taken by a new one. */
export function volumeName(req: VolumeIdentity): string {
  return `${req.stack}-${req.resource}-${req.stackId.slice(0, 8)}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** The volume's metadata in either type's spelling: Cinder's metadata map, or CFN Tags. */
function metadataOf(req: ResourceRequest): Record<string, string> {
  const p = req.properties;
  if (Array.isArray(p.Tags)) return Object.fromEntries(p.Tags.map((t) => [str((t as JsonObject).Key), str((t as JsonObject).Value)]));
  const meta = p.metadata && typeof p.metadata === 'object' && !Array.isArray(p.metadata) ? p.metadata : {};
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, str(v)]));
}

/** The volumes that carry the resource's labels: what an earlier attempt made. */
async function labelled(docker: Docker, req: VolumeIdentity): Promise<Docker.VolumeInspectInfo[]> {
  const found = await docker.listVolumes({ filters: { label: [`${LABEL_STACK_ID}=${req.stackId}`, `${LABEL_RESOURCE}=${req.resource}`] } });
  return found.Volumes ?? [];
}

function attributesOf(req: ResourceRequest, info: Docker.VolumeInspectInfo & { CreatedAt?: string }): JsonObject {
  if (req.type === 'AWS::EC2::Volume') return {};
  const p = req.properties;
  const metadata = metadataOf(req);
  const show: JsonObject = {
    id: info.Name, name: str(p.name), description: str(p.description), size: p.size ?? null, status: 'available', volume_type: str(p.volume_type),
    metadata, driver: info.Driver, mountpoint_on_engine: info.Mountpoint,
    not_enforced: 'a Docker local volume has no size, type or zone, and starts empty: size, volume_type, availability_zone, image, snapshot_id, source_volid and backup_id are recorded only',
  };
  return {
    display_name: str(p.name), display_description: str(p.description), size: p.size ?? null, status: 'available', volume_type: str(p.volume_type),
    availability_zone: str(p.availability_zone) || 'nova', bootable: str(p.image) !== '', encrypted: false, metadata: JSON.stringify(metadata),
    metadata_values: metadata, snapshot_id: str(p.snapshot_id), source_volid: str(p.source_volid), created_at: info.CreatedAt ?? '',
    attachments: [], multiattach: p.multiattach === true, show,
  };
}

/**
 * The resource's volume: the one an earlier attempt (or the server that mounts it, when the volume comes after
 * its server) made, else a new one with the resource's labels and `labels`.
 */
export async function ensureVolume(docker: Docker, volume: VolumeIdentity, labels: Record<string, string> = {}): Promise<Docker.VolumeInspectInfo> {
  const [found] = await labelled(docker, volume);
  if (found) return found;
  stopIfCancelled();
  await docker.createVolume({ Name: volumeName(volume), Driver: 'local', Labels: { ...labels, ...identityLabels(volume) } });
  return docker.getVolume(volumeName(volume)).inspect();
}

export async function createVolume(req: CreateResourceRequest, ctx: HandlerContext): Promise<CreatedResource> {
  const meta = Object.fromEntries(Object.entries(metadataOf(req)).map(([k, v]) => [`org.stoke.meta.${k}`, v]));
  try {
    const info = await ensureVolume(dockerFor(ctx.dockerEndpoint), req, meta);
    return { physicalId: info.Name, attributes: attributesOf(req, info) };
  } catch (err) {
    rethrowDockerError(err, `creating volume ${req.resource}`);
  }
}

/** Only the record changes: a local volume has nothing to resize or retype. As in Heat, a volume never shrinks. */
export async function updateVolume(req: UpdateResourceRequest, ctx: HandlerContext): Promise<CreatedResource> {
  const [before, after] = [req.previous.size, req.properties.size];
  if (typeof before === 'number' && (typeof after !== 'number' || after < before)) {
    throw ApplicationFailure.nonRetryable(`resources.${req.resource}.properties.size: a volume can only grow (from ${before} to ${str(after) || 'unset'})`, 'InvalidProperty');
  }
  return { physicalId: req.physicalId, attributes: attributesOf(req, await inspect(req, ctx)) };
}

async function inspect(req: ExistingResourceRequest, ctx: HandlerContext): Promise<Docker.VolumeInspectInfo> {
  try {
    return await dockerFor(ctx.dockerEndpoint).getVolume(req.physicalId).inspect();
  } catch (err) {
    if (classifyDockerError(err) === 'gone') throw drifted(`volume ${req.physicalId} is gone`);
    rethrowDockerError(err, `inspecting volume ${req.resource}`);
  }
}

export async function checkVolume(req: ExistingResourceRequest, ctx: HandlerContext): Promise<void> {
  await inspect(req, ctx);
}

export async function adoptVolume(req: AdoptResourceRequest, ctx: HandlerContext): Promise<CreatedResource> {
  return { physicalId: req.physicalId, attributes: attributesOf(req, await inspect(req, ctx)) };
}

/**
 * Removes one volume. One still mounted by servers of its own stack only (a volume that refers to its server
 * is deleted before it) is left to the sweep that ends the stack's delete, once they are gone; one mounted by
 * anything else fails the delete, naming what holds it, as Cinder refuses to delete a volume in use.
 */
async function removeVolume(docker: Docker, req: DeleteResourceRequest, name: string): Promise<void> {
  stopIfCancelled();
  try {
    await docker.getVolume(name).remove();
  } catch (err) {
    const kind = classifyDockerError(err);
    if (kind === 'gone') return;
    if (kind !== 'conflict') rethrowDockerError(err, `deleting volume ${req.resource}`);
    const found = await docker.listContainers({ all: true, filters: { volume: [name] } });
    if (found.length > 0 && found.every((c) => c.Labels[LABEL_STACK_ID] === req.stackId)) {
      log.info('volume left to the stack\'s sweep: its own servers still mount it', { resource: req.resource, volume: name });
      return;
    }
    const holders = found.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')).join(', ') || 'a container';
    throw ApplicationFailure.nonRetryable(`volume ${name} is in use by ${holders}: ${dockerMessage(err)}`, 'VolumeInUse');
  }
}

export async function deleteVolume(req: DeleteResourceRequest, ctx: HandlerContext): Promise<void> {
  const docker = dockerFor(ctx.dockerEndpoint);
  const names = new Set((await labelled(docker, req).catch((err: unknown) => rethrowDockerError(err, `listing volumes of ${req.resource}`))).map((v) => v.Name));
  if (req.physicalId) names.add(req.physicalId);
  for (const name of names) await removeVolume(docker, req, name);
}

/** The attachment's server and volume, as the stack holds them, and where the server mounts it. */
function parts(req: CreateResourceRequest | ExistingResourceRequest) {
  const [serverProperty, volumeProperty, whereProperty] = req.type === 'AWS::EC2::VolumeAttachment' ? ['InstanceId', 'VolumeId', 'Device'] : ['instance_uuid', 'volume_id', 'mountpoint'];
  const lookup = siblingLookup(req);
  const server = lookup(str(req.properties[serverProperty]));
  const volume = lookup(str(req.properties[volumeProperty]));
  const invalid = (property: string, what: string) =>
    ApplicationFailure.nonRetryable(`resources.${req.resource}.properties.${property}: '${str(req.properties[property])}' is not ${what} of this stack`, 'InvalidProperty');
  if (!server) throw invalid(serverProperty!, 'a server');
  if (!volume) throw invalid(volumeProperty!, 'a volume');
  return { server, volume, mountpoint: str(req.properties[whereProperty!]) };
}

/** The server's mount of the volume, as its container has it. */
async function mountOf(req: CreateResourceRequest | ExistingResourceRequest, ctx: HandlerContext) {
  const { server, volume, mountpoint } = parts(req);
  let mounts: Docker.ContainerInspectInfo['Mounts'];
  try {
    mounts = (await dockerFor(ctx.dockerEndpoint).getContainer(server.physicalId).inspect()).Mounts;
  } catch (err) {
    if (classifyDockerError(err) === 'gone') throw drifted(`server ${server.name} (${server.physicalId.slice(0, 12)}) is gone`);
    rethrowDockerError(err, `inspecting server ${server.name}`);
  }
  const mount = mounts.find((m) => m.Type === 'volume' && m.Name === volume.physicalId && (!mountpoint || m.Destination === mountpoint));
  if (!mount) {
    throw drifted(`server ${server.name} does not mount volume ${volume.physicalId}${mountpoint ? ` at ${mountpoint}` : ''}: `
      + 'a server mounts the volumes its attachments name when it boots, and this one was booted without it');
  }
  return { server, volume, mount };
}

export async function createAttachment(req: CreateResourceRequest, ctx: HandlerContext): Promise<CreatedResource> {
  const { server, volume, mount } = await mountOf(req, ctx);
  return {
    physicalId: `${volume.physicalId}@${server.physicalId.slice(0, 12)}`,
    attributes: { show: { server_id: server.physicalId, volume_id: volume.physicalId, device: mount.Destination, read_only: !mount.RW } },
  };
}

export async function checkAttachment(req: ExistingResourceRequest, ctx: HandlerContext): Promise<void> {
  await mountOf(req, ctx);
}
