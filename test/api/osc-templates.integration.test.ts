/**
 * The real `openstack` CLI's template commands (validate, resource types, template versions and functions)
 * against the built `stoke api`, each compared with what stoke's own CLI or tables give; and the API served by
 * `stoke worker`, without a token only on loopback.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { call, ensureOpenstackCli, expectFault, openstack, openstackJson, PYTHON, startApi, TOKEN, type Api, type Run } from './harness';
import { freePort, showStack, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';
import { HOT_VERSION_DATES, KNOWN_FUNCTIONS } from '../../src/template/versions';

const CLI = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'cli.js');
let api: Api;

beforeAll(async () => {
  ensureOpenstackCli();
  api = await startApi('tenant-t');
}, 600_000);

afterAll(() => api.stop());

const TEMPLATE = `heat_template_version: 2016-10-14
description: validated by the openstack CLI
parameter_groups:
  - {label: access, parameters: [password]}
parameters:
  password: {type: string, hidden: true, label: Password, constraints: [{length: {min: 8}, description: eight at least}]}
  port: {type: number, default: 80, constraints: [{range: {min: 1, max: 65535}}]}
  flavor: {type: string, default: m1.small, constraints: [{allowed_values: [m1.small, m1.large]}]}
resources:
  word: {type: My::Word, properties: {salt: {get_param: flavor}}}
`;

test('template validate: the openstack CLI gets what `stoke template validate -f json` prints, environment files and parameters included', () => {
  const template = writeTemplate(TEMPLATE);
  const env = path.join(path.dirname(template), 'env.yaml');
  fs.writeFileSync(env, 'resource_registry:\n  My::Word: OS::Heat::RandomString\nparameter_defaults:\n  flavor: m1.large\n');
  const args = ['-t', template, '-e', env, '--parameter', 'port=8080'];
  const cli = stoke('template', 'validate', ...args, '-f', 'json');
  expect(cli.status).toBe(0);
  const osc = openstackJson<Record<string, unknown>>(api.endpoint, 'orchestration', 'template', 'validate', ...args);
  expect(osc).toEqual(JSON.parse(cli.stdout));
  expect(osc).toMatchObject({
    Description: 'validated by the openstack CLI',
    Parameters: { password: { Type: 'String', NoEcho: 'true', MinLength: 8 }, port: { Type: 'Number', Value: '8080' } },
    Environment: { parameter_defaults: { flavor: 'm1.large' }, resource_registry: { 'My::Word': 'OS::Heat::RandomString' } },
  });
});

test('template validate of an invalid template: every error the CLI reports, each with its path, and a non-zero exit', () => {
  const template = writeTemplate(`heat_template_version: 2016-10-14
parameters:
  n: {type: number, default: x}
resources:
  r: {type: OS::Nope}
  s: {type: OS::Heat::None, depends_on: [t]}
`);
  const cli = stoke('template', 'validate', '-t', template);
  expect(cli.status).toBe(1);
  // The CLI names the file and its lines; heatclient sends the template parsed, so the API names paths only.
  const errors = cli.stderr.split('\n').filter((line) => line.startsWith(`  ${template}:`)).map((line) => line.replace(/^ {2}[^ ]+: /, ''));
  expect(errors).toHaveLength(3);
  const osc = openstack(api.endpoint, TOKEN, 'orchestration', 'template', 'validate', '-t', template);
  expect(osc.status).not.toBe(0);
  expect(osc.stderr).toContain('template is invalid (3 errors):');
  for (const error of errors) expect(osc.stderr).toContain(`template: ${error}`);
  expect(osc.stderr).not.toMatch(/Traceback|\n\s+at /);
});

test('resource type list and show, with the template of a type, as `stoke resource type list/show` give them', () => {
  const cliTypes = (JSON.parse(stoke('resource', 'type', 'list', '-f', 'json').stdout) as { 'Resource Type': string }[]).map((row) => row['Resource Type']);
  const listed = openstackJson<{ 'Resource Type': string }[]>(api.endpoint, 'orchestration', 'resource', 'type', 'list');
  expect(listed.map((row) => row['Resource Type'])).toEqual(cliTypes);
  const filtered = openstackJson<{ 'Resource Type': string }[]>(api.endpoint, 'orchestration', 'resource', 'type', 'list', '--filter', 'name=OS::Heat::');
  expect(filtered.map((row) => row['Resource Type'])).toEqual(cliTypes.filter((type) => type.startsWith('OS::Heat::')));

  const { description: _, ...cliShown } = JSON.parse(stoke('resource', 'type', 'show', 'OS::Heat::RandomString', '-f', 'json').stdout);
  expect(openstackJson(api.endpoint, 'orchestration', 'resource', 'type', 'show', 'OS::Heat::RandomString')).toEqual(cliShown);

  const hot = openstackJson<Record<string, unknown>>(api.endpoint, 'orchestration', 'resource', 'type', 'show', 'OS::Heat::RandomString', '--template-type', 'hot');
  expect(hot).toMatchObject({ heat_template_version: '2015-04-30', resources: { RandomString: { type: 'OS::Heat::RandomString' } } });
  // The generated template is one stoke accepts as it is.
  const generated = writeTemplate(JSON.stringify(hot));
  expect(stoke('template', 'validate', '-t', generated)).toMatchObject({ status: 0 });

  const unknown = openstack(api.endpoint, TOKEN, 'orchestration', 'resource', 'type', 'show', 'OS::Nova::Nothing');
  expect(unknown.status).not.toBe(0);
  expect(unknown.stderr).toContain('Resource type not found: OS::Nova::Nothing');
});

test('template version list and function list: stoke\'s own versions and functions; an unknown version is not found', () => {
  const versions = openstackJson<{ Version: string; Type: string; Aliases: string[] }[]>(api.endpoint, 'orchestration', 'template', 'version', 'list');
  expect(versions.filter((v) => v.Type === 'hot').map((v) => v.Version)).toEqual(HOT_VERSION_DATES.map((date) => `heat_template_version.${date}`));
  expect(versions).toContainEqual({ Version: 'heat_template_version.2016-10-14', Type: 'hot', Aliases: ['heat_template_version.newton'] });

  const functions = openstackJson<{ Functions: string; Description: string }[]>(api.endpoint, 'orchestration', 'template', 'function', 'list', 'heat_template_version.2016-10-14');
  const names = functions.map((f) => f.Functions);
  expect(names).toEqual(expect.arrayContaining(['get_param', 'get_attr', 'map_replace', 'if', 'str_split']));
  expect(names.every((fn) => KNOWN_FUNCTIONS.hot.has(fn))).toBe(true);
  expect(names).not.toContain('yaql');
  const withConditions = openstackJson<{ Functions: string }[]>(api.endpoint, 'orchestration', 'template', 'function', 'list', '--with_conditions', 'heat_template_version.newton');
  expect(withConditions.map((f) => f.Functions)).toEqual(expect.arrayContaining(['equals', 'not', 'and', 'or']));

  const unknown = openstack(api.endpoint, TOKEN, 'orchestration', 'template', 'function', 'list', 'heat_template_version.2099-01-01');
  expect(unknown.status).not.toBe(0);
  expect(unknown.stderr).toContain('Template version not found: heat_template_version.2099-01-01');
});

test('plain HTTP: bad requests get Heat\'s status and error shape', async () => {
  await expectFault(await call(api.endpoint, 'GET', '/resource_types/OS::Nova::Nothing'), 404, 'ResourceTypeNotFound', /OS::Nova::Nothing/);
  await expectFault(await call(api.endpoint, 'GET', '/resource_types/OS::Heat::None/template?template_type=yaml'), 400, 'HTTPBadRequest', /Template type is not supported: yaml/);
  await expectFault(await call(api.endpoint, 'GET', '/resource_types?support_status=GREAT'), 400, 'HTTPBadRequest', /Invalid support status/);
  await expectFault(await call(api.endpoint, 'GET', '/template_versions/nope/functions'), 404, 'NotFound', /Template with version nope not found/);
  await expectFault(await call(api.endpoint, 'POST', '/validate', { template: 'heat_template_version: 2016-10-14\nresources: 3\n' }), 400, 'StackValidationFailed', /template:2:\d+: resources: 'resources' must be a mapping/);
  await expectFault(await call(api.endpoint, 'POST', '/validate', {}), 400, 'HTTPBadRequest', /No template specified/);
  await expectFault(await call(api.endpoint, 'DELETE', '/template_versions'), 405, 'HTTPMethodNotAllowed', /DELETE is not allowed/);
});

/** Workers the last test starts, stopped whatever it finds. */
const workers: ChildProcess[] = [];
afterAll(() => Promise.all(workers.map(stopWorker)));

/** `stoke worker` with its environment; resolves once the API has said its token (or the worker runs without it), or with how the start failed. */
function startWorkerWithApi(env: Record<string, string>): Promise<{ child: ChildProcess; output: string; code?: number | null }> {
  const child = spawn(process.execPath, [CLI, 'worker'], { env: { ...process.env, STOKE_API: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  workers.push(child);
  let output = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/stoke api: (token|no token asked)|stoke worker:/.test(output)) resolve({ child, output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => resolve({ child, output, code }));
  });
}

const OPENSTACK = path.join(path.dirname(PYTHON), 'openstack');
const withoutAuth = (endpoint: string, ...args: string[]): Run => {
  const result = spawnSync(OPENSTACK, ['--os-auth-type', 'none', '--os-endpoint', endpoint, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
};

test('stoke worker serves the API; STOKE_API_AUTH=none is refused off loopback and works on it with --os-auth-type none', async () => {
  const port = await freePort();
  const refused = await startWorkerWithApi({ STOKE_API_AUTH: 'none', STOKE_API_BIND: `0.0.0.0:${port}` });
  expect(refused.code).toBe(1);
  expect(refused.output).toContain(`ERROR: STOKE_API_AUTH=none lets in anyone who reaches the API: refused on 0.0.0.0, which is not a loopback address`);
  expect(refused.output).not.toMatch(/\n\s+at /);
  // stoke dev serves the API unless told not to: the same refusal, before it starts anything.
  const dev = spawnSync(process.execPath, [CLI, 'dev'], { encoding: 'utf8', env: { ...process.env, STOKE_API_AUTH: 'none', STOKE_API_BIND: `0.0.0.0:${port}` }, timeout: 60_000 });
  expect({ status: dev.status, stderr: dev.stderr }).toEqual({ status: 1, stderr: expect.stringContaining('ERROR: STOKE_API_AUTH=none lets in anyone who reaches the API: refused on 0.0.0.0') });
  expect(dev.stdout + dev.stderr).not.toMatch(/Temporal UI|starting/);

  const started = await startWorkerWithApi({ STOKE_API_AUTH: 'none', STOKE_API_BIND: `127.0.0.1:${port}` });
  try {
    expect(started.code).toBeUndefined();
    expect(started.output).toContain('no token asked (STOKE_API_AUTH=none)');
    const name = uniqueName('noauth');
    expect(stoke('stack', 'create', '-t', writeTemplate('heat_template_version: 2016-10-14\nresources:\n  r: {type: OS::Heat::None}\n'), name, '--wait').status).toBe(0);
    // The CLI creates under the tenant `default` (STOKE_TENANT), which this endpoint names.
    const endpoint = `http://127.0.0.1:${port}/v1/default`;
    const listed = withoutAuth(endpoint, 'stack', 'list', '-f', 'json');
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ ID: showStack(name).id, 'Stack Name': name, 'Stack Status': 'CREATE_COMPLETE' }));
    expect(withoutAuth(endpoint, 'orchestration', 'template', 'version', 'list').status).toBe(0);
    expect(stoke('stack', 'delete', name, '--wait').status).toBe(0);
  } finally {
    await stopWorker(started.child);
  }
}, 180_000);
