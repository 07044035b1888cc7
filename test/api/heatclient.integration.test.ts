/**
 * heatclient's Python API (`heatclient.client.Client('1', endpoint=…, token=…)`), as scripts on Heat use it,
 * against the built `stoke api`: files are gathered by heatclient's own template_utils, so get_file and
 * template resources arrive rewritten to `file://` URLs with their contents in `files`, as Heat receives them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureOpenstackCli, PYTHON, startApi, TOKEN, type Api } from './harness';
import { showStack, stoke, uniqueName, waitUntil, tempDir } from '../helpers';

let api: Api;
const stacks: string[] = [];

beforeAll(async () => {
  ensureOpenstackCli();
  api = await startApi('tenant-py');
}, 600_000);

afterAll(async () => {
  for (const name of stacks) stoke('stack', 'delete', name, '--wait');
  await api.stop();
});

/**
 * Creates `name` from `template` through heatclient, or validates it (name `-`); prints the new id or the
 * validation's answer as JSON, or `ERROR <status> <message>`.
 */
const HEATCLIENT = `
import json, sys
from heatclient import client, exc
from heatclient.common import template_utils
endpoint, token, name, template = sys.argv[1:5]
heat = client.Client('1', endpoint=endpoint, token=token)
files, body = template_utils.get_template_contents(template)
try:
    if name == '-':
        print(json.dumps(heat.stacks.validate(template=body, files=files)))
    else:
        print(heat.stacks.create(stack_name=name, template=body, files=files)['stack']['id'])
except exc.HTTPException as e:
    print('ERROR', e.code, e.error['error']['message'])
`;

function heatclient(name: string, template: string): string {
  const run = spawnSync(PYTHON, ['-c', HEATCLIENT, api.endpoint, TOKEN, name, template], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`heatclient failed (${run.status}): ${run.stderr}`);
  return run.stdout.trim();
}

const create = (name: string, template: string) => heatclient(name, template);
const validate = (template: string) => heatclient('-', template);

function files(entries: Record<string, string>): string {
  const dir = tempDir('stoke-heatclient');
  for (const [name, text] of Object.entries(entries)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

test('a stack created through heatclient reads the file heatclient sent under its file:// URL', async () => {
  const dir = files({
    'main.yaml': [
      'heat_template_version: 2016-10-14',
      'resources:',
      '  word: {type: OS::Heat::RandomString, properties: {salt: {get_file: greeting.txt}}}',
      'outputs:',
      '  text: {value: {get_file: greeting.txt}}',
    ].join('\n'),
    'greeting.txt': 'hello from a file\n',
  });
  const name = uniqueName('heatclient');
  stacks.push(name);
  const id = create(name, path.join(dir, 'main.yaml'));
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  await waitUntil('the stack to be CREATE_COMPLETE', () => (showStack(name).status === 'CREATE_COMPLETE' ? true : undefined));
  const state = showStack(name);
  expect(state.id).toBe(id);
  expect(state.outputs.text!.value).toBe('hello from a file\n');
});

test('a template resource arrives in files as Heat sends it: validated against the child template sent, and created as a nested stack', async () => {
  const child = 'heat_template_version: 2016-10-14\nparameters:\n  size: {type: number}\nresources:\n  n: {type: OS::Heat::None, properties: {value: {get_param: size}}}\n'
    + 'outputs:\n  doubled: {value: {list_join: [" ", [{get_param: size}, {get_file: note.txt}]]}}\n';
  const dir = files({
    'parent.yaml': 'heat_template_version: 2016-10-14\nresources:\n  child: {type: child.yaml, properties: {size: 3}}\noutputs:\n  from_child: {value: {get_attr: [child, doubled]}}\n',
    'wrong.yaml': 'heat_template_version: 2016-10-14\nresources:\n  child: {type: child.yaml, properties: {colour: 3}}\n',
    'child.yaml': child,
    'note.txt': 'sent by heatclient',
  });
  expect(JSON.parse(validate(path.join(dir, 'parent.yaml')))).toMatchObject({ Parameters: {} });
  const wrong = validate(path.join(dir, 'wrong.yaml'));
  expect(wrong).toMatch(/^ERROR 400 /);
  expect(wrong).toContain(`the nested template 'file://${dir}/child.yaml' has no parameter 'colour' (it has: size)`);

  const name = uniqueName('heatclient-nested');
  stacks.push(name);
  const id = create(name, path.join(dir, 'parent.yaml'));
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  await waitUntil('the stack to be CREATE_COMPLETE', () => (showStack(name).status === 'CREATE_COMPLETE' ? true : undefined));
  const state = showStack(name);
  // The child's own get_file, rewritten by heatclient to a file:// URL, read from what heatclient sent.
  expect(state.outputs.from_child!.value).toBe('3 sent by heatclient');
  expect(state.resources.child!.type).toBe(`file://${dir}/child.yaml`);
});
