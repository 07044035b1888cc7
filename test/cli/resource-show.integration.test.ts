/** `stoke stack resource show` against a real stack: one resource's detail, hidden values masked as `stack show` masks them. */
import type { ChildProcess } from 'node:child_process';
import { parse } from 'yaml';
import { SLEEPER, stackContainers, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
const stack = uniqueName('detail');

beforeAll(async () => {
  worker = await startWorker();
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  password: {type: string, hidden: true, default: s3cret-pass}
resources:
  db:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      env: [{list_join: ['=', [PASSWORD, {get_param: password}]]}]
      cmd: ${SLEEPER}
  app:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      env: [{list_join: ['=', [DB_HOST, {get_attr: [db, network_ip]}]]}]
      cmd: ${SLEEPER}
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
});

afterAll(async () => {
  stoke('stack', 'delete', stack, '--wait');
  await stopWorker(worker);
});

test('json: status, physical id, type, attributes, masked properties, what it requires and what requires it', async () => {
  const shown = stoke('stack', 'resource', 'show', stack, 'db', '-f', 'json');
  expect(shown.stderr).toBe('');
  const detail = JSON.parse(shown.stdout);
  const [db] = (await stackContainers(stack)).filter((c) => c.Labels['org.stoke.resource'] === 'db');
  expect(detail).toMatchObject({
    resource_name: 'db', resource_type: 'DockerInc::Docker::Container', resource_status: 'CREATE_COMPLETE',
    physical_resource_id: db!.Id, depends_on: [], required_by: ['app'],
    attributes: { network_ip: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) },
    properties: { image: 'busybox', env: ['PASSWORD=******'] },
  });
  expect(detail.resource_status_reason).toEqual(expect.any(String));
  expect(detail.updated_time).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(shown.stdout).not.toContain('s3cret-pass');
  const app = JSON.parse(stoke('stack', 'resource', 'show', stack, 'app', '-f', 'json').stdout);
  expect(app).toMatchObject({ depends_on: ['db'], required_by: [] });
});

test('table and yaml carry the same fields', () => {
  const table = stoke('stack', 'resource', 'show', stack, 'app').stdout;
  expect(table).toMatch(/^resource_status +CREATE_COMPLETE$/m);
  expect(table).toMatch(/^depends_on +\["db"\]$/m);
  expect(parse(stoke('stack', 'resource', 'show', stack, 'app', '-f', 'yaml').stdout)).toMatchObject({ resource_name: 'app', depends_on: ['db'] });
});

test('a resource the stack does not have: a clear error listing the ones it has', () => {
  const missing = stoke('stack', 'resource', 'show', stack, 'web');
  expect(missing.status).not.toBe(0);
  expect(missing.stderr.trim()).toBe(`ERROR: stack '${stack}' has no resource 'web' (it has: app, db)`);
});
