/**
 * OS::Heat::None is a placeholder: the workflow makes, changes, checks, suspends and deletes it itself, with no
 * activity, so a stack of thousands of them costs no worker slot and no server round trip each.
 */
import type { StackState } from '../../src/template/types';
import { describeStackWorkflow, recordHistories, showStack, stackActivityCounts, stoke, uniqueName, useWorker, writeTemplate } from '../helpers';

const worker = useWorker();


function template(size: string): string {
  return writeTemplate(`
heat_template_version: 2016-10-14
resources:
  first:
    type: OS::Heat::None
    properties: {size: ${size}}
  second:
    type: OS::Heat::None
    properties: {after: {get_resource: first}}
  password:
    type: OS::Heat::RandomString
    depends_on: [second]
    properties: {length: 8}
outputs:
  first: {value: {get_resource: first}}
`);
}

test('placeholders run in the workflow alone: no activity creates, updates, checks, suspends or deletes them', async () => {
  const stack = uniqueName('placeholders');
  worker.stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', template('small'), '--wait').status).toBe(0);
  const created = showStack(stack);
  expect(created.status).toBe('CREATE_COMPLETE');
  expect(created.resources.first!.physicalId).toBe(`${stack}-first`);
  expect(created.outputs.first!.value).toBe(`${stack}-first`);
  // The create's only local activities: placing the stack on an engine, and the RandomString's draw.
  expect(await stackActivityCounts(stack)).toEqual({ ordinary: 0, local: 2 });

  // A changed property makes a new copy in the workflow, as a RandomString's would be made, and deletes the old one there.
  expect(stoke('stack', 'update', stack, '-t', template('large'), '--wait').status).toBe(0);
  const updated = showStack(stack);
  expect(updated.status).toBe('UPDATE_COMPLETE');
  expect(updated.resources.first!.properties).toEqual({ size: 'large' });
  expect(await stackActivityCounts(stack)).toEqual({ ordinary: 0, local: 0 });

  // As a type without handle_check in Heat: complete, and said to be unchecked.
  expect(stoke('stack', 'check', stack, '--wait').status).toBe(0);
  const checked = showStack(stack);
  expect(checked.resources.first!.statusReason).toBe('CHECK not supported for OS::Heat::None');
  // The RandomString is checked by a local activity.
  expect(await stackActivityCounts(stack)).toEqual({ ordinary: 0, local: 1 });

  expect(stoke('stack', 'suspend', stack, '--wait').status).toBe(0);
  expect(showStack(stack).resources.second!.status).toBe('SUSPEND_COMPLETE');
  // The RandomString's suspend is an ordinary activity, as every in-worker type's.
  expect(await stackActivityCounts(stack)).toEqual({ ordinary: 1, local: 0 });
  expect(stoke('stack', 'resume', stack, '--wait').status).toBe(0);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  const deleted: StackState = showStack(stack);
  expect(deleted.status).toBe('DELETE_COMPLETE');
  expect(Object.values(deleted.resources).map((r) => r.status)).toEqual(['DELETE_COMPLETE', 'DELETE_COMPLETE', 'DELETE_COMPLETE']);
  // The RandomString's delete and the sweep, both local activities.
  expect(await stackActivityCounts(stack)).toEqual({ ordinary: 0, local: 2 });
  await recordHistories(stack, 'placeholders');
});

test('a flat chain of 10,000 resources is created, shrunk and deleted: its plan and state, compressed, stay far below 2 MB', async () => {
  const stack = uniqueName('flat');
  worker.stacks.push(stack);
  // Each waits for the one before: walked recursively, a chain of 5,000 overflowed the call stack. Just under
  // Heat's 512 kB for a template.
  const chain = (count: number) => writeTemplate(`heat_template_version: 2016-10-14\nresources:\n${
    Array.from({ length: count }, (_, i) => `  n${i}: {type: OS::Heat::None${i > 0 ? `, depends_on: n${i - 1}` : ''}}\n`).join('')}outputs:\n  last: {value: {get_resource: n${count - 1}}}\n`);
  expect(stoke('stack', 'create', stack, '-t', chain(10_000), '--wait').stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  const created = showStack(stack);
  expect(created.outputs.last!.value).toBe(`${stack}-n9999`);
  // Uncompressed, the state alone is past Temporal's limit for one payload.
  expect(JSON.stringify(created).length).toBeGreaterThan(2 * 1024 * 1024);
  expect((await describeStackWorkflow(stack)).historySize).toBeLessThan(1024 * 1024);
  expect(stoke('stack', 'update', stack, '-t', chain(9_000), '--wait').stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`);
  expect(Object.keys(showStack(stack).resources)).toHaveLength(9_000);
  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
});
