/** OS::Heat::ResourceGroup's child stack: the template the group generates for its members, and how it plans. */
import type { NestedChildRequest } from '../../src/resources/plugin';
import { memberNames, removedNames, resourceGroup } from '../../src/resources/stacks/resource-group';
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
