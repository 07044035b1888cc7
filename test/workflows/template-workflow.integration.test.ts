/**
 * The template language end to end, against the real Temporal dev server and a worker process:
 * functions over resources resolve inside the workflow, and hidden values reach resources while no
 * CLI output (create, show, resource list, output show) prints them.
 */
import type { ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import { outputsOf, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  await stopWorker(worker);
});

test('a hidden value is used by the stack but masked in everything the CLI prints', () => {
  const stack = uniqueName('hidden');
  const secret = `s3cret-${Date.now()}`;
  const template = writeTemplate(`heat_template_version: 2018-08-31
parameters:
  db_password: {type: string, hidden: true, label: Database password}
conditions:
  always: {equals: [1, 1]}
resources:
  holder:
    type: OS::Heat::None
    condition: always
    properties:
      url: {make_url: {scheme: mysql, username: app, password: {get_param: db_password}, host: db}}
outputs:
  dsn: {value: {list_join: ['', ['dsn=', {get_param: db_password}]]}}
  length: {value: {digest: [sha256, {get_param: db_password}]}}
`);
  const outputs: string[] = [];
  const run = (...args: string[]) => {
    const result = stoke(...args);
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  expect(run('stack', 'create', stack, '-t', template, '--parameter', `db_password=${secret}`, '--wait').status).toBe(0);
  const shown = outputsOf(run('stack', 'output', 'show', stack, '-f', 'json').stdout);
  expect(shown.dsn).toBe('dsn=******');
  expect(shown.length).toMatch(/^[0-9a-f]{64}$/);
  expect(run('stack', 'show', stack, '-f', 'json').status).toBe(0);
  expect(run('stack', 'resource', 'list', stack, '-f', 'json').status).toBe(0);
  expect(outputs.join('\n')).not.toContain(secret);
  expect(run('stack', 'delete', stack, '--wait').status).toBe(0);
});

test('functions over resource attributes resolve in the workflow once the resources exist', () => {
  const stack = uniqueName('functions');
  const template = writeTemplate(`heat_template_version: rocky
parameters:
  size: {type: number, default: 12}
conditions:
  big: {equals: [{get_param: size}, 64]}
resources:
  token:
    type: OS::Heat::RandomString
    properties: {length: {if: [big, 64, {get_param: size}]}, sequence: hexdigits}
  holder:
    type: OS::Heat::None
    properties:
      hashed: {digest: [sha512, {get_attr: [token, value]}]}
outputs:
  token: {value: {get_attr: [token, value]}}
  sha512: {value: {digest: [sha512, {get_attr: [token, value]}]}}
  parts: {value: {str_split: [':', {list_join: [':', [a, {get_resource: holder}], [b]]}]}}
  repeated: {value: {repeat: {for_each: {'%n%': [1, 2]}, template: {url: {list_join: ['', ['http://', {get_attr: [token, value]}, ':%n%']]}}}}}
  url: {value: {make_url: {scheme: https, host: {get_attr: [token, value]}, port: 8443, path: a b}}}
  merged: {value: {map_merge: [{a: {get_attr: [token, value]}}, {b: 2}]}}
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const outputs = outputsOf(stoke('stack', 'output', 'show', stack, '-f', 'json').stdout);
  const token = outputs.token as string;
  expect(token).toMatch(/^[0-9a-fA-F]{12}$/);
  expect(outputs.sha512).toBe(crypto.createHash('sha512').update(token).digest('hex'));
  const listed = JSON.parse(stoke('stack', 'resource', 'list', stack, '-f', 'json').stdout) as { resource_name: string; physical_resource_id: string }[];
  const holder = listed.find((r) => r.resource_name === 'holder')!;
  expect(holder.physical_resource_id).not.toBe('');
  expect(outputs.parts).toEqual(['a', holder.physical_resource_id, 'b']);
  expect(outputs.repeated).toEqual([{ url: `http://${token}:1` }, { url: `http://${token}:2` }]);
  expect(outputs.merged).toEqual({ a: token, b: 2 });
  expect(outputs.url).toBe(`https://${token}:8443/a%20b`);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});

test('an output whose condition is false is listed with the value null, and output show answers null', () => {
  const stack = uniqueName('nulloutput');
  const template = writeTemplate(`heat_template_version: 2016-10-14
conditions:
  never: {equals: [1, 2]}
resources:
  spare:
    type: OS::Heat::RandomString
    condition: never
outputs:
  spare_value: {value: {get_attr: [spare, value]}, description: only when wanted, condition: never}
  always: {value: here}
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const all = stoke('stack', 'output', 'show', stack, '-f', 'json');
  expect(JSON.parse(all.stdout)).toEqual([
    { output_key: 'spare_value', output_value: null, description: 'only when wanted' }, { output_key: 'always', output_value: 'here', description: 'No description given' },
  ]);
  expect(stoke('stack', 'output', 'show', stack).stdout).toMatch(/spare_value\s+null\s+only when wanted/);
  const one = stoke('stack', 'output', 'show', stack, 'spare_value', '-f', 'value', '-c', 'output_value');
  expect([one.status, one.stdout.trim()]).toEqual([0, 'null']);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});
