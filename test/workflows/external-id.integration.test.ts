/**
 * Heat's external_id against the real server and engine: a resource whose external_id names a container made
 * outside stoke takes it over (read, never restarted) instead of making one, an update neither touches it nor
 * lets the id change, and the stack's delete, sweep included, leaves it running.
 */
import type { ChildProcess } from 'node:child_process';
import type Docker from 'dockerode';
import { docker, showStack, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
const stacks: string[] = [];
const outside: Docker.Container[] = [];
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  for (const stack of stacks) {
    if (stoke('stack', 'show', stack).status === 0 && showStack(stack).status !== 'DELETE_COMPLETE') stoke('stack', 'delete', stack, '--wait');
  }
  for (const container of outside) await container.remove({ force: true }).catch(() => undefined);
  await stopWorker(worker);
});

/** A sleeper made as a person would with `docker run`, none of stoke's labels unless given. */
async function sleeper(labels: Record<string, string> = {}): Promise<Docker.Container> {
  const container = await docker().createContainer({ Image: 'busybox', Cmd: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"], Labels: labels });
  outside.push(container);
  await container.start();
  return container;
}

const template = (extra = '') => writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  server_id: {type: string}
  container_id: {type: string}
resources:
  server:
    type: OS::Nova::Server
    external_id: {get_param: server_id}
${extra}
  web:
    type: DockerInc::Docker::Container
    external_id: {get_param: container_id}
  made:
    type: OS::Heat::RandomString
outputs:
  address: {value: {get_attr: [server, networks, private, 0]}}
  instance: {value: {get_attr: [server, instance_name]}}
  web_ip: {value: {get_attr: [web, network_ip]}}
`);

const runState = async (container: Docker.Container) => {
  const info = await container.inspect();
  return { running: info.State.Running, startedAt: info.State.StartedAt, restarts: info.RestartCount };
};

test('external containers are taken over, kept through an update, refused a new id, and left running by the delete', async () => {
  const server = await sleeper();
  // Another stack's container: this stack may read it, and its delete and sweep (by this stack's id) must not take it.
  const web = await sleeper({ 'org.stoke.stack': 'elsewhere', 'org.stoke.stack-id': 'elsewhere-id', 'org.stoke.resource': 'web' });
  const [serverInfo, webInfo] = [await server.inspect(), await web.inspect()];
  const [serverBefore, webBefore] = [await runState(server), await runState(web)];
  const stack = uniqueName('extid');
  stacks.push(stack);
  const params = ['--parameter', `server_id=${server.id}`, '--parameter', `container_id=${web.id}`];

  const created = stoke('stack', 'create', stack, '-t', template(), ...params, '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  let state = showStack(stack);
  expect(state.status).toBe('CREATE_COMPLETE');
  expect(state.resources.server).toMatchObject({ status: 'ADOPT_COMPLETE', physicalId: server.id, externalId: server.id });
  expect(state.resources.web).toMatchObject({ status: 'ADOPT_COMPLETE', physicalId: web.id, externalId: web.id });
  expect(state.outputs.address!.value).toBe(serverInfo.NetworkSettings.Networks.bridge!.IPAddress);
  expect(state.outputs.instance!.value).toBe(serverInfo.Name.replace(/^\//, ''));
  expect(state.outputs.web_ip!.value).toBe(webInfo.NetworkSettings.IPAddress);
  expect(await runState(server)).toEqual(serverBefore);

  // Properties of an external resource build nothing: a change of them leaves it as it is.
  const kept = stoke('stack', 'update', stack, '-t', template('    properties: {image: busybox, flavor: m1.tiny}'), ...params, '--wait');
  expect(kept.status).toBe(0);
  state = showStack(stack);
  expect(state.status).toBe('UPDATE_COMPLETE');
  expect(state.resources.server).toMatchObject({ status: 'ADOPT_COMPLETE', physicalId: server.id });
  expect(await runState(server)).toEqual(serverBefore);

  const other = await sleeper();
  const moved = stoke('stack', 'update', stack, '-t', template(), '--parameter', `server_id=${other.id}`, '--parameter', `container_id=${web.id}`, '--wait', '--rollback', 'disabled');
  expect(moved.status).not.toBe(0);
  state = showStack(stack);
  expect(state.status).toBe('UPDATE_FAILED');
  expect(state.resources.server).toMatchObject({ status: 'UPDATE_FAILED', physicalId: server.id, externalId: server.id });
  expect(state.resources.server!.statusReason).toContain(`resources.server.external_id: an update cannot change it (from ${server.id} to ${other.id})`);

  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.status).toBe(0);
  state = showStack(stack);
  expect(state.status).toBe('DELETE_COMPLETE');
  expect(state.resources.server).toMatchObject({ status: 'DELETE_COMPLETE', statusReason: 'external resource left in place (external_id)' });
  expect(state.resources.web).toMatchObject({ status: 'DELETE_COMPLETE', statusReason: 'external resource left in place (external_id)' });
  expect(await runState(server)).toEqual(serverBefore);
  expect(await runState(web)).toEqual(webBefore);
  expect((await other.inspect()).State.Running).toBe(true);
});

test('an external_id that names no container fails the create, and its rollback removes nothing of the engine', async () => {
  const bystander = await sleeper();
  const stack = uniqueName('extid-missing');
  stacks.push(stack);
  const missing = 'f'.repeat(64);
  const created = stoke('stack', 'create', stack, '-t', template(), '--parameter', `server_id=${missing}`, '--parameter', `container_id=${bystander.id}`, '--wait');
  expect(created.status).not.toBe(0);
  const state = showStack(stack);
  expect(state.status).toBe('ROLLBACK_COMPLETE');
  expect(state.statusReason).toMatch(new RegExp(`server: .*container ${missing} to adopt is not on the engine at `));
  expect((await bystander.inspect()).State.Running).toBe(true);
});
