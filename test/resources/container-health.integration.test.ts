/**
 * Health checks against the real engine: a container with a check (the template's or its image's) is
 * created only once Docker reports it healthy, and one that turns unhealthy fails with the check's output.
 */
import type { ChildProcess } from 'node:child_process';
import { SLEEPER, docker, recordHistories, stackActivityCounts, stackContainers, startWorker, stoke, stopWorker, uniqueName, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
const IMAGE_WITH_CHECK = `stoke-test-healthcheck:${process.pid}`;
/** Becomes ready two seconds after it starts, as a service that takes a moment to listen does. */
const READY_AFTER_2S = `[sh, -c, "trap 'exit 0' TERM; (sleep 2; touch /tmp/ok) & sleep 3600 & wait"]`;

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  await stopWorker(worker);
  await docker().getImage(IMAGE_WITH_CHECK).remove().catch(() => undefined);
});

async function healthOf(stack: string, resource: string): Promise<string | undefined> {
  const [container] = (await stackContainers(stack)).filter((c) => c.Labels['org.stoke.resource'] === resource);
  return (await docker().getContainer(container!.Id).inspect()).State.Health?.Status;
}

test('a container with the template\'s healthcheck is CREATE_COMPLETE only once healthy', async () => {
  const stack = uniqueName('healthy');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      cmd: ${READY_AFTER_2S}
      healthcheck: {test: ["CMD-SHELL", "test -f /tmp/ok"], interval: 1s, timeout: 5s, retries: 30}
  client:
    type: DockerInc::Docker::Container
    depends_on: [web]
    properties: {image: busybox, cmd: ${SLEEPER}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stderr).toBe('');
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  expect(await healthOf(stack, 'web')).toBe('healthy');
  expect(await stackContainers(stack)).toHaveLength(2);
  // Each container is made and started by a local activity; only web's wait for health is handed to an ordinary one,
  // which adopts the container rather than making a second.
  expect(await stackActivityCounts(stack)).toEqual({ ordinary: 1, local: 3 });
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await recordHistories(stack, 'hand-over');
});

test('an image\'s own HEALTHCHECK is waited for too', async () => {
  // docker commit keeps the container's config, Healthcheck included: an image that declares one, with no registry.
  const base = await docker().createContainer({ Image: 'busybox', Cmd: ['true'], Healthcheck: { Test: ['CMD-SHELL', 'test -f /tmp/ok'], Interval: 1e9, Retries: 30 } });
  const [repo, tag] = IMAGE_WITH_CHECK.split(':');
  await base.commit({ repo, tag });
  await base.remove();
  const stack = uniqueName('imgcheck');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties: {image: "${IMAGE_WITH_CHECK}", cmd: ${READY_AFTER_2S}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  expect(await healthOf(stack, 'web')).toBe('healthy');
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});

test('a check that keeps failing fails the create with its last output, and the stack rolls back', async () => {
  const stack = uniqueName('unhealthy');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      cmd: ${SLEEPER}
      healthcheck: {test: ["CMD-SHELL", "echo database not reachable; exit 1"], interval: 1s, retries: 2}
  client:
    type: DockerInc::Docker::Container
    depends_on: [web]
    properties: {image: busybox, cmd: ${SLEEPER}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.status).toBe(1);
  expect(created.stdout).toMatch(new RegExp(`Stack ${stack} ROLLBACK_COMPLETE: Resource CREATE failed: web: container is unhealthy after \\d+ failed health checks; last check \\(exit code 1\\):\\s+database not reachable`));
  expect(created.stdout).not.toContain('client  CREATE_IN_PROGRESS');
  expect(await stackContainers(stack)).toEqual([]);
});

test('a bad healthcheck duration is refused at validation with its place and path', () => {
  const template = writeTemplate(`heat_template_version: 2015-04-30
resources:
  web:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      healthcheck: {test: ["CMD", "true"], interval: 10 seconds}
`);
  const result = stoke('template', 'validate', '-t', template);
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain(`${template}:7:44: resources.web.properties.healthcheck.interval: '10 seconds' is not a duration`);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});
