/**
 * A ResourceGroup larger than one workflow should hold, on the real server: members past PART_SIZE go into parts,
 * each a child workflow of its own, so no history grows with the count; the parent reads the same attributes as
 * from a flat group; an update shrinks it through a part, keeping every member it keeps; a delete leaves no stack.
 * Nested stacks that could all start at once start one at a time, each in a workflow task of its own.
 */
import { PART_SIZE } from '../../src/resources/stacks/resource-group';
import { describeStackWorkflow, recordHistories, showStack, stackHistoryTypes, stoke, uniqueName, useWorker, writeTemplate } from '../helpers';

const { stacks } = useWorker();

const COUNT = 2 * PART_SIZE + 203;
const TEMPLATE = `heat_template_version: 2016-10-14
parameters:
  count: {type: number, default: ${COUNT}}
  removed: {type: comma_delimited_list, default: []}
resources:
  cheap:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: count}
      removal_policies: [{resource_list: {get_param: removed}}]
      resource_def: {type: OS::Heat::TestResource, properties: {value: 'v-%index%'}}
outputs:
  refs: {value: {get_attr: [cheap, refs]}}
  values: {value: {get_attr: [cheap, output]}}
  last: {value: {get_attr: [cheap, resource.${COUNT - 1}.output]}}
  one_ref: {value: {get_attr: [cheap, resource.${PART_SIZE + 1}]}}
  by_name: {value: {get_attr: [cheap, attributes, output]}}
  removed: {value: {get_attr: [cheap, removed_rsrc_list]}}
`;

/** The stacks nested under `stack`, by name, with their parents. */
function nestedUnder(stack: string): { 'Stack Name': string; Parent: string | null }[] {
  const listed = JSON.parse(stoke('stack', 'list', '--nested', '-f', 'json').stdout) as { 'Stack Name': string; Parent: string | null }[];
  return listed.filter((row) => row['Stack Name'].startsWith(`${stack}-`));
}

test(`a group of ${COUNT} members: parts as child workflows, attributes as from a flat group, shrunk by update, deleted`, async () => {
  const file = writeTemplate(TEMPLATE);
  const stack = uniqueName('parts');
  stacks.push(stack);
  const created = stoke('stack', 'create', stack, '-t', file, '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);

  const state = showStack(stack);
  const outputs = Object.fromEntries(Object.entries(state.outputs).map(([key, o]) => [key, o.value])) as Record<string, unknown>;
  const values = outputs.values as string[];
  expect(values).toHaveLength(COUNT);
  expect(values.slice(0, 2)).toEqual(['v-0', 'v-1']);
  expect(values[PART_SIZE + 7]).toBe(`v-${PART_SIZE + 7}`);
  expect(outputs.last).toBe(`v-${COUNT - 1}`);
  expect(outputs.refs as string[]).toHaveLength(COUNT);
  expect(new Set(outputs.refs as string[]).size).toBe(COUNT);
  expect(outputs.one_ref).toBe((outputs.refs as string[])[PART_SIZE + 1]);
  expect((outputs.by_name as Record<string, string>)[String(2 * PART_SIZE)]).toBe(`v-${2 * PART_SIZE}`);

  // The group's stack holds PART_SIZE members and two parts; each part's stack its own range.
  const nested = nestedUnder(stack);
  const group = nested.find((row) => row.Parent === stack)!;
  const groupState = showStack(group['Stack Name']);
  const parts = Object.keys(groupState.resources).filter((name) => name.startsWith('members-')).sort();
  expect(parts).toEqual([`members-${2 * PART_SIZE}-${3 * PART_SIZE - 1}`, `members-${PART_SIZE}-${2 * PART_SIZE - 1}`]);
  expect(Object.keys(groupState.resources)).toHaveLength(PART_SIZE + 2);
  const partStacks = nested.filter((row) => row.Parent === group['Stack Name']).map((row) => row['Stack Name']);
  expect(partStacks).toHaveLength(2);
  const sizes = partStacks.map((name) => Object.keys(showStack(name).resources).length).sort((a, b) => a - b);
  expect(sizes).toEqual([203, PART_SIZE]);
  // No workflow holds all the members: each history stays near one part's size.
  for (const name of [stack, group['Stack Name'], ...partStacks]) {
    expect((await describeStackWorkflow(name)).historyLength).toBeLessThan(4 * PART_SIZE);
  }

  // Shrink to PART_SIZE + 100 with one member of a part named for removal: the top part goes, the other keeps its members.
  const keptRef = (outputs.refs as string[])[PART_SIZE + 3];
  const removed = String(PART_SIZE + 50);
  const shrunk = stoke('stack', 'update', stack, '--existing', '--parameter', `count=${PART_SIZE + 100}`, '--parameter', `removed=${removed}`, '--wait');
  expect(shrunk.stderr).toBe('');
  expect(shrunk.status).toBe(0);
  const after = Object.fromEntries(Object.entries(showStack(stack).outputs).map(([key, o]) => [key, o.value])) as Record<string, unknown>;
  expect(after.values as string[]).toHaveLength(PART_SIZE + 100);
  expect((after.values as string[]).includes(`v-${removed}`)).toBe(false);
  expect((after.values as string[]).at(-1)).toBe(`v-${PART_SIZE + 100}`);
  expect((after.refs as string[])[PART_SIZE + 3]).toBe(keptRef);
  expect(after.removed).toEqual([removed]);
  expect(after.last).toBeNull();
  const left = nestedUnder(stack).filter((row) => row.Parent === group['Stack Name']).map((row) => row['Stack Name']);
  expect(left).toHaveLength(1);
  expect(Object.keys(showStack(left[0]!).resources)).toHaveLength(100);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(nestedUnder(stack)).toEqual([]);
}, 600_000);

test('nested stacks free to start together start one at a time: no workflow task carries two children\'s starts', async () => {
  const inline = (word: string) => `{type: OS::Heat::Stack, properties: {template: {heat_template_version: 2016-10-14, resources: {n: {type: OS::Heat::None}}, outputs: {w: {value: ${word}}}}}}`;
  const file = writeTemplate(`heat_template_version: 2016-10-14
resources:
  a: ${inline('a')}
  b: ${inline('b')}
  c: ${inline('c')}
outputs:
  words: {value: [{get_attr: [a, outputs, w]}, {get_attr: [b, outputs, w]}, {get_attr: [c, outputs, w]}]}
`);
  const stack = uniqueName('one-at-a-time');
  stacks.push(stack);
  const created = stoke('stack', 'create', stack, '-t', file, '--wait');
  expect(created.stderr).toBe('');
  expect(showStack(stack).outputs.words!.value).toEqual(['a', 'b', 'c']);
  const types = await stackHistoryTypes(stack);
  const starts = types.map((type, i) => [type, i] as const).filter(([type]) => type === 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED').map(([, i]) => i);
  expect(starts).toHaveLength(3);
  // Between two starts, the first child's start came back and a new workflow task began.
  for (let k = 1; k < starts.length; k++) {
    expect(types.slice(starts[k - 1], starts[k])).toEqual(expect.arrayContaining(['EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED', 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED']));
  }
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await recordHistories(stack, 'nested-one-at-a-time');
});
