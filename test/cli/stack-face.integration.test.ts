/** The openstack client's habits on real stacks: shapes and formats of show and list, list filters, delete's prompt and many stacks, completion names. */
import { spawnSync, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
const first = uniqueName('face');
const second = uniqueName('face');
const template = writeTemplate(`
heat_template_version: 2016-10-14
description: a face
parameters:
  size: {type: number, default: 8}
  pin: {type: string, default: '1234', hidden: true}
resources:
  word: {type: OS::Heat::RandomString, properties: {length: {get_param: size}}}
outputs:
  value: {value: {get_attr: [word, value]}, description: the word}
`);

beforeAll(async () => {
  worker = await startWorker();
  for (const name of [first, second]) expect(stoke('stack', 'create', name, '-t', template, '--timeout', '7', '--parameter', 'size=8', '--parameter', 'pin=1234', '--wait').status).toBe(0);
});

afterAll(async () => {
  for (const name of [first, second]) stoke('stack', 'delete', name, '--yes', '--wait');
  await stopWorker(worker);
});

/** Bad input fails with one clear line and exit 1, never a stack trace. */
function refused(args: string[], message: string | RegExp): void {
  const result = stoke(...args);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

test('stack show and output show in the openstack client\'s shapes, in every format', () => {
  const shown = JSON.parse(stoke('stack', 'show', first, '-f', 'json').stdout);
  expect(shown).toMatchObject({
    stack_name: first, description: 'a face', stack_status: 'CREATE_COMPLETE', timeout_mins: 7, disable_rollback: false, parent: null,
    parameters: { size: '8', pin: '******', 'OS::stack_name': first },
    links: [{ rel: 'self', href: expect.stringContaining(`/stacks/${first}/${shown.id}`) }],
  });
  const word = shown.outputs[0].output_value as string;
  expect(shown.outputs).toEqual([{ output_key: 'value', output_value: word, description: 'the word' }]);
  expect(JSON.parse(stoke('stack', 'output', 'show', first, 'value', '-f', 'json').stdout)).toEqual({ output_key: 'value', output_value: word, description: 'the word' });
  expect(stoke('stack', 'output', 'show', first, 'value', '-f', 'shell', '-c', 'output_value').stdout).toBe(`output_value="${word}"\n`);
  expect(stoke('stack', 'output', 'list', first, '-f', 'value').stdout).toBe('value the word\n');
  expect(stoke('stack', 'show', first, '-f', 'value', '-c', 'stack_status', '-c', 'timeout_mins').stdout).toBe('CREATE_COMPLETE\n7\n');
  expect(stoke('stack', 'show', first, '-f', 'json', '--noindent', '-c', 'stack_name').stdout).toBe(`{"stack_name":"${first}"}\n`);
  expect(stoke('stack', 'show', first).stdout).toMatch(new RegExp(`^ +OS::stack_name: ${first}$`, 'm'));
  expect(stoke('stack', 'resource', 'list', first, '-f', 'csv', '-c', 'resource_name', '-c', 'resource_status').stdout).toBe('"resource_name","resource_status"\n"word","CREATE_COMPLETE"\n');
});

test('stack list: property filters, sorting, --long; the creation time stays the create\'s after other actions', () => {
  const list = (...args: string[]) => stoke('stack', 'list', '-f', 'value', '-c', 'Stack Name', ...args).stdout.split('\n').filter((n) => n.startsWith('face-'));
  expect(list('--property', `name=${first}`)).toEqual([first]);
  expect(list('--property', `name=${first}`, '--property', `name=${second}`, '--sort-column', 'Stack Name', '--sort-descending')).toEqual([second, first].sort().reverse());
  expect(list('--property', `name=${first}`, '--property', 'status=FAILED')).toEqual([]);
  const created = (name: string) => stoke('stack', 'list', '--property', `name=${name}`, '-f', 'value', '-c', 'Creation Time').stdout.trim();
  const before = created(first);
  expect(before).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(stoke('stack', 'check', first, '--wait').status).toBe(0);
  expect(created(first)).toBe(before);
  const long = JSON.parse(stoke('stack', 'list', '--long', '--property', `name=${first}`, '-f', 'json').stdout);
  expect(long).toEqual([expect.objectContaining({ ID: JSON.parse(stoke('stack', 'show', first, '-f', 'json').stdout).id, 'Stack Name': first, Project: 'default', 'Stack Status': 'CHECK_COMPLETE' })]);
});

test('bad input: an unknown column, format, stack or property is named, exit 1', () => {
  refused(['stack', 'show', first, '-c', 'nope'], /ERROR: unknown column 'nope' \(the columns are: id, links, stack_name/);
  refused(['stack', 'list', '-c', 'name'], /ERROR: unknown column 'name' \(the columns are: Stack Name, Stack Status/);
  refused(['stack', 'resource', 'list', first, '-f', 'xml'], /argument 'xml' is invalid. Allowed choices are table, json, yaml, value, csv/);
  refused(['stack', 'output', 'show', first, 'value', '-f', 'csv'], /Allowed choices are table, json, yaml, value, shell/);
  refused(['stack', 'show', 'nosuch-stack-x'], /ERROR: stack 'nosuch-stack-x' not found/);
  refused(['stack', 'output', 'list', 'nosuch-stack-x'], /ERROR: stack 'nosuch-stack-x' not found/);
  refused(['stack', 'list', '--property', 'owner=me'], /ERROR: --property 'owner=me' must be KEY=VALUE/);
  refused(['stack', 'list', '--max-width', '-3'], /ERROR: --max-width '-3' must be a whole number/);
  refused(['completion', 'fish'], /value 'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh/);
});

test('completion names stacks and resources from Temporal', () => {
  expect(stoke('_complete', 'stacks').stdout.split('\n')).toEqual(expect.arrayContaining([first, second]));
  expect(stoke('_complete', 'resources', first).stdout).toBe('word\n');
  expect(stoke('completion', 'bash').stdout).toContain('complete -o default -F _stoke stoke');
});

test('stack delete asks on a terminal and does nothing without a yes; deletes several at once, naming one it cannot', () => {
  // A terminal for stdin: python's pty runs the CLI, answering "n".
  const cli = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'cli.js');
  const script = 'import os, pty, sys\npid, fd = pty.fork()\nif pid == 0:\n  os.execv(sys.argv[1], sys.argv[1:])\nout = b""\nwhile b"[y/N]" not in out:\n  out += os.read(fd, 1024)\nos.write(fd, b"n\\n")\ntry:\n  while True:\n    chunk = os.read(fd, 1024)\n    if not chunk: break\n    out += chunk\nexcept OSError:\n  pass\nsys.stdout.write(out.decode())\nsys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n';
  const asked = spawnSync('python3', ['-c', script, process.execPath, cli, 'stack', 'delete', first, second], { encoding: 'utf8', timeout: 60_000 });
  expect(asked.stdout).toContain('Are you sure you want to delete these 2 stacks [y/N]?');
  expect(asked.stdout).toContain('not confirmed: nothing deleted');
  expect(stoke('stack', 'show', first, '-f', 'value', '-c', 'stack_status').stdout.trim()).toBe('CHECK_COMPLETE');

  const deleted = stoke('stack', 'delete', first, 'nosuch-stack-y', second, '--wait');
  expect(deleted.status).toBe(1);
  expect(deleted.stderr).toContain("ERROR: stack 'nosuch-stack-y' not found");
  expect(deleted.stderr).toContain('ERROR: unable to delete 1 of the 3 stacks');
  expect(deleted.stdout).toContain(`Stack ${first} DELETE_COMPLETE`);
  expect(deleted.stdout).toContain(`Stack ${second} DELETE_COMPLETE`);
});
