/**
 * Volumes (OS::Cinder::Volume, AWS::EC2::Volume) and their attachments. A volume is a Docker local volume;
 * an attachment mounts it into its server's container. Docker adds no mount to a running container, so the
 * planner hands each server the volumes its attachments name and the server boots with them (see
 * src/template/plan-mounts.ts); the attachment checks the mount. A volume outlives the servers that mount it,
 * so its data survives a server's replacement.
 */
import type { ResourceHandler, ResourceType, RunProfile } from '../plugin';

/** The lifecycle code loads on the first call: validation and `resource type list` need the schemas only. */
const lifecycle = () => import('./handler');

const volumeHandler: ResourceHandler = {
  create: async (req, ctx) => (await lifecycle()).createVolume(req, ctx),
  delete: async (req, ctx) => (await lifecycle()).deleteVolume(req, ctx),
  check: async (req, ctx) => (await lifecycle()).checkVolume(req, ctx),
  adopt: async (req, ctx) => (await lifecycle()).adoptVolume(req, ctx),
};

const attachmentHandler: ResourceHandler = {
  create: async (req, ctx) => (await lifecycle()).createAttachment(req, ctx),
  check: async (req, ctx) => (await lifecycle()).checkAttachment(req, ctx),
};

const VOLUME: RunProfile = { where: 'activity' };
const ATTACHMENT: RunProfile = { where: 'activity', needs: ['siblings'] };

const RECORDED = 'Recorded only: a Docker local volume has no such thing.';

export const cinderVolume: ResourceType = {
  name: 'OS::Cinder::Volume',
  runs: VOLUME,
  handler: { ...volumeHandler, update: async (req, ctx) => (await lifecycle()).updateVolume(req, ctx) },
  mountRole: 'volume',
  snapshotKeeps: true,
  description: 'A Docker local volume, labelled with its stack and resource. deletion_policy Snapshot and Retain keep it when the stack goes.',
  properties: {
    size: { type: 'integer', range: { min: 1 }, updateAllowed: true, description: 'Size in GB: recorded (a local volume has no size); an update may only grow it, as in Heat.' },
    name: { type: 'string', updateAllowed: true, description: 'Display name (the engine\'s volume is <stack>-<resource>-<stack id>).' },
    description: { type: 'string', updateAllowed: true, description: 'Description.' },
    volume_type: { type: 'string', updateAllowed: true, description: RECORDED },
    metadata: { type: 'map', updateAllowed: true, description: 'Key/value metadata: volume labels org.stoke.meta.KEY at create; an update records it.' },
    read_only: { type: 'boolean', updateAllowed: true, description: 'Servers mount it read-only (a change applies to servers booted after it).' },
    multiattach: { type: 'boolean', description: 'Recorded: a local volume can be mounted by any number of servers.' },
    availability_zone: { type: 'string', description: RECORDED },
    image: { type: 'string', description: 'Recorded only: the volume starts empty.' },
    snapshot_id: { type: 'string', description: 'Recorded only: the volume starts empty.' },
    source_volid: { type: 'string', description: 'Recorded only: the volume starts empty.' },
    backup_id: { type: 'string', description: 'Recorded only: the volume starts empty.' },
    scheduler_hints: { type: 'map', description: RECORDED },
  },
  attributes: {
    display_name: { description: 'Name of the volume.' },
    display_description: { description: 'Description of the volume.' },
    size: { description: 'Size in GB, as given (recorded).' },
    status: { description: '"available".' },
    volume_type: { description: 'As given.' },
    availability_zone: { description: 'As given, or "nova".' },
    bootable: { description: 'Whether an image was given.' },
    encrypted: { description: 'false.' },
    metadata: { description: 'Metadata, as JSON text.' },
    metadata_values: { description: 'Metadata as a map.' },
    snapshot_id: { description: 'As given.' },
    source_volid: { description: 'As given.' },
    created_at: { description: 'When the engine made the volume.' },
    attachments: { description: 'None at the volume\'s create (servers mount it after): an empty list.' },
    multiattach: { description: 'As given.' },
    show: { description: 'All details, including what a local volume does not enforce.' },
  },
};

export const ec2Volume: ResourceType = {
  name: 'AWS::EC2::Volume',
  runs: VOLUME,
  handler: volumeHandler,
  mountRole: 'volume',
  snapshotKeeps: true,
  description: 'A Docker local volume (CFN format), as OS::Cinder::Volume. DeletionPolicy Snapshot and Retain keep it.',
  properties: {
    AvailabilityZone: { type: 'string', required: true, description: RECORDED },
    Size: { type: 'integer', range: { min: 1 }, description: 'Size in GB: recorded (a local volume has no size).' },
    SnapshotId: { type: 'string', description: 'Recorded only: the volume starts empty.' },
    Tags: {
      type: 'list', description: 'Tags: volume labels org.stoke.meta.KEY.',
      items: { type: 'map', description: 'A tag.', keys: { Key: { type: 'string', required: true, description: 'Tag key.' }, Value: { type: 'string', required: true, description: 'Tag value.' } } },
    },
  },
  attributes: {},
};

export const cinderVolumeAttachment: ResourceType = {
  name: 'OS::Cinder::VolumeAttachment',
  runs: ATTACHMENT,
  handler: attachmentHandler,
  attaches: { server: 'instance_uuid', volume: 'volume_id', mountpoint: 'mountpoint' },
  description: 'Mounts a volume into a server of the stack. The server boots with the mount, so a change of attachment replaces the server.',
  properties: {
    instance_uuid: { type: 'string', required: true, description: 'The server ({get_resource: server}).' },
    volume_id: { type: 'string', required: true, description: 'The volume ({get_resource: volume}).' },
    mountpoint: { type: 'string', description: 'Where the volume is mounted in the server (default /dev/disk/by-id/virtio-<first 20 characters of the volume id>).' },
  },
  attributes: { show: { description: 'The server, the volume and where it is mounted.' } },
};

export const ec2VolumeAttachment: ResourceType = {
  name: 'AWS::EC2::VolumeAttachment',
  runs: ATTACHMENT,
  handler: attachmentHandler,
  attaches: { server: 'InstanceId', volume: 'VolumeId', mountpoint: 'Device' },
  description: 'Mounts a volume into a server of the stack at Device (CFN format), as OS::Cinder::VolumeAttachment.',
  properties: {
    InstanceId: { type: 'string', required: true, description: 'The server ({Ref: instance}).' },
    VolumeId: { type: 'string', required: true, description: 'The volume ({Ref: volume}).' },
    Device: { type: 'string', required: true, pattern: '/dev/vd[b-z]', description: 'Where the volume is mounted in the server (a directory, /dev/vdb…).' },
  },
  attributes: {},
};

export const VOLUME_TYPES: readonly ResourceType[] = [cinderVolume, ec2Volume, cinderVolumeAttachment, ec2VolumeAttachment];
