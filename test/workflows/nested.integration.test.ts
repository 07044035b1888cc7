/**
 * Nested stacks on the real server and engine: a template file used as a type (two levels deep),
 * OS::Heat::Stack and AWS::CloudFormation::Stack, each a child workflow of its own; outputs and attributes
 * across levels; listings that leave nested stacks out unless asked; delete, rollback and cancel recursing so that nothing is left.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SLEEPER, docker, recordHistories, showStack, stoke, uniqueName, waitUntil, useWorker, tempDir } from '../helpers';

const { stacks } = useWorker();

/** Writes files into a folder of their own; returns the folder. */
function writeFiles(files: Record<string, string>): string {
  const dir = tempDir('stoke-nested');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Every container of the stack and of the stacks nested in it: their names start with the root's. */
async function containersUnder(stack: string) {
  const all = await docker().listContainers({ all: true, filters: { label: ['org.stoke.stack'] } });
  return all.filter((c) => c.Labels['org.stoke.stack'] === stack || c.Labels['org.stoke.stack']!.startsWith(`${stack}-`));
}

const container = (env = '[]') => `{type: DockerInc::Docker::Container, properties: {image: busybox, cmd: ${SLEEPER}, env: ${env}}}`;

const TWO_LEVELS = {
  'parent.yaml': `
heat_template_version: 2016-10-14
resources:
  app:
    type: lib/app.yaml
    properties: {greeting: hello}
  inline:
    type: OS::Heat::Stack
    properties:
      template: {get_file: lib/inline.yaml}
      parameters: {word: {get_attr: [app, word]}}
outputs:
  word: {value: {get_attr: [app, word]}}
  deep: {value: {get_attr: [app, deep]}}
  inline_echo: {value: {get_attr: [inline, outputs, echo]}}
  inline_name: {value: {get_attr: [inline, stack_name]}}
  app_id: {value: {get_resource: app}}
`,
  'lib/app.yaml': `
heat_template_version: 2016-10-14
parameters:
  greeting: {type: string}
resources:
  suffix: {type: OS::Heat::RandomString, properties: {length: 4}}
  web: ${container('[{list_join: ["=", [WORD, {get_param: greeting}]]}]')}
  db: {type: db.yaml}
outputs:
  word: {value: {list_join: ['-', [{get_param: greeting}, {get_attr: [suffix, value]}]]}}
  deep: {value: {get_attr: [db, name]}}
`,
  'lib/db.yaml': `
heat_template_version: 2016-10-14
resources:
  box: ${container()}
outputs:
  name: {value: {get_param: OS::stack_name}}
`,
  'lib/inline.yaml': `
heat_template_version: 2016-10-14
parameters:
  word: {type: string}
resources:
  nothing: {type: OS::Heat::None}
outputs:
  echo: {value: {get_param: word}}
`,
};

test('a two-level nested create: child workflows, outputs across levels, listings, and a delete that leaves nothing', async () => {
  const dir = writeFiles(TWO_LEVELS);
  const stack = uniqueName('nested');
  stacks.push(stack);
  const created = stoke('stack', 'create', stack, '-t', path.join(dir, 'parent.yaml'), '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);

  const parent = showStack(stack);
  expect(parent.status).toBe('CREATE_COMPLETE');
  const outputs = Object.fromEntries(Object.entries(parent.outputs).map(([k, o]) => [k, o.value]));
  expect(outputs.word).toMatch(/^hello-[A-Za-z0-9]{4}$/);
  expect(outputs.inline_echo).toBe(outputs.word);
  expect(outputs.app_id).toBe(parent.resources.app!.physicalId);
  // The grandchild's own name: parent-resource-suffix at each level.
  expect(outputs.deep).toMatch(new RegExp(`^${stack}-app-[0-9a-f]{12}-db-[0-9a-f]{12}$`));
  expect(outputs.inline_name).toMatch(new RegExp(`^${stack}-inline-[0-9a-f]{12}$`));

  const child = showStack(String(outputs.deep).replace(/-db-[0-9a-f]{12}$/, ''));
  expect(child.status).toBe('CREATE_COMPLETE');
  expect(child.id).toBe(parent.resources.app!.physicalId);
  expect(child.parent).toMatchObject({ name: stack, resource: 'app', depth: 1, root: { name: stack, id: parent.id } });
  expect(showStack(String(outputs.deep)).parent).toMatchObject({ depth: 2, root: { name: stack, id: parent.id } });
  const boxes = await containersUnder(stack);
  expect(boxes.map((c) => c.Labels['org.stoke.resource']).sort()).toEqual(['box', 'web']);

  const listed = stoke('stack', 'list', '-f', 'json');
  const names = (JSON.parse(listed.stdout) as { 'Stack Name': string }[]).map((s) => s['Stack Name']);
  expect(names).toContain(stack);
  expect(names.filter((n) => n.startsWith(`${stack}-`))).toEqual([]);
  const withNested = JSON.parse(stoke('stack', 'list', '--nested', '-f', 'json').stdout) as { 'Stack Name': string; Parent: string | null }[];
  expect(withNested.filter((s) => s['Stack Name'].startsWith(`${stack}-`)).map((s) => [s['Stack Name'], s.Parent]).sort()).toEqual([
    [child.name, stack], [String(outputs.deep), child.name], [String(outputs.inline_name), stack],
  ].sort());

  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.status).toBe(0);
  expect(await containersUnder(stack)).toEqual([]);
  for (const name of [child.name, String(outputs.deep), String(outputs.inline_name)]) expect(showStack(name).status).toBe('DELETE_COMPLETE');
  await recordHistories(stack, 'nested-root');
  await recordHistories(child.name, 'nested-child');
});

test('a failure two levels down fails the root, whose rollback deletes every level', async () => {
  const dir = writeFiles({
    'parent.yaml': 'heat_template_version: 2016-10-14\nresources:\n  app: {type: child.yaml}\n  web: ' + container() + '\n',
    'child.yaml': 'heat_template_version: 2016-10-14\nresources:\n  web: ' + container() + '\n  deeper: {type: grandchild.yaml}\n',
    'grandchild.yaml': 'heat_template_version: 2016-10-14\nresources:\n  box: ' + container()
      + '\n  broken: {type: OS::Heat::TestResource, depends_on: box, properties: {fail: true}}\n',
  });
  const stack = uniqueName('nested-rollback');
  stacks.push(stack);
  const created = stoke('stack', 'create', stack, '-t', path.join(dir, 'parent.yaml'), '--wait');
  expect(created.status).not.toBe(0);
  const parent = showStack(stack);
  expect(parent.status).toBe('ROLLBACK_COMPLETE');
  expect(parent.statusReason).toMatch(/app: nested stack .*-app-[0-9a-f]{12}: .*deeper: nested stack .*-deeper-[0-9a-f]{12}: .*broken/);
  expect(await containersUnder(stack)).toEqual([]);
});

test('a cancel while a nested stack waits cancels the child and rolls every level back', async () => {
  const dir = writeFiles({
    'parent.yaml': 'heat_template_version: 2016-10-14\nresources:\n  app: {type: child.yaml}\n',
    'child.yaml': `heat_template_version: 2016-10-14
resources:
  web: ${container()}
  handle: {type: OS::Heat::WaitConditionHandle}
  wait: {type: OS::Heat::WaitCondition, depends_on: web, properties: {handle: {get_resource: handle}, timeout: 3600}}
`,
  });
  const stack = uniqueName('nested-cancel');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', path.join(dir, 'parent.yaml')).status).toBe(0);
  await waitUntil('the nested stack to wait', async () => ((await containersUnder(stack)).length === 1 ? true : undefined));
  const cancelled = stoke('stack', 'cancel', stack, '--wait');
  expect(cancelled.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Stack CREATE cancelled; rolled back`);
  expect(cancelled.status).toBe(0);
  const app = showStack(stack).resources.app!;
  expect(app.status).toBe('DELETE_COMPLETE');
  expect(await containersUnder(stack)).toEqual([]);
});

test('an update changes a nested stack in place: its child is updated, what did not change kept', async () => {
  const dir = writeFiles({
    'parent.yaml': `heat_template_version: 2016-10-14
parameters:
  word: {type: string, default: one}
resources:
  app: {type: child.yaml, properties: {word: {get_param: word}}}
outputs:
  echo: {value: {get_attr: [app, echo]}}
`,
    'child.yaml': `heat_template_version: 2016-10-14
parameters:
  word: {type: string}
resources:
  web: ${container()}
  tag: {type: OS::Heat::None, properties: {word: {get_param: word}}}
outputs:
  echo: {value: {get_param: word}}
`,
  });
  const stack = uniqueName('nested-update');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', path.join(dir, 'parent.yaml'), '--wait').status).toBe(0);
  const before = showStack(stack);
  const childName = (await containersUnder(stack))[0]!.Labels['org.stoke.stack']!;
  const web = showStack(childName).resources.web!.physicalId;

  const updated = stoke('stack', 'update', stack, '--existing', '--parameter', 'word=two', '--wait');
  expect(updated.stderr).toBe('');
  expect(updated.status).toBe(0);
  const after = showStack(stack);
  expect(after.status).toBe('UPDATE_COMPLETE');
  expect(after.outputs.echo!.value).toBe('two');
  // The same child stack, updated: its container untouched.
  expect(after.resources.app!.physicalId).toBe(before.resources.app!.physicalId);
  const child = showStack(childName);
  expect(child.status).toBe('UPDATE_COMPLETE');
  expect(child.resources.web!.physicalId).toBe(web);
  expect(child.resources.tag!.properties).toEqual({ word: 'two' });
});

test('a ResourceGroup grows and shrinks by update: members kept by name, removal policies pick who goes, refs and member attributes read', async () => {
  const dir = writeFiles({
    'group.yaml': `heat_template_version: 2016-10-14
parameters:
  count: {type: number, default: 3}
  removed: {type: comma_delimited_list, default: []}
resources:
  boxes:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: count}
      removal_policies: [{resource_list: {get_param: removed}}]
      resource_def:
        type: DockerInc::Docker::Container
        properties: {image: busybox, cmd: ${SLEEPER}, env: [BOX=box-%index%]}
outputs:
  refs: {value: {get_attr: [boxes, refs]}}
  first: {value: {get_attr: [boxes, resource.0]}}
  removed: {value: {get_attr: [boxes, removed_rsrc_list]}}
`,
  });
  const stack = uniqueName('group');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', path.join(dir, 'group.yaml'), '--wait').status).toBe(0);
  const members = async () => Object.fromEntries((await containersUnder(stack)).map((c) => [c.Labels['org.stoke.resource']!, c.Id]));
  const three = await members();
  expect(Object.keys(three).sort()).toEqual(['0', '1', '2']);
  const created = showStack(stack);
  expect(created.outputs.refs!.value).toEqual(['0', '1', '2'].map((n) => three[n]));
  expect(created.outputs.first!.value).toBe(three['0']);
  expect((await docker().getContainer(three['1']!).inspect()).Config.Env).toContain('BOX=box-1');

  expect(stoke('stack', 'update', stack, '--existing', '--parameter', 'count=5', '--wait').status).toBe(0);
  const five = await members();
  expect(Object.keys(five).sort()).toEqual(['0', '1', '2', '3', '4']);
  for (const n of ['0', '1', '2']) expect(five[n]).toBe(three[n]);

  const shrunk = stoke('stack', 'update', stack, '--existing', '--parameter', 'count=2', '--parameter', 'removed=1', '--wait');
  expect(shrunk.status).toBe(0);
  const two = await members();
  // Member 1 named by the policy, then the highest index.
  expect(Object.keys(two).sort()).toEqual(['0', '2']);
  expect(two['0']).toBe(three['0']);
  expect(showStack(stack).outputs.removed!.value).toEqual(['1']);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await containersUnder(stack)).toEqual([]);
});

test('AWS::CloudFormation::Stack: a CFN parent runs the child its TemplateURL names with its Parameters, and reads Outputs.X', async () => {
  const dir = writeFiles({
    'parent.template': `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Word: {Type: String, Default: hello}
Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: nested/child.template
      TimeoutInMinutes: 10
      Parameters: {Greeting: {Ref: Word}, Count: '2'}
Outputs:
  Echo: {Value: {'Fn::GetAtt': [Child, Outputs.Echo]}}
  Box: {Value: {'Fn::GetAtt': [Child, Outputs.Box]}}
  ChildId: {Value: {Ref: Child}}
`,
    'nested/child.template': `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Greeting": {"Type": "String"}, "Count": {"Type": "Number", "MinValue": 1}},
  "Resources": {
    "Box": {"Type": "DockerInc::Docker::Container", "Properties": {"image": "busybox", "cmd": ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
      "env": [{"Fn::Join": ["=", ["WORD", {"Ref": "Greeting"}]]}]}}
  },
  "Outputs": {
    "Echo": {"Value": {"Fn::Join": ["-", [{"Ref": "Greeting"}, {"Ref": "Count"}, {"Ref": "AWS::StackName"}]]}},
    "Box": {"Value": {"Ref": "Box"}}
  }
}
`,
  });
  const stack = uniqueName('nested-cfn');
  stacks.push(stack);
  const created = stoke('stack', 'create', stack, '-t', path.join(dir, 'parent.template'), '--parameter', 'Word=hi', '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const parent = showStack(stack);
  expect(parent.status).toBe('CREATE_COMPLETE');
  const child = parent.resources.Child!;
  expect(child.type).toBe('AWS::CloudFormation::Stack');
  const outputs = Object.fromEntries(Object.entries(parent.outputs).map(([k, o]) => [k, o.value]));
  expect(outputs.Echo).toMatch(new RegExp(`^hi-2-${stack}-Child-[0-9a-f]{12}$`));
  expect(outputs.ChildId).toBe(child.physicalId);

  const boxes = await containersUnder(stack);
  expect(boxes.map((c) => [c.Labels['org.stoke.resource'], c.Id])).toEqual([['Box', outputs.Box]]);
  expect((await docker().getContainer(boxes[0]!.Id).inspect()).Config.Env).toContain('WORD=hi');
  const nested = showStack(String(outputs.Echo).replace(/^hi-2-/, ''));
  expect(nested.id).toBe(child.physicalId);
  expect(nested.parent).toMatchObject({ name: stack, resource: 'Child', depth: 1 });

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await containersUnder(stack)).toEqual([]);
  expect(showStack(nested.name).status).toBe('DELETE_COMPLETE');
});

/** Two levels below the root, each with a container and a tag of the root's word; the grandchild's TestResource fails when told. */
const UPDATE_LEVELS = {
  'parent.yaml': `heat_template_version: 2016-10-14
parameters:
  word: {type: string, default: one}
  fail: {type: boolean, default: false}
resources:
  app: {type: child.yaml, properties: {word: {get_param: word}, fail: {get_param: fail}}}
outputs:
  echo: {value: {get_attr: [app, echo]}}
`,
  'child.yaml': `heat_template_version: 2016-10-14
parameters:
  word: {type: string}
  fail: {type: boolean}
resources:
  web: ${container()}
  tag: {type: OS::Heat::None, properties: {word: {get_param: word}}}
  deeper: {type: grandchild.yaml, properties: {word: {get_param: word}, fail: {get_param: fail}}}
outputs:
  echo: {value: {get_attr: [deeper, echo]}}
`,
  'grandchild.yaml': `heat_template_version: 2016-10-14
parameters:
  word: {type: string}
  fail: {type: boolean}
resources:
  box: ${container()}
  tag: {type: OS::Heat::None, properties: {word: {get_param: word}}}
  broken: {type: OS::Heat::TestResource, depends_on: tag, properties: {value: {get_param: word}, fail: {get_param: fail}}}
outputs:
  echo: {value: {get_param: word}}
`,
};

/** What an update may change at each level of UPDATE_LEVELS: container ids, resource properties, outputs. */
async function levelsOf(stack: string) {
  const byStack = Object.fromEntries((await containersUnder(stack)).map((c) => [c.Labels['org.stoke.resource']!, c.Labels['org.stoke.stack']!]));
  const level = (name: string) => {
    const state = showStack(name);
    return {
      status: state.status,
      resources: Object.fromEntries(Object.entries(state.resources).map(([r, s]) => [r, s.type.startsWith('DockerInc') ? s.physicalId : s.properties])),
      outputs: Object.fromEntries(Object.entries(state.outputs).map(([k, o]) => [k, o.value])),
    };
  };
  return { child: byStack.web!, grandchild: byStack.box!, levels: [level(stack), level(byStack.web!), level(byStack.box!)] };
}

test('an update whose grandchild fails rolls the root back: both nested stacks as before, same containers, properties back', async () => {
  const dir = writeFiles(UPDATE_LEVELS);
  const stack = uniqueName('nested-update-rollback');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', path.join(dir, 'parent.yaml'), '--wait').status).toBe(0);
  const before = await levelsOf(stack);
  expect(before.levels[2]!.resources.broken).toMatchObject({ value: 'one', fail: false });

  const updated = stoke('stack', 'update', stack, '--existing', '--parameter', 'word=two', '--parameter', 'fail=true', '--rollback', 'enabled', '--wait');
  expect(updated.status).not.toBe(0);
  const parent = showStack(stack);
  expect(parent.status).toBe('ROLLBACK_COMPLETE');
  expect(parent.statusReason).toMatch(/app: nested stack .*-app-[0-9a-f]{12}: .*deeper: nested stack .*-deeper-[0-9a-f]{12}: .*broken/);
  const after = await levelsOf(stack);
  expect({ child: after.child, grandchild: after.grandchild }).toEqual({ child: before.child, grandchild: before.grandchild });
  // Each level's resources and outputs as before the update; the nested stacks were brought back by an update.
  expect(after.levels.map((l) => [l.resources, l.outputs])).toEqual(before.levels.map((l) => [l.resources, l.outputs]));
  expect(after.levels.slice(1).map((l) => l.status)).toEqual(['UPDATE_COMPLETE', 'UPDATE_COMPLETE']);
  await recordHistories(stack, 'nested-update-rollback-root');
  await recordHistories(before.child, 'nested-update-rollback-child');

  // Rolled back means the stack updates again as it did before.
  expect(stoke('stack', 'update', stack, '--existing', '--parameter', 'word=three', '--parameter', 'fail=false', '--wait').status).toBe(0);
  expect(showStack(stack).outputs.echo!.value).toBe('three');
});

test('a failed nested update with rollback disabled leaves UPDATE_FAILED, the reason naming each nested stack down to the failure', async () => {
  const dir = writeFiles(UPDATE_LEVELS);
  const stack = uniqueName('nested-update-failed');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', path.join(dir, 'parent.yaml'), '--wait').status).toBe(0);
  const before = await levelsOf(stack);

  const updated = stoke('stack', 'update', stack, '--existing', '--parameter', 'word=two', '--parameter', 'fail=true', '--rollback', 'disabled', '--wait');
  expect(updated.status).not.toBe(0);
  const parent = showStack(stack);
  expect(parent.status).toBe('UPDATE_FAILED');
  expect(parent.statusReason).toBe(
    `Resource UPDATE failed: app: nested stack ${before.child}: Resource UPDATE failed: deeper: nested stack ${before.grandchild}: `
    + 'Resource UPDATE failed: broken: Test Resource failed broken',
  );
  expect(parent.resources.app!.status).toBe('UPDATE_FAILED');
  const after = await levelsOf(stack);
  expect(after.levels.map((l) => l.status)).toEqual(['UPDATE_FAILED', 'UPDATE_FAILED', 'UPDATE_FAILED']);
  // What the update had done before the failure stays: the tags took the new word, the containers are the same.
  expect(after.levels[1]!.resources).toMatchObject({ web: before.levels[1]!.resources.web, tag: { word: 'two' } });
  expect(after.levels[2]!.resources).toMatchObject({ box: before.levels[2]!.resources.box, tag: { word: 'two' } });
});

test('check, suspend and resume recurse into nested stacks; a drifted grandchild fails the root\'s check by name', async () => {
  const dir = writeFiles({
    'parent.yaml': 'heat_template_version: 2016-10-14\nresources:\n  app: {type: child.yaml}\n',
    'child.yaml': 'heat_template_version: 2016-10-14\nresources:\n  deeper: {type: grandchild.yaml}\n',
    'grandchild.yaml': 'heat_template_version: 2016-10-14\nresources:\n  box: ' + container() + '\n',
  });
  const stack = uniqueName('nested-check');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', path.join(dir, 'parent.yaml'), '--wait').status).toBe(0);
  const [box] = await containersUnder(stack);
  const checked = stoke('stack', 'check', stack, '--wait');
  expect(checked.status).toBe(0);
  expect(showStack(stack).resources.app).toMatchObject({ status: 'CHECK_COMPLETE', statusReason: '' });

  expect(stoke('stack', 'suspend', stack, '--wait').status).toBe(0);
  expect((await docker().getContainer(box!.Id).inspect()).State.Paused).toBe(true);
  expect(stoke('stack', 'resume', stack, '--wait').status).toBe(0);
  expect((await docker().getContainer(box!.Id).inspect()).State.Paused).toBe(false);

  await docker().getContainer(box!.Id).remove({ force: true });
  const drifted = stoke('stack', 'check', stack, '--wait');
  expect(drifted.status).not.toBe(0);
  const app = showStack(stack).resources.app!;
  expect(app.status).toBe('CHECK_FAILED');
  expect(app.statusReason).toMatch(/nested stack .*-app-[0-9a-f]{12}: .*deeper: nested stack .*-deeper-[0-9a-f]{12}: .*box/);
});
