/**
 * Volumes on the real engine and a real Temporal: a server boots with the volumes its attachments name,
 * what it writes there survives a stack update that replaces the server, and a stack's delete removes the
 * volume unless deletion_policy keeps it (Retain, or Snapshot: a local engine takes no snapshots).
 */
import { docker, recordHistories, showStack, stackContainers, stoke, uniqueName, writeTemplate, execIn, useWorker } from '../helpers';

useWorker();

/** The engine's volume, or undefined once it is gone. */
async function volume(name: string) {
  return docker().getVolume(name).inspect().catch((err: { statusCode?: number }) => {
    if (err.statusCode === 404) return undefined;
    throw err;
  });
}

const hot = (release: string) => writeTemplate(`
heat_template_version: 2016-10-14
resources:
  data:
    type: OS::Cinder::Volume
    properties: {size: 1, name: app-data, metadata: {tier: db}}
  server:
    type: OS::Nova::Server
    properties: {image: busybox, flavor: m1.tiny, metadata: {release: "${release}"}}
  attach:
    type: OS::Cinder::VolumeAttachment
    properties:
      instance_uuid: {get_resource: server}
      volume_id: {get_resource: data}
      mountpoint: /var/lib/app
outputs:
  size: {value: {get_attr: [data, size]}}
`);

test('a server writes into its volume, a replacement of the server mounts the same volume with the file in it, and delete removes the volume', async () => {
  const stack = uniqueName('volume');
  const created = stoke('stack', 'create', stack, '-t', hot('1'), '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const before = showStack(stack);
  const name = before.resources.data!.physicalId;
  const labels = (await volume(name))!.Labels;
  expect(labels).toMatchObject({ 'org.stoke.stack': stack, 'org.stoke.stack-id': before.id, 'org.stoke.resource': 'data', 'org.stoke.meta.tier': 'db' });
  expect(before.outputs.size!.value).toBe(1);
  const first = before.resources.server!.physicalId;
  expect(await execIn(first, 'echo kept > /var/lib/app/file && cat /var/lib/app/file')).toContain('kept');

  const updated = stoke('stack', 'update', stack, '-t', hot('2'), '--wait');
  expect(updated.status).toBe(0);
  const after = showStack(stack);
  const second = after.resources.server!.physicalId;
  expect(second).not.toBe(first);
  expect(after.resources.data!.physicalId).toBe(name);
  expect(after.resources.attach!.physicalId).toBe(`${name}@${second.slice(0, 12)}`);
  expect(await execIn(second, 'cat /var/lib/app/file')).toContain('kept');
  expect((await stackContainers(stack)).map((c) => c.Id)).toEqual([second]);

  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
  expect(await volume(name)).toBeUndefined();
  await recordHistories(stack, 'volumes');
});

test('DeletionPolicy Snapshot keeps a CFN volume when the stack goes, and Retain a HOT one; a volume that refers to its server is made by it, and deleted', async () => {
  const stack = uniqueName('volkeep');
  const template = writeTemplate(`
AWSTemplateFormatVersion: 2010-09-09
Resources:
  Disk:
    Type: AWS::EC2::Volume
    DeletionPolicy: Snapshot
    Properties: {AvailabilityZone: nova, Size: 2, Tags: [{Key: role, Value: logs}]}
  Scratch:
    Type: AWS::EC2::Volume
    Properties: {AvailabilityZone: {'Fn::GetAtt': [Web, AvailabilityZone]}}
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: busybox, InstanceType: m1.tiny}
  Mount:
    Type: AWS::EC2::VolumeAttachment
    Properties: {InstanceId: {Ref: Web}, VolumeId: {Ref: Disk}, Device: /dev/vdb}
  Mount2:
    Type: AWS::EC2::VolumeAttachment
    Properties: {InstanceId: {Ref: Web}, VolumeId: {Ref: Scratch}, Device: /dev/vdc}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const state = showStack(stack);
  const [kept, scratch] = [state.resources.Disk!.physicalId, state.resources.Scratch!.physicalId];
  expect(await execIn(state.resources.Web!.physicalId, 'echo log > /dev/vdb/line && ls /dev/vdc && echo mounted')).toContain('mounted');
  expect((await volume(kept))!.Labels).toMatchObject({ 'org.stoke.meta.role': 'logs' });
  expect((await volume(scratch))!.Labels).toMatchObject({ 'org.stoke.stack-id': state.id, 'org.stoke.resource': 'Scratch' });
  expect(state.resources.Scratch!.requires).toEqual(['Web']);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
  expect(await volume(scratch)).toBeUndefined();
  try {
    expect(await volume(kept)).toBeDefined();
  } finally {
    await docker().getVolume(kept).remove().catch(() => undefined);
  }

  const retained = uniqueName('volretain');
  const hotRetained = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  data: {type: OS::Cinder::Volume, deletion_policy: Retain}
`);
  expect(stoke('stack', 'create', retained, '-t', hotRetained, '--wait').status).toBe(0);
  const name = showStack(retained).resources.data!.physicalId;
  expect(stoke('stack', 'delete', retained, '--wait').status).toBe(0);
  try {
    expect(await volume(name)).toBeDefined();
  } finally {
    await docker().getVolume(name).remove().catch(() => undefined);
  }
});
