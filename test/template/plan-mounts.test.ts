/**
 * Volume attachments in the plan: a container takes no mount once it runs, so the planner hands each server
 * the volumes its attachments name (and makes it require them), and a change of them replaces the server.
 */
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { ResourceState, StackPlan } from '../../src/template/types';
import { diffResource } from '../../workflows/update-plan';

const planOf = (text: string) => planStack({ stackName: 'demo', template: parseFile(text, 'demo.yaml') });

function plan(text: string): StackPlan {
  const { plan: planned, errors } = planOf(text);
  expect(errors).toEqual([]);
  return planned!;
}

const messages = (text: string) => planOf(text).errors.map((e) => `${e.path}: ${e.message}`);

const hot = (attachment: string, volume = '{size: 1}') => `heat_template_version: 2016-10-14
resources:
  data: {type: OS::Cinder::Volume, properties: ${volume}}
  server: {type: OS::Nova::Server, properties: {image: busybox, flavor: m1.tiny}}
  attach:
    type: OS::Cinder::VolumeAttachment
    properties: ${attachment}
`;

/** The state a create leaves of a planned resource. */
const created = (p: StackPlan, name: string): ResourceState => {
  const r = p.resources[name]!;
  return {
    type: r.type, handler: r.handler, runs: r.runs, status: 'CREATE_COMPLETE', statusReason: '', physicalId: `id-${name}`, attributes: {},
    requires: r.requires, deletionPolicy: r.deletionPolicy, properties: r.properties, updatedAt: '', ...(r.mounts ? { mounts: r.mounts } : {}),
  };
};

test('the server an attachment names requires its volume and is handed the mount; the attachment requires both', () => {
  const p = plan(hot('{instance_uuid: {get_resource: server}, volume_id: {get_resource: data}, mountpoint: /dev/vdb}'));
  expect(p.resources.server!.requires).toEqual(['data']);
  expect(p.resources.server!.mounts).toEqual([{ attachment: 'attach', volume: 'data', mountpoint: '/dev/vdb' }]);
  expect(p.resources.attach!.requires).toEqual(['data', 'server']);
  expect(p.resources.data!.mounts).toBeUndefined();
});

test('the CFN types are planned alike, and an attachment without a mountpoint lets the server choose', () => {
  const p = plan(`AWSTemplateFormatVersion: 2010-09-09
Resources:
  Disk: {Type: AWS::EC2::Volume, Properties: {AvailabilityZone: nova, Size: 2}}
  Web: {Type: AWS::EC2::Instance, Properties: {ImageId: busybox, InstanceType: m1.tiny}}
  Mount: {Type: AWS::EC2::VolumeAttachment, Properties: {InstanceId: {Ref: Web}, VolumeId: {Ref: Disk}, Device: /dev/vdc}}
`);
  expect(p.resources.Web!.mounts).toEqual([{ attachment: 'Mount', volume: 'Disk', mountpoint: '/dev/vdc' }]);
  expect(p.resources.Web!.requires).toEqual(['Disk']);
  expect(plan(hot('{instance_uuid: {get_resource: server}, volume_id: {get_resource: data}}')).resources.server!.mounts)
    .toEqual([{ attachment: 'attach', volume: 'data', mountpoint: '' }]);
});

test('an attachment must name a server and a volume of the stack by reference, and a mountpoint known in advance', () => {
  expect(messages(hot('{instance_uuid: some-server-id, volume_id: {get_resource: data}}'))).toEqual([
    'resources.attach.properties.instance_uuid: must name a server of this stack (OS::Nova::Server, AWS::EC2::Instance) with get_resource: '
    + 'stoke mounts a volume when it boots the server, since a container takes no mount once it runs',
  ]);
  expect(messages(hot('{instance_uuid: {get_resource: server}, volume_id: {get_resource: server}}'))).toEqual([
    'resources.attach.properties.volume_id: must name a volume of this stack (OS::Cinder::Volume, AWS::EC2::Volume) with get_resource: the server mounts the volume the stack makes',
  ]);
  expect(messages(hot('{instance_uuid: {get_resource: server}, volume_id: {get_resource: data}, mountpoint: {get_attr: [data, display_name]}}'))).toEqual([
    'resources.attach.properties.mountpoint: must be known before the stack is created (a parameter or a text), since the server mounts the volume when it boots',
  ]);
});

test('a volume that refers to the server mounting it comes after the server, which still mounts it (no cycle)', () => {
  const p = plan(hot('{instance_uuid: {get_resource: server}, volume_id: {get_resource: data}}', '{size: 1, availability_zone: {get_attr: [server, name]}}'));
  expect(p.resources.data!.requires).toEqual(['server']);
  expect(p.resources.server!.requires).toEqual([]);
  expect(p.resources.server!.mounts).toEqual([{ attachment: 'attach', volume: 'data', mountpoint: '' }]);
});

test("template validate takes an attachment whose server is a parameter, as Heat's does; a create refuses it", () => {
  const text = hot('{instance_uuid: {get_param: server_id}, volume_id: {get_resource: data}}').replace('resources:', 'parameters:\n  server_id: {type: string}\nresources:');
  const validated = planStack({ stackName: 'demo', template: parseFile(text, 'demo.yaml'), mode: 'validate' });
  expect(validated.errors).toEqual([]);
  expect(planStack({ stackName: 'demo', template: parseFile(text, 'demo.yaml'), parameters: { server_id: 'abc' } }).errors.map((e) => e.path))
    .toEqual(['resources.attach.properties.instance_uuid']);
});

test('two attachments cannot mount at one mountpoint of a server', () => {
  const text = `${hot('{instance_uuid: {get_resource: server}, volume_id: {get_resource: data}, mountpoint: /dev/vdb}')}  logs: {type: OS::Cinder::Volume}
  attach2:
    type: OS::Cinder::VolumeAttachment
    properties: {instance_uuid: {get_resource: server}, volume_id: {get_resource: logs}, mountpoint: /dev/vdb}
`;
  expect(messages(text)).toEqual(['resources.attach2.properties.mountpoint: attach mounts a volume at /dev/vdb on server already']);
});

test('deletion_policy Snapshot keeps a volume (Retain) without a warning; other types still delete, warned', () => {
  const text = `heat_template_version: 2016-10-14
resources:
  data: {type: OS::Cinder::Volume, deletion_policy: Snapshot}
  disk: {type: AWS::EC2::Volume, deletion_policy: Snapshot, properties: {AvailabilityZone: nova}}
  none: {type: OS::Heat::None, deletion_policy: Snapshot}
`;
  const { plan: p, warnings } = planOf(text);
  expect(p!.resources.data!.deletionPolicy).toBe('Retain');
  expect(p!.resources.disk!.deletionPolicy).toBe('Retain');
  expect(p!.resources.none!.deletionPolicy).toBe('Delete');
  expect(warnings.map((w) => w.path)).toEqual(['resources.none.deletion_policy']);
});

test('a server whose attachments changed is replaced; the same attachments keep it', () => {
  const before = plan(hot('{instance_uuid: {get_resource: server}, volume_id: {get_resource: data}, mountpoint: /dev/vdb}'));
  const moved = plan(hot('{instance_uuid: {get_resource: server}, volume_id: {get_resource: data}, mountpoint: /dev/vdc}'));
  const old = created(before, 'server');
  expect(diffResource(old, before.resources.server!, before.resources.server!.properties)).toEqual({ change: 'unchanged', changed: [] });
  expect(diffResource(old, moved.resources.server!, moved.resources.server!.properties)).toEqual({ change: 'replace', changed: ['mounts'] });
  const detached = plan(hot('{instance_uuid: {get_resource: server}, volume_id: {get_resource: data}}').replace(/ {2}attach:[^]*$/, ''));
  expect(diffResource(old, detached.resources.server!, detached.resources.server!.properties)).toEqual({ change: 'replace', changed: ['mounts'] });
});
