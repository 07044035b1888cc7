/**
 * Heat's resource signal to a scaling policy: the group it names gets a new size, by an update of the group's
 * nested stack. A stack action of its own, under the stack's workflow id, so a scale never races another
 * action and survives crashes as they do. The stack keeps its status; the policy and the group record events.
 */
import { ApplicationFailure, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Json, JsonObject, ResourceState, StackState } from '../src/template/types';
import { resolveOutputs } from './create';
import { stackNameKey, stackStateQuery, type SignalResourceInput } from './definitions';
import { fail, now, reasonOf, refuseUnreadableInput, setResourceStatus } from './engine';
import { runsOf } from './legacy';
import { nestedStacks } from './nested';
import { resourceActivities } from './profiles';
import { requestOf } from './requests';

/** A scale has no stack timeout of its own: the group's nested update may take this long. */
const SCALE_TIMEOUT_MINUTES = 60;

const num = (value: Json | undefined): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** A policy's settings, in either format's names. */
function policyOf(properties: JsonObject) {
  const type = String(properties.adjustment_type ?? properties.AdjustmentType ?? '');
  return {
    group: String(properties.auto_scaling_group_id ?? properties.AutoScalingGroupName ?? ''),
    kind: /exact/i.test(type) ? 'exact' : /percent/i.test(type) ? 'percent' : 'change',
    adjustment: num(properties.scaling_adjustment ?? properties.ScalingAdjustment) ?? 0,
    cooldown: num(properties.cooldown ?? properties.Cooldown) ?? 0,
    minStep: num(properties.min_adjustment_step ?? properties.MinAdjustmentStep) ?? 0,
  } as const;
}

/** The group's size after a policy's adjustment, as Heat's: a percent change moves by one member at least, within min and max. */
export function scaledSize(current: number, policy: ReturnType<typeof policyOf>, min: number, max: number): number {
  let size = policy.adjustment;
  if (policy.kind === 'change') size = current + policy.adjustment;
  else if (policy.kind === 'percent') {
    let delta = (current * policy.adjustment) / 100;
    if (delta > 0 && delta < 1) delta = 1;
    else if (delta < 0 && delta > -1) delta = -1;
    else delta = Math.trunc(delta);
    if (policy.minStep > 0 && Math.abs(delta) < policy.minStep) delta = Math.sign(delta) * policy.minStep;
    size = current + delta;
  }
  return Math.max(min, Math.min(max, Math.floor(size)));
}

/** The group a policy names (by its ref, as get_resource or Ref gives it). */
function groupNamed(state: StackState, ref: string): [string, ResourceState] | undefined {
  return Object.entries(state.resources).find(([, r]) => runsOf(r).where === 'stack' && (r.refId ?? r.physicalId) === ref && r.physicalId !== '');
}

/** Seconds since a scale of the group or by the policy, when under either's cooldown. */
function coolingDown(group: ResourceState, policyCooldown: number, lastByPolicy: string | undefined): string | undefined {
  const since = (time: Json | undefined) => (typeof time === 'string' ? (Date.now() - Date.parse(time)) / 1000 : Infinity);
  const groupCooldown = num(group.properties.cooldown ?? group.properties.Cooldown) ?? 0;
  if (since(group.attributes.scaled_at) < groupCooldown) return `the group is in its cooldown of ${groupCooldown} s`;
  if (since(lastByPolicy) < policyCooldown) return `the policy is in its cooldown of ${policyCooldown} s`;
  return undefined;
}

export async function signalResource(input: SignalResourceInput): Promise<StackState> {
  refuseUnreadableInput(input, 'signal', input.state?.status ?? 'CREATE_COMPLETE');
  const state = JSON.parse(JSON.stringify(input.state)) as StackState;
  setHandler(stackStateQuery, () => state);
  upsertSearchAttributes([{ key: stackNameKey, value: state.name }]);
  const { plan, resource } = input;
  const policy = policyOf(state.resources[resource]!.properties);
  setResourceStatus(state, resource, 'SIGNAL_IN_PROGRESS', 'Signal: scaling');
  try {
    const found = groupNamed(state, policy.group);
    if (!found) throw ApplicationFailure.nonRetryable(`the group '${policy.group}' this policy scales is not a group of the stack that exists`, 'GroupNotFound');
    const [name, group] = found;
    const cfn = 'MinSize' in group.properties;
    const [minKey, maxKey, desiredKey] = cfn ? ['MinSize', 'MaxSize', 'DesiredCapacity'] : ['min_size', 'max_size', 'desired_capacity'];
    const current = num(group.attributes.current_size) ?? 0;
    const min = num(group.properties[minKey]) ?? 0;
    const size = scaledSize(current, policy, min, num(group.properties[maxKey]) ?? min);
    const cooling = coolingDown(group, policy.cooldown, state.resources[resource]!.attributes.scaled_at as string | undefined);
    if (cooling || size === current) {
      setResourceStatus(state, resource, 'SIGNAL_COMPLETE', `Signal: no scale (${cooling ?? `the group stays at ${current}, within ${minKey} and ${maxKey}`})`);
      return state;
    }
    setResourceStatus(state, name, 'UPDATE_IN_PROGRESS', `scaling from ${current} to ${size}`);
    const previous = group.properties;
    group.properties = { ...previous, [desiredKey]: size };
    try {
      const acts = resourceActivities(SCALE_TIMEOUT_MINUTES, true, nestedStacks(state, plan, SCALE_TIMEOUT_MINUTES));
      const updated = await acts.of(group).updateResource({
        ...requestOf(state, name), physicalId: group.physicalId, previous, attributes: plan.resources[name]?.attributes ?? [],
      });
      group.attributes = { ...group.attributes, ...updated.attributes, scaled_at: now() };
    } catch (err) {
      setResourceStatus(state, name, 'UPDATE_FAILED', reasonOf(err));
      throw err;
    }
    setResourceStatus(state, name, 'UPDATE_COMPLETE', `scaled from ${current} to ${size}`);
    state.resources[resource]!.attributes = { ...state.resources[resource]!.attributes, scaled_at: now() };
    resolveOutputs(plan, state);
    setResourceStatus(state, resource, 'SIGNAL_COMPLETE', `Signal: ${name} scaled from ${current} to ${size}`);
    return state;
  } catch (err) {
    setResourceStatus(state, resource, 'SIGNAL_FAILED', reasonOf(err));
    state.statusReason = `Resource SIGNAL failed: ${resource}: ${reasonOf(err)}`;
    fail(state);
  }
}
