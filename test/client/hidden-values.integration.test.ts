/**
 * Hidden parameter values are masked where people read them (CLI output, worker logs, failure
 * messages) and nowhere else: the stack's name and ids stay whole, and the real value reaches the
 * servers and containers, and the actions after the create. Real Temporal, real Docker, built CLI.
 */
import type { ChildProcess } from 'node:child_process';
import { docker, outputsOf, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName, waitUntil, writeTemplate, SLEEPER } from '../helpers';

let worker: ChildProcess | undefined;
/** Everything the worker printed since it started. */
let workerLog = '';

beforeAll(async () => {
  worker = await startWorker();
  worker.stdout!.on('data', (chunk: Buffer) => (workerLog += chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => (workerLog += chunk.toString()));
});

afterAll(async () => {
  await stopWorker(worker);
});

async function exec(container: string, command: string): Promise<string> {
  const run = await docker().getContainer(container).exec({ Cmd: ['sh', '-c', command], AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await run.start({ hijack: true, stdin: false, Tty: true });
  const chunks: Buffer[] = [];
  await new Promise((resolve) => { stream.on('data', (c: Buffer) => chunks.push(c)); stream.on('end', resolve); });
  return Buffer.concat(chunks).toString('utf8');
}

const row = (table: string, field: string) => table.split('\n').find((line) => line.startsWith(`${field} `))?.slice(field.length).trim();

test('a stack whose name contains a hidden default keeps its name, and its delete is recorded as such', async () => {
  const stack = uniqueName('admin-site');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  user: {type: string, hidden: true, default: admin}
resources:
  app:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      env: [{list_join: ['=', [APP_USER, {get_param: user}]]}]
      cmd: ${SLEEPER}
outputs:
  user: {value: {get_param: user}}
  site: {value: {list_join: [' ', [{get_param: 'OS::stack_name'}, runs as, {get_param: user}]]}}
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const table = stoke('stack', 'show', stack).stdout;
  expect(row(table, 'stack_name')).toBe(stack);
  const state = showStack(stack);
  expect(state.name).toBe(stack);
  expect(state.outputs.user!.value).toBe('******');
  expect(state.outputs.site!.value).toBe(`${stack} runs as ******`);
  expect('hiddenValues' in state).toBe(false);
  const [container] = await stackContainers(stack);
  expect((await docker().getContainer(container!.Id).inspect()).Config.Env).toContain('APP_USER=admin');

  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.status).toBe(0);
  expect(deleted.stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toHaveLength(0);
  expect(showStack(stack).status).toBe('DELETE_COMPLETE');
  expect(stoke('stack', 'list').stdout).not.toContain(stack);
  expect(stoke('stack', 'list').stdout).not.toContain('******');
});

test('a one-character hidden value is masked where it is the value, and ids that contain it stay whole', async () => {
  const stack = uniqueName('short1');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  pin: {type: string, hidden: true}
resources:
  box:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      env: [{list_join: ['=', [PIN, {get_param: pin}]]}]
      cmd: ${SLEEPER}
  note:
    type: OS::Heat::None
    properties: {pin: {get_param: pin}}
outputs:
  pin: {value: {get_param: pin}}
  box: {value: {get_resource: box}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--parameter', 'pin=1', '--wait');
  expect(created.status).toBe(0);
  const [container] = await stackContainers(stack);
  const info = await docker().getContainer(container!.Id).inspect();
  expect(info.Config.Env).toContain('PIN=1');
  const state = showStack(stack);
  // Docker's ids and the stack's uuid hold 1s: an id must never be masked, whatever it contains.
  expect(state.resources.box!.physicalId).toBe(container!.Id);
  expect(state.id).toBe(info.Config.Labels['org.stoke.stack-id']);
  expect(state.outputs.box!.value).toBe(container!.Id);
  expect(state.outputs.pin!.value).toBe('******');
  expect(state.resources.note!.properties.pin).toBe('******');
  expect(stoke('stack', 'output', 'show', stack, 'pin', '-f', 'value', '-c', 'output_value').stdout.trim()).toBe('******');
  const resources = JSON.parse(stoke('stack', 'resource', 'list', stack, '-f', 'json').stdout) as { resource_name: string; physical_resource_id: string }[];
  expect(resources.find((r) => r.resource_name === 'box')?.physical_resource_id).toBe(container!.Id);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
  expect(showStack(stack).status).toBe('DELETE_COMPLETE');
});

test('a hidden value reaches a server through its user_data and a deployment intact, and is shown masked', async () => {
  const stack = uniqueName('serversecret');
  const secret = `pw-${Math.random().toString(36).slice(2)}`;
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  secret: {type: string, hidden: true}
resources:
  boot:
    type: OS::Heat::SoftwareConfig
    properties:
      config:
        str_replace:
          template: "#!/bin/sh\\nprintf '%s' '@SECRET@' > /tmp/from-user-data\\n"
          params: {'@SECRET@': {get_param: secret}}
  server:
    type: OS::Nova::Server
    properties: {image: busybox, flavor: m1.tiny, user_data_format: SOFTWARE_CONFIG, user_data: {get_resource: boot}}
  configure:
    type: OS::Heat::SoftwareConfig
    properties:
      group: script
      config:
        str_replace:
          template: "#!/bin/sh\\nprintf '%s' '@SECRET@' > /tmp/from-deployment\\necho configured with @SECRET@\\n"
          params: {'@SECRET@': {get_param: secret}}
  deployment:
    type: OS::Heat::SoftwareDeployment
    properties: {config: {get_resource: configure}, server: {get_resource: server}}
outputs:
  stdout: {value: {get_attr: [deployment, deploy_stdout]}}
  config: {value: {get_attr: [configure, config]}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--parameter', `secret=${secret}`, '--wait');
  expect(created.status).toBe(0);
  const [server] = (await stackContainers(stack)).filter((c) => c.Labels['org.stoke.resource'] === 'server');
  expect(await exec(server!.Id, 'cat /tmp/from-deployment')).toBe(secret);
  // user_data runs in the background after boot, as cloud-init does.
  let fromUserData = '';
  for (let i = 0; i < 50 && fromUserData !== secret; i++) {
    fromUserData = await exec(server!.Id, 'cat /tmp/from-user-data 2>/dev/null');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(fromUserData).toBe(secret);

  const outputs = stoke('stack', 'output', 'show', stack, '-f', 'json');
  const shown = outputsOf(outputs.stdout);
  expect(shown.stdout).toBe('configured with ******\n');
  expect(shown.config).toContain("printf '%s' '******' > /tmp/from-deployment");
  const everything = [created.stdout, created.stderr, outputs.stdout, stoke('stack', 'show', stack, '-f', 'json').stdout,
    stoke('stack', 'resource', 'list', stack, '-f', 'json').stdout].join('\n');
  expect(everything).not.toContain(secret);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
});

test('a deployment failing with a hidden value in its stderr is reported masked, by the CLI and in the worker log', async () => {
  const stack = uniqueName('leakydeploy');
  const secret = `pw-${Math.random().toString(36).slice(2)}`;
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  secret: {type: string, hidden: true}
resources:
  configure:
    type: OS::Heat::SoftwareConfig
    properties:
      inputs: [{name: token}]
      config: "#!/bin/sh\\necho \\"login refused for token $token\\" >&2\\nexit 4"
  server:
    type: OS::Nova::Server
    properties: {image: busybox, flavor: m1.tiny, user_data_format: SOFTWARE_CONFIG}
  deployment:
    type: OS::Heat::SoftwareDeployment
    properties: {config: {get_resource: configure}, server: {get_resource: server}, input_values: {token: {get_param: secret}}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--parameter', `secret=${secret}`, '--wait');
  expect(created.status).toBe(1);
  expect(created.stdout).toContain('login refused for token ******');
  expect(created.stdout + created.stderr).not.toContain(secret);
  expect(showStack(stack).status).toBe('ROLLBACK_COMPLETE');
  // The worker logs the activity's failure, masked; the CLI ran synchronously, so its output is read now.
  await waitUntil('the worker to log the failure', () => (workerLog.includes('Activity failed') && workerLog.includes(stack) ? true : undefined));
  expect(workerLog).toContain('login refused for token ******');
  expect(workerLog).not.toContain(secret);
});
