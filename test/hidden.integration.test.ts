/**
 * Hidden parameters end to end, against the real Temporal dev server and a worker process: the value
 * reaches the resource, yet no CLI output (create, show, resource list, output show) prints it.
 */
import type { ChildProcess } from 'node:child_process';
import { startWorker, stoke, stopWorker, uniqueName, writeTemplate } from './helpers';

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
  const shown = JSON.parse(run('stack', 'output', 'show', stack, '-f', 'json').stdout);
  expect(shown.dsn.value).toBe('dsn=******');
  expect(shown.length.value).toMatch(/^[0-9a-f]{64}$/);
  expect(run('stack', 'show', stack, '-f', 'json').status).toBe(0);
  expect(run('stack', 'resource', 'list', stack, '-f', 'json').status).toBe(0);
  expect(outputs.join('\n')).not.toContain(secret);
  expect(run('stack', 'delete', stack, '--wait').status).toBe(0);
});
