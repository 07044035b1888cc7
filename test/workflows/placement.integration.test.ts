/**
 * Placement (src: activities/docker.ts placeStack): a stack pinned with `stack create --engine` keeps all its
 * containers on that engine for every action, says so in `stack resource show` and in each container's labels,
 * and a pin to an engine the worker may not use fails before anything is made. Choosing the least loaded of
 * several engines is tested on the cluster's two (test/cluster).
 */
import { recordHistories, showStack, stackContainers, stoke, uniqueName, useWorker, writeTemplate } from '../helpers';

const { stacks } = useWorker();
const engine = process.env.STOKE_TEST_DOCKER!;

const template = () => writeTemplate(`
heat_template_version: 2016-10-14
resources:
  web: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: [sleep, "3600"]}}
  db: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: [sleep, "3600"]}}
`);

test('a stack pinned to an engine has its containers there, labelled and shown so, for create and delete alike', async () => {
  const stack = uniqueName('pinned');
  stacks.push(stack);
  const created = stoke('stack', 'create', stack, '-t', template(), '--engine', engine, '--wait');
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  expect(showStack(stack).engine).toBe(engine);
  const shown = JSON.parse(stoke('stack', 'resource', 'show', stack, 'web', '-f', 'json').stdout) as { engine?: string };
  expect(shown.engine).toBe(engine);
  const containers = await stackContainers(stack);
  expect(containers.map((c) => c.Labels['org.stoke.engine'])).toEqual([engine, engine]);
  await recordHistories(stack, 'placement');
  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await stackContainers(stack)).toEqual([]);
});

test('a pin to an engine the worker may not use fails the create before anything is made, naming the engine and the setting', async () => {
  const stack = uniqueName('badpin');
  stacks.push(stack);
  const created = stoke('stack', 'create', stack, '-t', template(), '--engine', 'tcp://127.0.0.1:9', '--wait');
  expect(created.status).toBe(1);
  expect(created.stdout).toContain(`engine 'tcp://127.0.0.1:9' is not one this worker may use (STOKE_DOCKER_ENGINES: ${engine})`);
  expect(Object.values(showStack(stack).resources).map((r) => r.status)).toEqual(['INIT_COMPLETE', 'INIT_COMPLETE']);
  expect(await stackContainers(stack)).toEqual([]);
});
