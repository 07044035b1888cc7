/**
 * How a stack update replaces what it holds on an engine: a container is made new copy first, each copy
 * with its own copy id, unless both copies would hold a fixed name or a host port; a failed replacement
 * rolled back leaves the old copy running; a resource marked unhealthy is replaced by the next update.
 * The order is read from the engine's own events.
 */
import type { ChildProcess } from 'node:child_process';
import { SLEEPER, docker, freePort, recordHistories, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
const stacks: string[] = [];
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  for (const stack of stacks) {
    if (showStack(stack).status !== 'DELETE_COMPLETE') stoke('stack', 'delete', stack, '--wait');
  }
  await stopWorker(worker);
});

const seconds = () => Math.floor(Date.now() / 1000);

/**
 * Runs `update` and returns the engine's creates and destroys of the stack's containers meanwhile, in its order.
 * The engine's query takes whole seconds; its events carry nanoseconds, which cut the window where it begins.
 */
async function eventsOf(stack: string, update: () => void): Promise<string[]> {
  const stackId = showStack(stack).id;
  const start = Date.now();
  update();
  const stream = (await docker().getEvents({
    since: Math.floor(start / 1000), until: seconds() + 1,
    filters: { type: ['container'], event: ['create', 'destroy'], label: [`org.stoke.stack-id=${stackId}`] },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text.split('\n').filter(Boolean)
    .map((line) => JSON.parse(line) as { Action: string; id: string; timeNano: number })
    .filter((event) => event.timeNano / 1e6 >= start)
    .map((event) => `${event.Action} ${event.id}`);
}

const ids = (stack: string) => Object.fromEntries(Object.entries(showStack(stack).resources).map(([n, r]) => [n, r.physicalId]));
const running = async (id: string) => (await docker().getContainer(id).inspect()).State.Running;

test('a container without a fixed name is replaced new copy first: the new copy exists before the old one goes', async () => {
  const stack = uniqueName('replace');
  stacks.push(stack);
  const version = (env: string) => writeTemplate(`
heat_template_version: 2015-04-30
resources:
  keep:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, env: [${env}]}
`);
  expect(stoke('stack', 'create', stack, '-t', version('A=1'), '--wait').status).toBe(0);
  const before = ids(stack);

  // The old copy, made by the create, has no copy id; the new one has.
  const events = await eventsOf(stack, () => expect(stoke('stack', 'update', stack, '-t', version('A=2'), '--wait').stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`));
  const second = showStack(stack).resources;
  const copy = second.web!.copy!;
  expect(copy).toMatch(/^[0-9a-f]{8}$/);
  expect(events).toEqual([`create ${second.web!.physicalId}`, `destroy ${before.web}`]);
  expect(second.keep!.physicalId).toBe(before.keep);
  const made = await docker().getContainer(second.web!.physicalId).inspect();
  expect(made.Name).toBe(`/${stack}-web-${copy}`);
  expect(made.Config.Labels['org.stoke.copy']).toBe(copy);
  expect(made.Config.Env).toContain('A=2');

  // Copy after copy: the old one is deleted by its own copy id, the new one left running.
  const again = await eventsOf(stack, () => expect(stoke('stack', 'update', stack, '-t', version('A=3'), '--wait').stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`));
  const third = showStack(stack).resources.web!;
  expect(third.copy).not.toBe(copy);
  expect(again).toEqual([`create ${third.physicalId}`, `destroy ${second.web!.physicalId}`]);
  expect(await running(third.physicalId)).toBe(true);
  expect((await stackContainers(stack)).map((c) => c.Id).sort()).toEqual([before.keep, third.physicalId].sort());
  await recordHistories(stack, 'replace-new-copy-first');

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toEqual([]);
});

test('a container with a fixed name or a host port is replaced old copy first, and the update succeeds', async () => {
  const stack = uniqueName('replace-fixed');
  stacks.push(stack);
  const port = await freePort();
  const version = (env: string) => writeTemplate(`
heat_template_version: 2015-04-30
resources:
  named:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, name: ${stack}-fixed, env: [${env}]}
  published:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, port_bindings: {80: ${port}}, env: [${env}]}
`);
  expect(stoke('stack', 'create', stack, '-t', version('A=1'), '--wait').status).toBe(0);
  const before = ids(stack);

  const events = await eventsOf(stack, () => expect(stoke('stack', 'update', stack, '-t', version('A=2'), '--wait').stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`));
  const after = ids(stack);
  for (const name of ['named', 'published']) {
    expect(after[name]).not.toBe(before[name]);
    expect(events.indexOf(`destroy ${before[name]}`)).toBeGreaterThanOrEqual(0);
    expect(events.indexOf(`destroy ${before[name]}`)).toBeLessThan(events.indexOf(`create ${after[name]}`));
    expect(await running(after[name]!)).toBe(true);
  }
  expect((await docker().getContainer(after.named!).inspect()).Name).toBe(`/${stack}-fixed`);
  expect((await docker().getContainer(after.published!).inspect()).HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostIp: '', HostPort: String(port) }] });

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
});

test('a replacement that fails is rolled back with the old copy still running, and the failed new copy deleted; kept failed, the old copy goes', async () => {
  const stack = uniqueName('replace-failed');
  stacks.push(stack);
  const version = (cmd: string, env = 'A=1', boom = '') => writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${cmd}, env: [${env}]}
${boom ? `  boom:\n    type: OS::Heat::TestResource\n    depends_on: web\n    properties: {fail: true}\n` : ''}`);
  expect(stoke('stack', 'create', stack, '-t', version(SLEEPER), '--wait').status).toBe(0);
  const { web } = ids(stack);
  const startedAt = (await docker().getContainer(web!).inspect()).State.StartedAt;

  // A command that cannot start fails every time; one that exits at once may still be seen running.
  const failed = stoke('stack', 'update', stack, '-t', version('[/no/such/command]'), '--wait');
  expect(failed.status).toBe(1);
  expect(failed.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE: Resource UPDATE failed: web: `);
  expect(failed.stdout).toContain('"/no/such/command": stat /no/such/command: no such file or directory');
  const state = showStack(stack);
  expect(state.resources.web).toMatchObject({ physicalId: web, status: 'CREATE_COMPLETE' });
  const old = await docker().getContainer(web!).inspect();
  expect(old.State.Running).toBe(true);
  expect(old.State.StartedAt).toBe(startedAt);
  expect((await stackContainers(stack)).map((c) => c.Id)).toEqual([web]);
  await recordHistories(stack, 'replace-failed');

  // Kept failed (no rollback) after the replacement succeeded: the new copy stays, the old one is deleted.
  const kept = stoke('stack', 'update', stack, '-t', version(SLEEPER, 'A=2', 'boom'), '--disable-rollback', '--wait');
  expect(kept.stdout).toContain(`Stack ${stack} UPDATE_FAILED: Resource UPDATE failed: boom: Test Resource failed boom`);
  const replaced = showStack(stack).resources.web!;
  expect(replaced.physicalId).not.toBe(web);
  expect(await running(replaced.physicalId)).toBe(true);
  expect((await stackContainers(stack)).map((c) => c.Id)).toEqual([replaced.physicalId]);

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
});

test('a resource marked unhealthy is replaced by the next update though its definition is the same; its neighbours and a reset one are kept', async () => {
  const stack = uniqueName('unhealthy');
  stacks.push(stack);
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  sick:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  healed:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
  keep:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}}
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  const before = ids(stack);

  const marked = stoke('stack', 'resource', 'mark-unhealthy', stack, 'sick', 'answers 500');
  expect(marked.stdout).toContain(`Resource ${stack}/sick CHECK_FAILED: answers 500`);
  expect(marked.status).toBe(0);
  expect(stoke('stack', 'resource', 'mark-unhealthy', stack, 'healed').status).toBe(0);
  const reset = stoke('stack', 'resource', 'mark-unhealthy', stack, 'healed', '--reset');
  expect(reset.stdout).toContain(`Resource ${stack}/healed CHECK_COMPLETE`);
  let state = showStack(stack);
  expect(state.status).toBe('CREATE_COMPLETE');
  expect(state.resources.sick).toMatchObject({ status: 'CHECK_FAILED', statusReason: 'answers 500', physicalId: before.sick });
  await recordHistories(stack, 'mark-unhealthy');

  expect(stoke('stack', 'update', stack, '-t', template, '--wait').stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`);
  state = showStack(stack);
  expect(state.resources.sick!.physicalId).not.toBe(before.sick);
  expect(state.resources.sick!.status).toBe('UPDATE_COMPLETE');
  expect(state.resources.healed!.physicalId).toBe(before.healed);
  expect(state.resources.keep).toMatchObject({ status: 'CREATE_COMPLETE', physicalId: before.keep });
  expect(await running(state.resources.sick!.physicalId)).toBe(true);
  expect(await docker().getContainer(before.sick!).inspect().then(() => true, () => false)).toBe(false);

  const unknown = stoke('stack', 'resource', 'mark-unhealthy', stack, 'nothing');
  expect(unknown.status).not.toBe(0);
  expect(unknown.stderr).toContain(`stack '${stack}' has no resource 'nothing' (it has: healed, keep, sick)`);
  expect(unknown.stderr).not.toMatch(/\n\s+at /);

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
});
