/**
 * Autoscaling on the real server and engine: a group sized by its policies' signals, each scale a stack action
 * of its own (a resource signal) that updates the group's nested stack: through the gateway's signed URL, as an
 * alarm or a script would post it, and through `stoke stack resource signal`.
 */
import { SLEEPER, docker, recordHistories, showStack, stoke, uniqueName, waitUntil, writeTemplate, useWorker } from '../helpers';

const { stacks } = useWorker();

/** The group's members, by name, with their container ids. */
async function members(stack: string): Promise<Record<string, string>> {
  const all = await docker().listContainers({ all: true, filters: { label: ['org.stoke.stack'] } });
  return Object.fromEntries(all.filter((c) => c.Labels['org.stoke.stack']!.startsWith(`${stack}-group-`)).map((c) => [c.Labels['org.stoke.resource']!, c.Id]));
}

const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  group:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 3
      resource: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: ${SLEEPER}}}
  up:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: 1}
  down:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: -1}
outputs:
  size: {value: {get_attr: [group, current_size]}}
  up_url: {value: {get_attr: [up, alarm_url]}}
`);

/** Waits for the stack's newest action to end; returns the stack then. */
async function settled(stack: string, size: number) {
  return waitUntil(`${stack} at size ${size}`, () => {
    const state = showStack(stack);
    return state.outputs.size?.value === size && !Object.values(state.resources).some((r) => r.status.endsWith('_IN_PROGRESS')) ? state : undefined;
  });
}

test('a group scales up through its signed URL and `stack resource signal`, stays within max_size, and scales down keeping its members', async () => {
  const stack = uniqueName('scale');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const created = showStack(stack);
  expect(created.outputs.size!.value).toBe(1);
  const first = await members(stack);
  expect(Object.keys(first)).toEqual(['0']);

  const url = String(created.outputs.up_url!.value);
  expect(url).toMatch(new RegExp(`/v1/scale/${stack}/${created.id}/up\\?Signature=`));
  const forged = await fetch(url.replace(/Signature=.*/, 'Signature=forged'), { method: 'POST' });
  expect(forged.status).toBe(403);
  const posted = await fetch(url, { method: 'POST', body: '{"alarm": "cpu high"}' });
  expect(posted.status).toBe(200);
  await settled(stack, 2);
  const two = await members(stack);
  expect(Object.keys(two).sort()).toEqual(['0', '1']);
  expect(two['0']).toBe(first['0']);

  const signalled = stoke('stack', 'resource', 'signal', stack, 'up');
  expect(signalled.stdout).toContain(`Resource ${stack}/up SIGNAL_COMPLETE: Signal: group scaled from 2 to 3`);
  expect(signalled.status).toBe(0);
  expect(Object.keys(await members(stack)).sort()).toEqual(['0', '1', '2']);
  const atMax = stoke('stack', 'resource', 'signal', stack, 'up');
  expect(atMax.stdout).toContain('no scale (the group stays at 3, within min_size and max_size)');
  expect(Object.keys(await members(stack))).toHaveLength(3);

  expect(stoke('stack', 'resource', 'signal', stack, 'down').status).toBe(0);
  const after = await settled(stack, 2);
  expect(after.status).toBe('CREATE_COMPLETE');
  const kept = await members(stack);
  expect(kept).toEqual({ 0: two['0'], 1: two['1'] });

  // A stack update keeps the size the policies gave it: the template names no desired_capacity.
  expect(stoke('stack', 'update', stack, '--existing', '--wait').status).toBe(0);
  expect(showStack(stack).outputs.size!.value).toBe(2);
  expect(await members(stack)).toEqual(kept);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await members(stack)).toEqual({});
  await recordHistories(stack, 'scaling');
});

test('signalling what is not a scaling policy is refused clearly', () => {
  const stack = uniqueName('scale-refused');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const wrong = stoke('stack', 'resource', 'signal', stack, 'group');
  expect(wrong.status).not.toBe(0);
  expect(wrong.stderr).toContain("resource 'group' (OS::Heat::AutoScalingGroup) takes no scaling signal");
  const missing = stoke('stack', 'resource', 'signal', stack, 'nothing');
  expect(missing.stderr).toContain("stack '" + stack + "' has no resource 'nothing'");
});
