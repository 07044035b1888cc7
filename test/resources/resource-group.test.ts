/** OS::Heat::ResourceGroup's child stack: the template the group generates for its members, and how it plans. */
import type { NestedChildRequest } from '../../src/resources/plugin';
import { fromRuns, groupPart, layout, memberNames, PART_SIZE, removedNames, resourceGroup, toRuns } from '../../src/resources/stacks/resource-group';
import { parseFile } from '../../src/template/parse';
import { resolve } from '../../src/template/functions';
import { checkProperty, planStack } from '../../src/template/plan';
import type { JsonObject } from '../../src/template/types';

const none = { type: 'OS::Heat::None' };

const child = (properties: JsonObject, extra: Partial<NestedChildRequest> = {}) =>
  resourceGroup.nested!.child({ stack: 'demo', resource: 'group', properties: { count: 1, resource_def: none, ...properties }, attributes: [], ...extra });

const templateOf = (properties: JsonObject, extra: Partial<NestedChildRequest> = {}) => child(properties, extra).template as JsonObject;
const membersOf = (properties: JsonObject, extra: Partial<NestedChildRequest> = {}) => Object.keys(templateOf(properties, extra).resources as JsonObject);

/** Plans a generated child template as the engine will, so a template the planner refuses fails here. */
function planned(template: JsonObject) {
  const result = planStack({ stackName: 'demo-group', template: parseFile(JSON.stringify(template), 'group.yaml'), mode: 'create' });
  expect(result.errors).toEqual([]);
  return result.plan!;
}

describe('members', () => {
  test('count 0 gives an empty stack that still plans', () => {
    const template = templateOf({ count: 0 });
    expect(template.resources).toEqual({});
    expect(Object.keys(planned(template).resources)).toEqual([]);
  });

  test('count 1 is one member named 0, with the definition as written', () => {
    const template = templateOf({ count: 1, resource_def: { type: 'OS::Heat::TestResource', properties: { value: 'x' }, metadata: { role: 'db' } } });
    expect(template).toMatchObject({
      heat_template_version: '2016-10-14',
      resources: { 0: { type: 'OS::Heat::TestResource', properties: { value: 'x' }, metadata: { role: 'db' } } },
    });
    expect(child({}).parameters).toEqual({});
    expect(planned(template).resources['0']).toMatchObject({ type: 'OS::Heat::TestResource', properties: { value: 'x' }, metadata: { role: 'db' } });
  });

  test('count 3 is members 0, 1 and 2; properties left null are dropped, as Heat does', () => {
    const template = templateOf({ count: 3, resource_def: { type: 'OS::Heat::TestResource', properties: { value: 'v', fail: null } } });
    expect(template.resources).toEqual(Object.fromEntries(['0', '1', '2'].map((n) => [n, { type: 'OS::Heat::TestResource', properties: { value: 'v' } }])));
    expect(Object.keys(planned(template).resources).sort()).toEqual(['0', '1', '2']);
  });

  test('the index variable is replaced in every string, however deep, and nowhere else', () => {
    const resourceDef = { type: 'OS::Heat::None', properties: { name: 'web-%index%', tags: ['%index%', 7, { 'key-%index%': 'v%index%%index%' }] }, metadata: { m: '%index%' } };
    expect(templateOf({ count: 2, resource_def: resourceDef }).resources).toEqual({
      0: { type: 'OS::Heat::None', properties: { name: 'web-0', tags: ['0', 7, { 'key-%index%': 'v00' }] }, metadata: { m: '%index%' } },
      1: { type: 'OS::Heat::None', properties: { name: 'web-1', tags: ['1', 7, { 'key-%index%': 'v11' }] }, metadata: { m: '%index%' } },
    });
  });

  test('index_var names another variable; the default one is then left alone', () => {
    const template = templateOf({ count: 2, index_var: '__n__', resource_def: { type: 'OS::Heat::TestResource', properties: { value: 'n__n__-%index%' } } });
    expect(template.resources).toMatchObject({ 0: { properties: { value: 'n0-%index%' } }, 1: { properties: { value: 'n1-%index%' } } });
    expect(planned(template).resources['1']!.properties).toMatchObject({ value: 'n1-%index%' });
  });
});

describe('removal policies and updates', () => {
  const current = ['0', '1', '2', '3', '4'];

  test('a smaller count removes the highest indexes; a larger one adds the next', () => {
    expect(membersOf({ count: 3 }, { current })).toEqual(['0', '1', '2']);
    expect(membersOf({ count: 7 }, { current })).toEqual(['0', '1', '2', '3', '4', '5', '6']);
  });

  test('members named by a policy go first, even when count stays, and their names are never reused', () => {
    const update = child({ count: 5, removal_policies: [{ resource_list: ['1', 3] }] }, { current, attributes: ['removed_rsrc_list'] });
    expect(Object.keys((update.template as JsonObject).resources as JsonObject)).toEqual(['0', '2', '4', '5', '6']);
    expect(update.attributes).toEqual({ removed_rsrc_list: 'removed_rsrc_list' });
    expect((update.template as JsonObject).outputs).toMatchObject({ removed_rsrc_list: { value: ['1', '3'] } });
    // A later update that no longer names them still keeps 1 and 3 out, from the outputs the engine hands back.
    const outputs = { removed_rsrc_list: ['1', '3'] };
    expect(membersOf({ count: 6 }, { current: ['0', '2', '4', '5', '6'], outputs })).toEqual(['0', '2', '4', '5', '6', '7']);
    expect(membersOf({ count: 2 }, { current: ['0', '2', '4', '5', '6'], outputs })).toEqual(['0', '2']);
  });

  test('with count lower, policy removals count first, then the highest indexes go', () => {
    expect(membersOf({ count: 3, removal_policies: [{ resource_list: ['0'] }] }, { current })).toEqual(['1', '2', '3']);
  });

  test('a policy may name a member by its ref, found through the refs_map the child last gave', () => {
    const outputs = { refs_map: { 0: 'demo-0', 1: 'demo-1', 2: 'demo-2' }, removed_rsrc_list: [] };
    const request = { current: ['0', '1', '2'], outputs };
    expect(removedNames({ properties: { removal_policies: [{ resource_list: ['demo-1', 'nobody'] }] }, ...request })).toEqual(['1']);
    expect(membersOf({ count: 3, removal_policies: [{ resource_list: ['demo-1'] }] }, request)).toEqual(['0', '2', '3']);
  });

  test('at create every entry is taken as a name, as Heat does before the group exists', () => {
    const created = child({ count: 3, removal_policies: [{ resource_list: ['1'] }] }, { attributes: ['removed_rsrc_list'] });
    expect(Object.keys((created.template as JsonObject).resources as JsonObject)).toEqual(['0', '2', '3']);
    expect((created.template as JsonObject).outputs).toMatchObject({ removed_rsrc_list: { value: ['1'] } });
  });

  test('on update, an entry that is neither a member, a removed name nor a known ref is ignored', () => {
    expect(removedNames({ properties: { removal_policies: [{ resource_list: ['9', 'x'] }] }, current: ['0', '1'] })).toEqual([]);
  });

  test('mode append keeps the names removed before; mode update starts again from the policies', () => {
    const outputs = { removed_rsrc_list: ['1', '3'] };
    const request = { current: ['0', '2', '4'], outputs };
    const policies = [{ resource_list: ['2'] }];
    expect(removedNames({ properties: { removal_policies: policies }, ...request })).toEqual(['1', '2', '3']);
    expect(removedNames({ properties: { removal_policies: policies, removal_policies_mode: 'update' }, ...request })).toEqual(['2']);
    // Names the policies still list stay removed in mode update too.
    expect(removedNames({ properties: { removal_policies: [{ resource_list: ['1'] }], removal_policies_mode: 'update' }, ...request })).toEqual(['1']);
  });

  test('freed names are taken again only for new members: the members the group has are kept', () => {
    expect(memberNames(4, ['0', '2', '4'], [])).toEqual(['0', '1', '2', '4']);
    expect(memberNames(3, ['0', '2', '4'], [])).toEqual(['0', '2', '4']);
    expect(memberNames(2, ['0', '2', '10'], [])).toEqual(['0', '2']);
  });
});

describe('attributes', () => {
  const attributes = ['refs', 'refs_map', 'removed_rsrc_list', 'attributes', 'attributes.output', 'resource.1', 'resource.2.output', 'resource.9.output', 'output'];
  const group = child({ count: 3, resource_def: { type: 'OS::Heat::TestResource' } }, { attributes });
  const outputs = (group.template as JsonObject).outputs as JsonObject;

  test('each attribute the parent reads comes from the output of its own name', () => {
    expect(group.attributes).toEqual(Object.fromEntries(attributes.filter((a) => a !== 'attributes.output').map((a) => [a, a])));
    expect(group.ref).toBeUndefined();
  });

  test('each output is the members read as Heat reads them', () => {
    const members = ['0', '1', '2'];
    expect(outputs).toEqual({
      refs: { value: members.map((m) => ({ get_resource: m })) },
      refs_map: { value: Object.fromEntries(members.map((m) => [m, { get_resource: m }])) },
      removed_rsrc_list: { value: [] },
      attributes: { value: { output: Object.fromEntries(members.map((m) => [m, { get_attr: [m, 'output'] }])) } },
      'resource.1': { value: { get_resource: '1' } },
      'resource.2.output': { value: { get_attr: ['2', 'output'] } },
      'resource.9.output': { value: null },
      output: { value: members.map((m) => ({ get_attr: [m, 'output'] })) },
    });
  });

  test('refs_map and removed_rsrc_list are outputs even when the parent reads neither: the next update needs them', () => {
    expect(Object.keys((templateOf({ count: 2 }) as JsonObject).outputs as JsonObject)).toEqual(['refs_map', 'removed_rsrc_list']);
  });

  test('the child plans cleanly and its plan reads the members the outputs name', () => {
    const plan = planned(group.template as JsonObject);
    expect(Object.keys(plan.outputs).sort()).toEqual([...Object.keys(outputs)].sort());
    expect(plan.resources['0']!.attributes.sort()).toEqual(['output']);
    expect(plan.resources['2']!.attributes.sort()).toEqual(['output']);
  });

  test("the parent's get_attr, path included, reads from the child's resolved outputs what Heat gives", () => {
    // The child's outputs resolved with members that exist, then the parent's functions over the group's attributes.
    const members = new Set(['0', '1', '2']);
    const child = { format: 'hot' as const, stackName: 'demo-group', stackId: 'c', parameters: {}, resourceNames: members,
      physicalId: (m: string) => `id-${m}`, attribute: (m: string, a: string) => `${a}-${m}` };
    const held = Object.fromEntries(Object.entries(group.attributes).map(([a, o]) => [a, resolve((outputs[o!] as JsonObject).value!, child)]));
    const parent = { format: 'hot' as const, stackName: 'demo', stackId: 'p', parameters: {}, resourceNames: new Set(['group']), attribute: (_: string, a: string) => held[a] };
    const read = (...args: string[]) => resolve({ get_attr: ['group', ...args] }, parent);
    expect(read('attributes', 'output')).toEqual({ 0: 'output-0', 1: 'output-1', 2: 'output-2' });
    expect(read('output')).toEqual(['output-0', 'output-1', 'output-2']);
    expect(read('output', '1')).toEqual('output-1');
    expect(read('refs')).toEqual(['id-0', 'id-1', 'id-2']);
    expect(read('refs', '2')).toEqual('id-2');
    expect(read('refs_map')).toEqual({ 0: 'id-0', 1: 'id-1', 2: 'id-2' });
    expect(read('resource.1')).toEqual('id-1');
    expect(read('resource.2.output')).toEqual('output-2');
    expect(read('resource.9.output')).toBeNull();
    expect(read('removed_rsrc_list')).toEqual([]);
  });
});

describe('a group larger than one workflow should hold: parts', () => {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));
  const resourcesOf = (template: string | JsonObject) => (template as JsonObject).resources as Record<string, JsonObject>;

  test('up to PART_SIZE members the group is flat, as it always was', () => {
    const template = templateOf({ count: PART_SIZE });
    expect(template.heat_template_version).toBe('2016-10-14');
    expect(Object.keys(template.resources as JsonObject)).toEqual(range(0, PART_SIZE));
  });

  test('past it, members below PART_SIZE stay in the group and the others go into parts of PART_SIZE by index', () => {
    const template = templateOf({ count: 2 * PART_SIZE + 200, resource_def: { type: 'OS::Heat::TestResource', properties: { value: 'v-%index%' } } });
    const resources = resourcesOf(template);
    const parts = [`members-${PART_SIZE}-${2 * PART_SIZE - 1}`, `members-${2 * PART_SIZE}-${3 * PART_SIZE - 1}`];
    expect(Object.keys(resources)).toEqual([...range(0, PART_SIZE), ...parts]);
    expect(resources[parts[1]!]).toEqual({
      type: 'OS::Stoke::GroupPart',
      properties: { resource_def: { type: 'OS::Heat::TestResource', properties: { value: 'v-%index%' } }, first: 2 * PART_SIZE, width: PART_SIZE, members: `${2 * PART_SIZE}-${2 * PART_SIZE + 199}` },
    });
    // The part's own stack holds its members, index_var replaced as in the group.
    const part = groupPart.nested!.child({ stack: 'demo-group', resource: parts[1]!, properties: resources[parts[1]!]!.properties as JsonObject, attributes: [] });
    expect(Object.keys(resourcesOf(part.template))).toEqual(range(2 * PART_SIZE, 2 * PART_SIZE + 200));
    expect(resourcesOf(part.template)[String(2 * PART_SIZE + 7)]).toEqual({ type: 'OS::Heat::TestResource', properties: { value: `v-${2 * PART_SIZE + 7}` } });
    expect(Object.keys(planned(part.template as JsonObject).resources)).toHaveLength(200);
  });

  test('parts run three at a time: each waits for the part three before it', () => {
    const resources = resourcesOf(templateOf({ count: 6 * PART_SIZE }));
    const parts = Object.keys(resources).filter((name) => name.startsWith('members-'));
    expect(parts).toHaveLength(5);
    expect(parts.map((name) => resources[name]!.depends_on)).toEqual([undefined, undefined, undefined, [parts[0]], [parts[1]]]);
  });

  test('a member never moves: growing and shrinking only add and remove parts and members', () => {
    const before = layout(range(0, 1200));
    const after = layout(range(0, 1700));
    expect(after.direct).toEqual(before.direct);
    expect(after.parts.slice(0, 2).map((p) => [p.first, p.width])).toEqual(before.parts.map((p) => [p.first, p.width]));
    expect(layout(range(0, 600)).parts.map((p) => p.members.length)).toEqual([100]);
  });

  test('past PART_SIZE × 8 parts hold parts: no stack holds more than 8 parts of members, nor more than PART_SIZE members', () => {
    const wide = PART_SIZE * 8;
    const top = layout(['0', String(PART_SIZE + 3), String(7 * PART_SIZE), String(wide), String(wide + 1), String(2 * wide + PART_SIZE), String(wide * 8)]);
    expect(top.direct).toEqual(['0']);
    expect(top.parts.map((p) => [p.first, p.width, p.members])).toEqual([
      [PART_SIZE, PART_SIZE, [String(PART_SIZE + 3)]],
      [7 * PART_SIZE, PART_SIZE, [String(7 * PART_SIZE)]],
      [wide, wide, [String(wide), String(wide + 1)]],
      [2 * wide, wide, [String(2 * wide + PART_SIZE)]],
      [wide * 8, wide * 8, [String(wide * 8)]],
    ]);
    // A part of parts holds 8 parts, each of PART_SIZE members; those hold their members.
    const inner = layout([String(2 * wide + 1), String(2 * wide + PART_SIZE), String(3 * wide - 1)], { first: 2 * wide, width: wide });
    expect(inner.direct).toEqual([]);
    expect(inner.parts.map((p) => [p.first, p.width])).toEqual([[2 * wide, PART_SIZE], [2 * wide + PART_SIZE, PART_SIZE], [3 * wide - PART_SIZE, PART_SIZE]]);
    // 10,000 members: 500 in the group's own stack, 7 parts of members beside them, 2 parts of parts.
    expect(layout(range(0, 10_000)).parts.map((p) => p.width)).toEqual([...Array(7).fill(PART_SIZE), wide, wide]);
    expect(layout(range(PART_SIZE, PART_SIZE + 3), { first: PART_SIZE, width: PART_SIZE })).toEqual({ direct: range(PART_SIZE, PART_SIZE + 3), parts: [] });
  });

  test('member lists travel as runs of indexes', () => {
    expect(toRuns(['7', '3', '4', '5', '9', '10'])).toBe('3-5,7,9-10');
    expect(fromRuns('3-5,7,9-10')).toEqual(['3', '4', '5', '7', '9', '10']);
    expect(fromRuns(toRuns(range(500, 1000)))).toEqual(range(500, 1000));
    expect(fromRuns('')).toEqual([]);
  });

  test('a group with parts hands back its member names as runs, not a refs_map of every member', () => {
    const outputs = (templateOf({ count: PART_SIZE + 1 }) as JsonObject).outputs as JsonObject;
    expect(outputs).toEqual({ 'stoke:members': { value: `0-${PART_SIZE}` }, removed_rsrc_list: { value: [] } });
    // A parent that reads refs_map still gets it, and with it a removal policy may name members by ref.
    expect(Object.keys(((child({ count: PART_SIZE + 1 }, { attributes: ['refs_map'] }).template as JsonObject).outputs as JsonObject)).sort())
      .toEqual(['refs_map', 'removed_rsrc_list', 'stoke:members']);
  });

  test('an update finds the members inside parts through the runs, and a policy may remove one of them', () => {
    const current = ['members-500-999', ...range(0, PART_SIZE)];
    const outputs = { 'stoke:members': '0-699', removed_rsrc_list: [] };
    const update = child({ count: 600, removal_policies: [{ resource_list: ['650'] }] }, { current, outputs, attributes: ['removed_rsrc_list'] });
    const resources = resourcesOf(update.template);
    expect(Object.keys(resources)).toEqual([...range(0, PART_SIZE), 'members-500-999']);
    expect((resources['members-500-999']!.properties as JsonObject).members).toBe('500-599');
    expect((update.template as JsonObject).outputs).toMatchObject({ removed_rsrc_list: { value: ['650'] } });
    // Shrunk below PART_SIZE the part goes, and the group is flat again.
    expect(membersOf({ count: 3 }, { current, outputs })).toEqual(['0', '1', '2']);
  });

  test("the parent reads the same attributes from a group with parts as from a flat one", () => {
    const count = PART_SIZE + 3;
    const wanted = ['refs', 'refs_map', 'attributes', 'attributes.output', 'output', 'resource.2.output', `resource.${PART_SIZE + 1}.output`, `resource.${PART_SIZE + 2}`, 'resource.9999.output'];
    const group = child({ count, resource_def: { type: 'OS::Heat::TestResource' } }, { attributes: wanted });
    const template = group.template as JsonObject;
    expect(template.heat_template_version).toBe('2017-09-01');
    const plan = planned(template);
    const partName = `members-${PART_SIZE}-${2 * PART_SIZE - 1}`;
    // What the group's stack reads from its part is what the part's stack must output.
    const partReads = plan.resources[partName]!.attributes;
    expect([...partReads].sort()).toEqual(['attributes', 'attributes.output', 'output', 'refs', 'refs_map', `resource.${PART_SIZE + 1}.output`, `resource.${PART_SIZE + 2}`].sort());
    const part = groupPart.nested!.child({ stack: 'demo-group', resource: partName, properties: (resourcesOf(template)[partName]!.properties as JsonObject), attributes: partReads });
    const partOutputs = (part.template as JsonObject).outputs as JsonObject;
    planned(part.template as JsonObject);

    const scope = (members: Set<string>, attribute: (name: string, a: string) => unknown) => ({
      format: 'hot' as const, stackName: 'demo-group', stackId: 'c', parameters: {}, resourceNames: members,
      physicalId: (m: string) => `id-${m}`, attribute,
    });
    const partMembers = new Set(range(PART_SIZE, count));
    const partHeld = Object.fromEntries(Object.entries(part.attributes).map(([a, o]) => [a, resolve((partOutputs[o as string] as JsonObject).value!, scope(partMembers, (m, a2) => `${a2}-${m}`))]));
    const groupMembers = new Set([...range(0, PART_SIZE), partName]);
    const outputs = template.outputs as JsonObject;
    const held = Object.fromEntries(Object.entries(group.attributes).map(([a, o]) => [a, resolve((outputs[o as string] as JsonObject).value!,
      scope(groupMembers, (m, a2) => (m === partName ? partHeld[a2] : `${a2}-${m}`)))]));
    const parent = { format: 'hot' as const, stackName: 'demo', stackId: 'p', parameters: {}, resourceNames: new Set(['group']), attribute: (_: string, a: string) => held[a] };
    const read = (...args: string[]) => resolve({ get_attr: ['group', ...args] }, parent);
    const all = range(0, count);
    expect(read('refs')).toEqual(all.map((m) => `id-${m}`));
    expect(read('refs_map')).toEqual(Object.fromEntries(all.map((m) => [m, `id-${m}`])));
    expect(read('output')).toEqual(all.map((m) => `output-${m}`));
    expect(read('output', String(PART_SIZE + 1))).toEqual(`output-${PART_SIZE + 1}`);
    expect(read('attributes', 'output')).toEqual(Object.fromEntries(all.map((m) => [m, `output-${m}`])));
    expect(read('resource.2.output')).toBe('output-2');
    expect(read(`resource.${PART_SIZE + 1}.output`)).toBe(`output-${PART_SIZE + 1}`);
    expect(read(`resource.${PART_SIZE + 2}`)).toBe(`id-${PART_SIZE + 2}`);
    expect(read('resource.9999.output')).toBeNull();
  });

  test('a part is hidden, made only by a group, and does not count as a level of nesting', () => {
    expect(groupPart).toMatchObject({ name: 'OS::Stoke::GroupPart', supportStatus: { status: 'HIDDEN' }, runs: { where: 'stack', copies: true } });
    expect(groupPart.nested!.shareOfParent).toBe(true);
    expect(resourceGroup.nested!.shareOfParent).toBeUndefined();
  });
});

test('the type is a stack of its own, in copies on replacement, with Heat schema', () => {
  expect(resourceGroup).toMatchObject({ name: 'OS::Heat::ResourceGroup', runs: { where: 'stack', copies: true }, dynamicAttributes: true });
  expect(resourceGroup.handler).toBeUndefined();
  expect(Object.keys(resourceGroup.properties).sort()).toEqual(['count', 'index_var', 'removal_policies', 'removal_policies_mode', 'resource_def']);
  expect(Object.keys(resourceGroup.attributes).sort()).toEqual(['attributes', 'refs', 'refs_map', 'removed_rsrc_list']);
});

test("the properties are checked as Heat's schema says", () => {
  const { count, index_var, resource_def, removal_policies, removal_policies_mode } = resourceGroup.properties;
  expect(checkProperty(count!, -1)).toMatchObject({ ok: false });
  expect(checkProperty(count!, '2')).toEqual({ ok: true, value: 2 });
  expect(checkProperty(index_var!, '%i')).toMatchObject({ ok: false });
  expect(checkProperty(resource_def!, { properties: {} })).toMatchObject({ ok: false, at: '.type' });
  expect(checkProperty(resource_def!, { type: 'OS::Heat::None', count: 2 })).toMatchObject({ ok: false, at: '.count' });
  expect(checkProperty(removal_policies!, [{ resource_list: ['1', 2] }, {}])).toEqual({ ok: true, value: [{ resource_list: ['1', 2] }, { resource_list: [] }] });
  expect(checkProperty(removal_policies!, [{ resources: ['1'] }])).toMatchObject({ ok: false, at: '[0].resources' });
  expect(checkProperty(removal_policies_mode!, 'replace')).toMatchObject({ ok: false });
});
