/**
 * stoke's own images and registry as the bootstrap makes them: stand-ins under names of their own,
 * never over an image the user has; the registry on loopback and the bridge gateway only; servers that
 * need them refused, not left to build them, when they are missing; and a container on the local
 * engine running a stand-in only when the image it names can be had neither from the engine nor by a
 * pull. Builds the images on a first run (about 6 min, cached in the state folder after).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_CATALOG, DOCKER_HOST_IMAGE, standinName } from '../../src/runtime/catalog';
import { loadConfig } from '../../src/config';
import { bridgeAddress, ensureServerImages, PUBLISHED, RECIPES } from '../../src/runtime/images';
import { stopServices, type StartedService } from '../../src/runtime/runtime';
import { docker, freePort, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName, writeTemplate, tempDir } from '../helpers';

const USERS_IMAGE = 'wordpress:latest';
let registry: StartedService[] = [];
let registryPort: number;
let taggedByTest = false;
let usersImageId: string;
const previousPort = process.env.STOKE_REGISTRY_PORT;

function listens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

beforeAll(async () => {
  // An image of a stand-in's real name that the user has; the engine's own when it has one, else busybox tagged so.
  const existing = await docker().getImage(USERS_IMAGE).inspect().catch(() => undefined);
  if (!existing) {
    await docker().getImage('busybox:latest').tag({ repo: USERS_IMAGE.split(':')[0], tag: 'latest' });
    taggedByTest = true;
  }
  usersImageId = (await docker().getImage(USERS_IMAGE).inspect()).Id;
  // A registry of this file's own, so one already serving port 5000 (another checkout's) proves nothing here.
  registryPort = await freePort();
  process.env.STOKE_REGISTRY_PORT = String(registryPort);
  const started = Date.now();
  registry = await ensureServerImages(loadConfig(), process.env.STOKE_TEST_DOCKER!, (message) => console.log(`[images] ${message}`));
  console.log(`[images] server images, stand-ins and registry ready in ${Math.round((Date.now() - started) / 1000)} s`);
}, 40 * 60_000);

afterAll(async () => {
  await stopServices(registry, (message) => console.log(`[teardown] ${message}`));
  if (previousPort === undefined) delete process.env.STOKE_REGISTRY_PORT;
  else process.env.STOKE_REGISTRY_PORT = previousPort;
  if (taggedByTest && (await docker().getImage(USERS_IMAGE).inspect().catch(() => undefined))?.Id === usersImageId) {
    await docker().getImage(USERS_IMAGE).remove();
  }
});

test('every image stoke builds is named under stoke/, and the registry publishes each stand-in under the real name', () => {
  const built = [...RECIPES.flatMap((recipe) => recipe.variants.map((variant) => variant.tag)), ...Object.values(PUBLISHED)];
  expect(built.filter((tag) => !tag.startsWith('stoke/') && tag !== 'busybox:latest')).toEqual([]);
  expect(PUBLISHED['mysql:latest']).toBe('stoke/standin-mysql:latest');
  expect(PUBLISHED['larsks/simpleweb:latest']).toBe(standinName('larsks/simpleweb:latest'));
  expect(DEFAULT_CATALOG.standins['marouen/apache:latest']).toBe('stoke/standin-marouen-apache:latest');
});

test('the bootstrap builds the stand-ins beside the user\'s image of the same real name, which it leaves as it was', async () => {
  expect((await docker().getImage(USERS_IMAGE).inspect()).Id).toBe(usersImageId);
  const standin = await docker().getImage(standinName(USERS_IMAGE)).inspect();
  expect(standin.Id).not.toBe(usersImageId);
  expect(standin.Config.Labels?.['org.stoke.recipe']).toMatch(/^[0-9a-f]{12}$/);
  expect((await docker().getImage(DOCKER_HOST_IMAGE).inspect()).Config.Labels?.['org.stoke.recipe']).toMatch(/^[0-9a-f]{12}$/);
});

test('the local registry answers on loopback and on the bridge gateway, and on no other address of the machine', async () => {
  const bridge = await bridgeAddress(process.env.STOKE_TEST_DOCKER!);
  expect(bridge).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect((await fetch(`http://127.0.0.1:${registryPort}/v2/library/mysql/tags/list`)).status).toBe(200);
  expect((await fetch(`http://${bridge}:${registryPort}/v2/library/mysql/tags/list`)).status).toBe(200);
  // Another loopback address, and every other address this machine has: a listener on 0.0.0.0 would answer on each.
  const others = ['127.0.0.2', ...Object.values(os.networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4')
    .map((i) => i!.address).filter((address) => address !== '127.0.0.1' && address !== bridge)];
  for (const address of others) expect([address, await listens(address, registryPort)]).toEqual([address, false]);
});

test('a docker-host server without its registry fails at once, saying how to build, and builds and starts nothing', async () => {
  const port = await freePort();
  const worker = await startWorker({ ...process.env, STOKE_REGISTRY_PORT: String(port) });
  const stack = uniqueName('unbuilt');
  try {
    const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  server:
    type: OS::Nova::Server
    properties: {image: docker-host, flavor: m1.small}
`);
    const created = stoke('stack', 'create', stack, '-t', template, '--wait', '--timeout', '5');
    expect(created.status).toBe(1);
    expect(created.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE`);
    expect(created.stdout).toContain(`the local registry does not answer on ${await bridgeAddress(process.env.STOKE_TEST_DOCKER!)}:${port}: run \`stoke images build\``);
    expect(await listens('127.0.0.1', port)).toBe(false);
    expect(await stackContainers(stack)).toEqual([]);
  } finally {
    stoke('stack', 'delete', stack, '--wait');
    await stopWorker(worker);
  }
});

test('a container on the local engine runs the image it names when the engine has it, and the stand-in only when it cannot be had', async () => {
  const present = 'stoke-test/present:1';
  const nowhere = 'stoke-nowhere/web:1';
  const simpleweb = standinName('larsks/simpleweb:latest');
  const catalog = path.join(tempDir('stoke-catalog'), 'catalog.yaml');
  fs.writeFileSync(catalog, `standins: {"${present}": "${simpleweb}", "${nowhere}": "${simpleweb}"}\n`);
  await docker().getImage('busybox:latest').tag({ repo: 'stoke-test/present', tag: '1' });
  let output = '';
  const worker = await startWorker({ ...process.env, STOKE_CATALOG: catalog });
  worker.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stack = uniqueName('standin');
  try {
    const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  had:
    type: DockerInc::Docker::Container
    properties: {image: "${present}", cmd: [sleep, "3600"]}
  missing:
    type: DockerInc::Docker::Container
    properties: {image: "${nowhere}"}
`);
    const created = stoke('stack', 'create', stack, '-t', template, '--wait', '--timeout', '5');
    expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
    const state = showStack(stack);
    const had = await docker().getContainer(state.resources.had!.physicalId).inspect();
    expect(had.Config.Image).toBe(present);
    expect(had.Config.Labels?.['org.stoke.standin-for']).toBeUndefined();
    const missing = await docker().getContainer(state.resources.missing!.physicalId).inspect();
    expect(missing.Config.Image).toBe(simpleweb);
    expect(missing.Config.Labels?.['org.stoke.standin-for']).toBe(nowhere);
    expect(output).toContain('running stoke\'s stand-in');
    expect(output).toContain(simpleweb);
  } finally {
    stoke('stack', 'delete', stack, '--wait');
    await stopWorker(worker);
    await docker().getImage(present).remove().catch(() => undefined);
  }
});
