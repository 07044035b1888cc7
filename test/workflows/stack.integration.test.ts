/**
 * End to end against a real Temporal dev server and a real Docker engine: the CLI creates and
 * deletes stacks, a separate worker process runs them, and the containers are inspected on the engine.
 */
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { StackClient } from '../../src/client/client';
import { loadConfig, temporalAddress } from '../../src/config';
import { listStacksOverHttp } from '../../src/client/stacks';
import { prepareNamespace } from '../../src/runtime/worker';
import {
  SLEEPER,
  docker,
  freePort,
  recordHistories,
  showStack,
  stackActivityCounts,
  stackContainers,
  startWorker,
  stoke,
  stokeWith,
  stopWorker,
  uniqueName,
  waitUntil,
  writeTemplate,
} from '../helpers';

let worker: ChildProcess | undefined;

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  await stopWorker(worker);
});

function linkedTemplate(backendName: string): string {
  return `
heat_template_version: 2016-10-14
parameters:
  port: {type: number}
  greeting: {type: string, default: hello}
resources:
  secret:
    type: OS::Heat::RandomString
    properties: {length: 20, sequence: hexdigits}
  backend:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      name: ${backendName}
      env:
        - {str_replace: {template: SECRET=value, params: {value: {get_attr: [secret, value]}}}}
        - {list_join: ['=', [GREETING, {get_param: greeting}]]}
      port_specs: [8000]
      cmd: [sh, -c, "echo \\"$GREETING $SECRET\\" > /tmp/index.html; trap 'exit 0' TERM; httpd -f -p 8000 -h /tmp & wait"]
  web:
    type: DockerInc::Docker::Container
    depends_on: backend
    properties:
      image: busybox
      links: {${backendName}: db}
      port_bindings:
        80/tcp: [{HostIp: 127.0.0.1, HostPort: {get_param: port}}]
      cmd: [sh, -c, "until wget -q -O /tmp/index.html http://db:8000/; do sleep 0.2; done; trap 'exit 0' TERM; httpd -f -p 80 -h /tmp & wait"]
outputs:
  url:
    value: {str_replace: {template: "http://127.0.0.1:PORT/", params: {PORT: {get_attr: [web, network_tcp_ports]}}}}
  secret:
    value: {get_attr: [secret, value]}
  backend_id:
    value: {get_resource: backend}
`;
}

test('create runs linked containers with env and published ports, outputs resolve, delete removes them', async () => {
  const stack = uniqueName('create');
  const port = await freePort();
  const template = writeTemplate(linkedTemplate(`${stack}-db`));

  const created = stoke('stack', 'create', stack, '-t', template, '--parameter', `port=${port}`, '--parameter', 'greeting=bonjour', '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);

  const state = showStack(stack);
  expect(state.status).toBe('CREATE_COMPLETE');
  const secret = state.outputs.secret!.value as string;
  expect(secret).toMatch(/^[0-9a-fA-F]{20}$/);
  expect(state.outputs.url!.value).toBe(`http://127.0.0.1:${port}/`);

  const backend = await docker().getContainer(state.resources.backend!.physicalId).inspect();
  expect(state.outputs.backend_id!.value).toBe(backend.Id);
  expect(backend.State.Running).toBe(true);
  expect(backend.Name).toBe(`/${stack}-db`);
  expect(backend.Config.Env).toEqual(expect.arrayContaining([`SECRET=${secret}`, 'GREETING=bonjour']));
  expect(Object.keys(backend.Config.ExposedPorts ?? {})).toEqual(['8000/tcp']);
  const web = await docker().getContainer(state.resources.web!.physicalId).inspect();
  expect(web.HostConfig.Links).toEqual([`/${stack}-db:/${web.Name.slice(1)}/db`]);
  expect(web.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });

  // The page travels backend -> link -> web -> published port.
  const page = await waitUntil('the published page', async () => {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      return response.ok ? await response.text() : undefined;
    } catch {
      return undefined;
    }
  }, 30_000);
  expect(page.trim()).toBe(`bonjour ${secret}`);

  // Placing the stack, the draw and both containers' creates, each a local activity: no server round trip per container.
  expect(await stackActivityCounts(stack)).toEqual({ ordinary: 0, local: 4 });

  const listed = stoke('stack', 'list');
  expect(listed.stdout).toMatch(new RegExp(`${stack}\\s+CREATE_COMPLETE`));
  const resources = stoke('stack', 'resource', 'list', stack);
  expect(resources.stdout).toContain(state.resources.web!.physicalId);
  expect(stoke('stack', 'output', 'show', stack, 'url', '-f', 'value', '-c', 'output_value').stdout.trim()).toBe(`http://127.0.0.1:${port}/`);

  const again = stoke('stack', 'create', stack, '-t', template, '--parameter', `port=${port}`);
  expect(again.status).not.toBe(0);
  expect(again.stderr).toContain(`stack '${stack}' already exists (CREATE_COMPLETE)`);

  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.status).toBe(0);
  expect(deleted.stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toEqual([]);
  expect(stoke('stack', 'list').stdout).not.toContain(stack);
  expect(showStack(stack).status).toBe('DELETE_COMPLETE');
  // The draw's and both containers' deletes, and the sweep after them, ran as local activities: the delete has no ordinary one.
  expect(await stackActivityCounts(stack)).toEqual({ ordinary: 0, local: 4 });
  await recordHistories(stack, 'local-sweep');
});

test('a failing resource rolls the stack back and leaves no container behind', async () => {
  const stack = uniqueName('rollback');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  first:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  second:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  broken:
    type: DockerInc::Docker::Container
    depends_on: [first, second]
    # A command that cannot start fails every time; one that exits at once may be seen running first.
    properties: {image: busybox, cmd: [/cannot-start]}
`);
  const result = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(result.status).toBe(1);
  expect(result.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE`);
  expect(result.stdout).toMatch(/broken: .*"\/cannot-start": stat \/cannot-start: no such file or directory/);
  expect(await stackContainers(stack)).toEqual([]);
  const state = showStack(stack);
  expect(Object.values(state.resources).map((r) => r.status)).toEqual(['DELETE_COMPLETE', 'DELETE_COMPLETE', 'DELETE_COMPLETE']);
  await recordHistories(stack, 'rollback');
});

test('--disable-rollback keeps what was created; delete then removes it', async () => {
  const stack = uniqueName('norollback');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  kept:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  missing:
    type: DockerInc::Docker::Container
    depends_on: kept
    properties: {image: "stoke-no-such-image:1"}
`);
  const result = stoke('stack', 'create', stack, '-t', template, '--wait', '--disable-rollback');
  expect(result.status).toBe(1);
  expect(result.stdout).toContain(`Stack ${stack} CREATE_FAILED`);
  expect(result.stdout).toContain("image 'stoke-no-such-image:1' is not on the engine and could not be pulled");
  expect((await stackContainers(stack)).map((c) => c.Labels['org.stoke.resource'])).toEqual(['kept']);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toEqual([]);
});

test('a stack whose create is running refuses a second create; a terminated create reads as failed', async () => {
  const stack = uniqueName('busy');
  // An endpoint that refuses connections keeps the create retrying, i.e. in progress.
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  waiting:
    type: DockerInc::Docker::Container
    properties: {image: busybox, docker_endpoint: "tcp://127.0.0.1:9"}
`);
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  const create = stoke('stack', 'create', stack, '-t', template);
  expect(create.status).toBe(1);
  expect(create.stderr).toContain('has an action in progress');
  const state = showStack(stack);
  expect(state.status).toBe('CREATE_IN_PROGRESS');
  expect(state.resources.waiting!.status).toBe('CREATE_IN_PROGRESS');
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddress(config) });
  await new Client({ connection, namespace: config.namespace }).workflow.getHandle(`stack:${stack}`).terminate('test over');
  await connection.close();
  // A terminated action never recorded its end: the stack reads as failed, with what it had made.
  const after = showStack(stack);
  expect(after.status).toBe('CREATE_FAILED');
  expect(after.statusReason).toBe('the createStack workflow was terminated');
  expect(after.resources.waiting!.status).toBe('CREATE_IN_PROGRESS');
  const list = stoke('stack', 'list');
  expect(list.stdout).toMatch(new RegExp(`${stack}\\s+CREATE_FAILED`));

  // The CLI lists over Temporal's HTTP API; the gRPC listing it falls back to (without the codec, so no memo
  // and no tenant is opened) gives the same stacks.
  const overHttp = await listStacksOverHttp(config);
  const client = await StackClient.connect(config, false);
  const overGrpc = await client.list().finally(() => client.close());
  expect(overHttp).toEqual(overGrpc);
  expect(overHttp?.find((s) => s.name === stack)?.status).toBe('CREATE_FAILED');
  // Where no HTTP API answers, the CLI lists over gRPC all the same.
  const noHttp = stokeWith({ ...process.env, TEMPORAL_HTTP_ADDRESS: `127.0.0.1:${await freePort()}` }, 'stack', 'list');
  expect(noHttp.stdout).toMatch(new RegExp(`${stack}\\s+CREATE_FAILED`));
  // An address that is no address is named, not reported as a bare "Invalid URL".
  const malformed = stokeWith({ ...process.env, TEMPORAL_HTTP_ADDRESS: 'not-a-host:99999' }, 'stack', 'list');
  expect(malformed.status).toBe(1);
  expect(malformed.stderr).toContain("Temporal's HTTP API address 'not-a-host:99999' is not a host:port: set TEMPORAL_HTTP_ADDRESS");
});

test('a delete while the create retries against an engine that refuses connections cancels it at once', async () => {
  const stack = uniqueName('stuck');
  // The retried activity waits in backoff between attempts: cancelling it there is the server's own doing,
  // and its details are the one payload no codec sealed.
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  waiting:
    type: DockerInc::Docker::Container
    properties: {image: busybox, docker_endpoint: "tcp://127.0.0.1:9"}
`);
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  await waitUntil('the create to be retrying', () => (showStack(stack).resources.waiting?.status === 'CREATE_IN_PROGRESS' ? true : undefined));
  const del = stoke('stack', 'delete', stack);
  expect(del.stdout).toContain(`Stack ${stack}: cancelling its create in progress first`);
  expect(del.status).toBe(0);
  expect(showStack(stack).status).toBe('DELETE_IN_PROGRESS');
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddress(config) });
  // The delete retries against the same dead engine until its own timeout: end it here.
  await new Client({ connection, namespace: config.namespace }).workflow.getHandle(`stack:${stack}`).terminate('test over');
  await connection.close();
});

test('a worker killed with SIGKILL mid-create is replaced and the stack completes with one container per resource', async () => {
  const stack = uniqueName('durable');
  const chain = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
  const template = writeTemplate(`heat_template_version: 2015-04-30\nresources:\n${chain
    .map((name, i) => `  ${name}:\n    type: DockerInc::Docker::Container\n${i > 0 ? `    depends_on: ${chain[i - 1]}\n` : ''}    properties: {image: busybox, cmd: ${SLEEPER}}\n`)
    .join('')}`);
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  await waitUntil('two containers', async () => ((await stackContainers(stack)).length >= 2 ? true : undefined), 60_000);
  worker!.kill('SIGKILL');
  await new Promise((resolve) => worker!.once('exit', resolve));
  const progressAtKill = (await stackContainers(stack)).length;
  expect(progressAtKill).toBeLessThan(chain.length);

  worker = await startWorker();
  const final = await waitUntil('the stack to finish', () => {
    const state = showStack(stack);
    return state.status === 'CREATE_IN_PROGRESS' ? undefined : state;
  }, 150_000);
  expect(final.status).toBe('CREATE_COMPLETE');
  const containers = await stackContainers(stack);
  expect(containers.map((c) => c.Labels['org.stoke.resource']).sort()).toEqual(chain);
  expect(containers.every((c) => c.State === 'running')).toBe(true);
  for (const name of chain) expect(containers.find((c) => c.Labels['org.stoke.resource'] === name)!.Id).toBe(final.resources[name]!.physicalId);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toEqual([]);
});

test('an invalid template is refused with every error and its line, and nothing is created', async () => {
  const stack = uniqueName('invalid');
  const template = writeTemplate(`heat_template_version: 2015-04-30
parameters:
  size: {type: number, default: big}
resources:
  web:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      colour: blue
  other:
    type: OS::Nova::Flavorless
outputs:
  ip: {value: {get_attr: [web, no_such_attribute]}}
`);
  const result = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`${template}:3:3: parameters.size: parameter 'size' (number): default 'big' is not a number`);
  expect(result.stderr).toContain(`${template}:9:7: resources.web.properties.colour: DockerInc::Docker::Container has no property 'colour'`);
  expect(result.stderr).toContain(`${template}:11:5: resources.other.type: unknown resource type 'OS::Nova::Flavorless'`);
  expect(result.stderr).toContain(`${template}:13:16: outputs.ip.value.get_attr: DockerInc::Docker::Container 'web' has no attribute 'no_such_attribute'`);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(stoke('stack', 'show', stack).stderr).toContain(`stack '${stack}' not found`);
});

test('stoke keeps closed workflows for ten years: a stack outlives a namespace\'s one-day default', async () => {
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddress(config) });
  const retentionDays = async (namespace: string) =>
    Number((await connection.workflowService.describeNamespace({ namespace })).config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86400;
  try {
    // The namespace the test setup prepared, as a worker does.
    expect(await retentionDays(config.namespace)).toBe(3650);
    // A namespace kept a day, as the dev server's `default` is.
    const namespace = uniqueName('short');
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: 86400 } });
    const warnings: string[] = [];
    // On a cluster stoke was pointed at, the retention is the operator's: stoke says what it means.
    await prepareNamespace({ ...config, namespace, temporalAddress: temporalAddress(config) }, (message) => warnings.push(message));
    expect(warnings).toEqual([expect.stringContaining(`namespace '${namespace}' deletes closed workflows after 1 day, and a stack older than that disappears`)]);
    expect(await retentionDays(namespace)).toBe(1);
    // On the embedded dev server it is stoke's own, and raised.
    await prepareNamespace({ ...config, namespace }, (message) => warnings.push(message));
    expect(warnings).toHaveLength(1);
    expect(await retentionDays(namespace)).toBe(3650);
    await connection.operatorService.deleteNamespace({ namespace });
  } finally {
    await connection.close();
  }
});
