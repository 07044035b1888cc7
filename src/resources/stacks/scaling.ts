/**
 * Autoscaling: a group of identical members in a stack of its own (as OS::Heat::ResourceGroup, whose child
 * template it reuses), sized between min and max, and policies whose signal URL changes its size. A scale is
 * Heat's resource signal: a stack action of its own (workflows/signal-resource.ts) that updates the group's
 * nested stack, so it survives crashes as every action does. Alarms, which would post to the URL on a metric,
 * have no local meaning: the URL is posted to by whoever decides (a script, a monitor, `stack resource signal`).
 */
import type { Json, JsonObject } from '../../template/types';
import type { NestedChild, NestedChildRequest, PropertySchema, ResourceType, RunProfile } from '../plugin';
import { resourceGroup } from './resource-group';

/** A group's child is made before the one it replaces is deleted; it reads its launch configuration (CFN) from its siblings. */
const GROUP: RunProfile = { where: 'stack', copies: true, needs: ['siblings'] };
/** A policy issues its signal URL, as a wait condition handle does; `scale` is its part in signals. */
const POLICY: RunProfile = { where: 'activity', signals: 'scale' };

const lifecycle = () => import('./scaling-handler');

/** The names a group's sizes go by in each format. */
interface SizeNames {
  readonly min: string;
  readonly max: string;
  readonly desired: string;
}
export const OS_SIZES: SizeNames = { min: 'min_size', max: 'max_size', desired: 'desired_capacity' };
export const CFN_SIZES: SizeNames = { min: 'MinSize', max: 'MaxSize', desired: 'DesiredCapacity' };

const num = (value: Json | undefined): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/**
 * The group's size: the desired capacity when the template (or a scale) gives one, else as many members as it
 * has now, else its minimum; always within min and max, as Heat's.
 */
export function groupSize(properties: JsonObject, current: number | undefined, names: SizeNames): number {
  const min = num(properties[names.min]) ?? 0;
  const max = num(properties[names.max]) ?? min;
  const wanted = num(properties[names.desired]) ?? current ?? min;
  return Math.max(min, Math.min(max, Math.floor(wanted)));
}

/** The child of a group whose members are `definition`: ResourceGroup's, with the group's size as an output. */
function scalingChild(req: NestedChildRequest, names: SizeNames, definition: JsonObject): NestedChild {
  const size = groupSize(req.properties, req.current?.length, names);
  const child = resourceGroup.nested!.child({ ...req, properties: { count: size, resource_def: definition }, attributes: req.attributes.filter((a) => a !== 'current_size') });
  const template = child.template as JsonObject;
  return {
    ...child,
    template: { ...template, outputs: { ...(template.outputs as JsonObject), current_size: { value: size } } },
    // The size is always read back: a scale starts from it.
    attributes: { ...child.attributes, current_size: 'current_size' },
  };
}

const groupAttributes = {
  current_size: { description: 'The number of members the group has.' },
  refs: { description: 'The members\' refs, in order.' },
  refs_map: { description: 'A map of member names to their refs.' },
};

export const autoScalingGroup: ResourceType = {
  name: 'OS::Heat::AutoScalingGroup',
  runs: GROUP,
  supportStatus: { status: 'SUPPORTED', version: '2014.1' },
  description: 'Members defined by `resource`, between min_size and max_size, in a nested stack; a ScalingPolicy\'s signal changes its size.',
  properties: {
    resource: { type: 'map', required: true, description: 'The members\' definition: {type, properties}.' },
    max_size: { type: 'integer', required: true, range: { min: 0 }, description: 'Maximum number of members.' },
    min_size: { type: 'integer', required: true, range: { min: 0 }, description: 'Minimum number of members.' },
    desired_capacity: { type: 'integer', description: 'Members to have; when not given, a stack update keeps the size the group has.' },
    cooldown: { type: 'integer', description: 'Seconds after a scale during which policies of this group do not scale it.' },
    rolling_updates: { type: 'map', description: 'Recorded only: members are updated as a nested stack\'s resources are.' },
  },
  attributes: { ...groupAttributes },
  dynamicAttributes: true,
  nested: {
    child: (req) => scalingChild(req, OS_SIZES, req.properties.resource as JsonObject),
  },
};

/** The instance properties a launch configuration gives each member of a CFN group. */
const INSTANCE_KEYS = ['ImageId', 'InstanceType', 'KeyName', 'UserData', 'SecurityGroups', 'SecurityGroupIds'];

/** The child of a CFN group: members made from its launch configuration, with InstanceList when the template reads it. */
function launchedChild(req: NestedChildRequest, names: SizeNames): NestedChild {
  const launch = Object.values(req.siblings ?? {}).find((s) => s.type === 'AWS::AutoScaling::LaunchConfiguration' && s.physicalId === req.properties.LaunchConfigurationName);
  const given = launch?.properties ?? {};
  const properties = Object.fromEntries(INSTANCE_KEYS.filter((key) => given[key] !== undefined).map((key) => [key, given[key]!]));
  const child = scalingChild({ ...req, attributes: req.attributes.filter((a) => a !== 'InstanceList') }, names, { type: 'AWS::EC2::Instance', properties });
  if (!req.attributes.includes('InstanceList')) return child;
  const template = child.template as JsonObject;
  const members = Object.keys(template.resources as JsonObject);
  const list = { list_join: [',', members.map((m) => ({ get_attr: [m, 'PublicIp'] }))] };
  return { ...child, template: { ...template, outputs: { ...(template.outputs as JsonObject), InstanceList: { value: list } } }, attributes: { ...child.attributes, InstanceList: 'InstanceList' } };
}

export const cfnAutoScalingGroup: ResourceType = {
  name: 'AWS::AutoScaling::AutoScalingGroup',
  runs: GROUP,
  supportStatus: { status: 'SUPPORTED', version: '2014.1' },
  description: 'AWS::EC2::Instance members made from a LaunchConfiguration, between MinSize and MaxSize, in a nested stack.',
  properties: {
    LaunchConfigurationName: { type: 'string', required: true, description: 'The launch configuration (Ref) the members are made from.' },
    MaxSize: { type: 'integer', required: true, description: 'Maximum number of members.' },
    MinSize: { type: 'integer', required: true, description: 'Minimum number of members.' },
    DesiredCapacity: { type: 'integer', description: 'Members to have; when not given, a stack update keeps the size the group has.' },
    Cooldown: { type: 'integer', description: 'Seconds after a scale during which policies of this group do not scale it.' },
    AvailabilityZones: { type: 'list', description: 'Recorded only.' },
    LoadBalancerNames: { type: 'list', description: 'Recorded only: stoke has no load balancer.' },
    VPCZoneIdentifier: { type: 'list', description: 'Recorded only.' },
    Tags: { type: 'list', description: 'Recorded only.' },
    InstanceId: { type: 'string', description: 'Recorded only.' },
  },
  attributes: { InstanceList: { description: 'The members\' addresses, comma separated.' }, ...groupAttributes },
  nested: { child: (req) => launchedChild(req, CFN_SIZES) },
};

/** Heat's first CFN group: Size members made from a launch configuration, no more and no fewer. */
export const instanceGroup: ResourceType = {
  name: 'OS::Heat::InstanceGroup',
  runs: GROUP,
  description: 'Size AWS::EC2::Instance members made from a LaunchConfiguration, in a nested stack; a stack update changing Size adds or removes members.',
  properties: {
    AvailabilityZones: { type: 'list', required: true, description: 'Recorded only (Heat: not implemented).' },
    LaunchConfigurationName: { type: 'string', required: true, updateAllowed: true, description: 'The launch configuration (Ref) the members are made from.' },
    Size: { type: 'integer', required: true, updateAllowed: true, description: 'Desired number of instances.' },
    LoadBalancerNames: { type: 'list', description: 'Recorded only: stoke has no load balancer.' },
    Tags: {
      type: 'list',
      description: 'Recorded only.',
      items: { type: 'map', description: 'A tag.', keys: { Key: { type: 'string', required: true, description: 'Tag key.' }, Value: { type: 'string', required: true, description: 'Tag value.' } } },
    },
  },
  attributes: { InstanceList: { description: 'A comma-delimited list of the members\' addresses.', type: 'string' }, ...groupAttributes },
  nested: { child: (req) => launchedChild(req, { min: 'Size', max: 'Size', desired: 'Size' }) },
};

export const launchConfiguration: ResourceType = {
  name: 'AWS::AutoScaling::LaunchConfiguration',
  runs: { where: 'local' },
  supportStatus: { status: 'SUPPORTED', version: '2014.1' },
  description: 'What each member of a CFN autoscaling group is made from; Ref gives its name.',
  properties: {
    ImageId: { type: 'string', required: true, description: 'Image of the members.' },
    InstanceType: { type: 'string', required: true, description: 'Flavor of the members.' },
    KeyName: { type: 'string', description: 'Key pair of the members.' },
    UserData: { type: 'string', description: 'User data of the members.' },
    SecurityGroups: { type: 'list', description: 'Recorded, not enforced.' },
    SecurityGroupIds: { type: 'list', description: 'Recorded, not enforced.' },
    KernelId: { type: 'string', description: 'Recorded only.' },
    RamDiskId: { type: 'string', description: 'Recorded only.' },
    BlockDeviceMappings: { type: 'list', description: 'Recorded only.' },
    NovaSchedulerHints: { type: 'list', description: 'Recorded only.' },
    InstanceId: { type: 'string', description: 'Recorded only.' },
    Metadata: { type: 'map', description: 'Recorded only.' },
  },
  attributes: {},
  handler: {
    create: (req) => ({ physicalId: `${req.stack}-${req.resource}`, attributes: {} }),
    adopt: (req) => ({ physicalId: req.physicalId, attributes: {} }),
  },
};

const adjustment = (values: readonly string[], description: string): PropertySchema => ({ type: 'string', required: true, allowedValues: values, description });

export const scalingPolicy: ResourceType = {
  name: 'OS::Heat::ScalingPolicy',
  runs: POLICY,
  supportStatus: { status: 'SUPPORTED', version: '2014.1' },
  description: 'Changes an AutoScalingGroup\'s size when its signal URL is posted to (or `stoke stack resource signal`).',
  properties: {
    adjustment_type: adjustment(['change_in_capacity', 'exact_capacity', 'percent_change_in_capacity'], 'How scaling_adjustment is read.'),
    auto_scaling_group_id: { type: 'string', required: true, description: 'The group (get_resource) this policy scales.' },
    scaling_adjustment: { type: 'number', required: true, description: 'The size change (or the size, for exact_capacity).' },
    cooldown: { type: 'integer', description: 'Seconds after a scale by this policy during which it does not scale again.' },
    min_adjustment_step: { type: 'integer', range: { min: 0 }, description: 'For percent_change_in_capacity: the least number of members a scale changes.' },
  },
  attributes: {
    alarm_url: { description: 'The URL a POST to which scales the group (signed; no credentials needed).' },
    signal_url: { description: 'The same URL, as Heat\'s signal_url.' },
  },
  handler: { create: async (req, ctx) => (await lifecycle()).createPolicy(req, ctx) },
};

export const cfnScalingPolicy: ResourceType = {
  name: 'AWS::AutoScaling::ScalingPolicy',
  runs: POLICY,
  supportStatus: { status: 'SUPPORTED', version: '2014.1' },
  description: 'Changes a CFN autoscaling group\'s size when its AlarmUrl is posted to (or `stoke stack resource signal`).',
  properties: {
    AdjustmentType: adjustment(['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'], 'How ScalingAdjustment is read.'),
    AutoScalingGroupName: { type: 'string', required: true, description: 'The group (Ref) this policy scales.' },
    ScalingAdjustment: { type: 'number', required: true, description: 'The size change (or the size, for ExactCapacity).' },
    Cooldown: { type: 'integer', description: 'Seconds after a scale by this policy during which it does not scale again.' },
    MinAdjustmentStep: { type: 'integer', description: 'For PercentChangeInCapacity: the least number of members a scale changes.' },
  },
  attributes: { AlarmUrl: { description: 'The URL a POST to which scales the group (signed; no credentials needed).' } },
  handler: { create: async (req, ctx) => (await lifecycle()).createPolicy(req, ctx) },
};

export const SCALING_TYPES = [autoScalingGroup, cfnAutoScalingGroup, instanceGroup, launchConfiguration, scalingPolicy, cfnScalingPolicy];
