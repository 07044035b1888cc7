/**
 * Images pulled when missing, by tag and by digest, from a real registry (Debian's docker-registry on
 * loopback) that requires a login, with the login read from the user's Docker config.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createContainer, deleteContainer } from '../../src/resources/docker/handler';
import { ensureRegistryBinary } from '../../src/runtime/images';
import { docker, freePort, showStack, stackActivityCounts, startWorker, stoke, stokeAsync, stopWorker, uniqueName, waitUntil, writeTemplate } from '../helpers';

let registry: ChildProcess | undefined;
let slowRegistry: http.Server | undefined;
let slowRepo: string;
let worker: ChildProcess | undefined;
let workerOutput = '';
let repo: string;
let digest: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-registry-'));
const previousDockerConfig = process.env.DOCKER_CONFIG;
const stacks: string[] = [];

function follow(stream: NodeJS.ReadableStream): Promise<{ aux?: { Digest?: string }; error?: string }[]> {
  return new Promise((resolve, reject) => docker().modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
    const failed = err ?? events.find((e) => e.error);
    if (failed) reject(failed instanceof Error ? failed : new Error(failed.error));
    else resolve(events);
  }));
}

beforeAll(async () => {
  const port = await freePort();
  // The registry takes bcrypt htpasswd entries only; Python's crypt module writes them.
  const hash = spawnSync('python3', ['-c', "import crypt; print(crypt.crypt('s3cret', crypt.mksalt(crypt.METHOD_BLOWFISH)))"], { encoding: 'utf8' });
  if (hash.status !== 0) throw new Error(`cannot make a bcrypt hash: ${hash.stderr}`);
  fs.writeFileSync(path.join(dir, 'htpasswd'), `stoke:${hash.stdout.trim()}\n`);
  fs.writeFileSync(path.join(dir, 'config.yml'), JSON.stringify({
    version: 0.1,
    storage: { filesystem: { rootdirectory: path.join(dir, 'data') } },
    http: { addr: `127.0.0.1:${port}` },
    auth: { htpasswd: { realm: 'stoke', path: path.join(dir, 'htpasswd') } },
  }));
  // Through the bootstrap, so this file runs alone or first on a machine that has never run the acceptance tests.
  const binary = ensureRegistryBinary((message) => console.log(`[setup] ${message}`));
  registry = spawn(binary, ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  await waitUntil('the registry', async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/v2/`)).status === 401 ? true : undefined;
    } catch {
      return undefined;
    }
  }, 30_000);

  const auth = { username: 'stoke', password: 's3cret', serveraddress: `127.0.0.1:${port}` };
  repo = `127.0.0.1:${port}/stoke/busybox`;
  await docker().getImage('busybox:latest').tag({ repo, tag: 'v1' });
  const pushed = await follow(await docker().getImage(`${repo}:v1`).push({ authconfig: auth } as never));
  digest = pushed.find((event) => event.aux?.Digest)!.aux!.Digest!;
  // The engine must not have the tag, so that a create has to pull it.
  await docker().getImage(`${repo}:v1`).remove();

  // A layer no image on the engine shares (3 MB it cannot compress), served slowly by a proxy in front of the
  // registry, so that a pull of it lasts long enough for `--wait` to draw.
  const maker = await docker().createContainer({ Image: 'busybox:latest', Cmd: ['sh', '-c', 'head -c 3000000 /dev/urandom > /noise'] });
  await maker.start();
  await maker.wait();
  await maker.commit({ repo, tag: 'noise' });
  await maker.remove();
  await follow(await docker().getImage(`${repo}:noise`).push({ authconfig: auth } as never));
  await docker().getImage(`${repo}:noise`).remove();
  const slowPort = await freePort();
  slowRegistry = http.createServer((req, res) => {
    const upstream = http.request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, async (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // About 400 kB/s for layers; everything else as it comes.
      const slow = req.method === 'GET' && req.url?.includes('/blobs/');
      for await (const chunk of answer as AsyncIterable<Buffer>) {
        for (let at = 0; at < chunk.length; at += 16_384) {
          res.write(chunk.subarray(at, at + 16_384));
          if (slow) await new Promise((resolve) => setTimeout(resolve, 40));
        }
      }
      res.end();
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => slowRegistry!.listen(slowPort, '127.0.0.1', resolve));
  slowRepo = `127.0.0.1:${slowPort}/stoke/busybox`;

  fs.mkdirSync(path.join(dir, 'docker-config'));
  const login = { auth: Buffer.from('stoke:s3cret').toString('base64') };
  fs.writeFileSync(path.join(dir, 'docker-config', 'config.json'), JSON.stringify({ auths: { [`127.0.0.1:${port}`]: login, [`127.0.0.1:${slowPort}`]: login } }));
  process.env.DOCKER_CONFIG = path.join(dir, 'docker-config');
  worker = await startWorker();
  worker.stdout!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  worker.stderr!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
});

afterAll(async () => {
  for (const stack of stacks) stoke('stack', 'delete', stack, '--wait');
  await stopWorker(worker);
  if (previousDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
  else process.env.DOCKER_CONFIG = previousDockerConfig;
  for (const image of [`${repo}:v1`, `${repo}@${digest}`, `${slowRepo}:noise`]) await docker().getImage(image).remove().catch(() => undefined);
  slowRegistry?.close();
  registry?.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a missing image is pulled by tag and by digest with the login from the Docker config, progress in the worker log', async () => {
  const stack = uniqueName('pull');
  stacks.push(stack);
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  tagged:
    type: DockerInc::Docker::Container
    properties: {image: "${repo}:v1", cmd: [sleep, "3600"]}
  pinned:
    type: DockerInc::Docker::Container
    properties: {image: "${repo}@${digest}", cmd: [sleep, "3600"]}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  const state = showStack(stack);
  expect((await docker().getContainer(state.resources.tagged!.physicalId).inspect()).Config.Image).toBe(`${repo}:v1`);
  expect((await docker().getContainer(state.resources.pinned!.physicalId).inspect()).Config.Image).toBe(`${repo}@${digest}`);
  expect((await docker().getImage(`${repo}:v1`).inspect()).RepoDigests).toContain(`${repo}@${digest}`);
  expect(workerOutput).toContain('pulling image');
  expect(workerOutput).toContain(`${repo}:v1`);
  expect(workerOutput).toContain('pull progress');
  // A local activity cannot heartbeat a pull: each create found the image missing and handed the pull to an ordinary one.
  expect(await stackActivityCounts(stack)).toEqual({ ordinary: 2, local: 3 });
});

test('without a login for the registry the pull is refused and the resource fails at once with the registry\'s message', async () => {
  const stack = uniqueName('nologin');
  stacks.push(stack);
  // localhost names the same registry, but the Docker config has a login only for 127.0.0.1.
  const image = `${repo.replace('127.0.0.1', 'localhost')}:v1`;
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  locked:
    type: DockerInc::Docker::Container
    properties: {image: "${image}"}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait', '--timeout', '5');
  expect(created.status).toBe(1);
  expect(created.stdout).toContain(`image '${image}' is not on the engine and could not be pulled`);
  expect(created.stdout).toMatch(/no basic auth credentials|unauthorized|authentication required/);
});

test('pull progress is reported in the activity\'s heartbeat details', async () => {
  await docker().getImage(`${repo}:v1`).remove({ force: true }).catch(() => undefined);
  const env = new MockActivityEnvironment();
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => heartbeats.push(details));
  const stack = uniqueName('heartbeat');
  const req = {
    stack, stackId: `${stack}-id`, resource: 'pulled', type: 'DockerInc::Docker::Container',
    properties: { image: `${repo}:v1`, cmd: ['sleep', '3600'] }, attributes: [],
  };
  const created = await env.run(() => createContainer(req, process.env.STOKE_TEST_DOCKER!));
  expect(heartbeats).toEqual(expect.arrayContaining([expect.objectContaining({ pulling: `${repo}:v1`, status: expect.stringMatching(/Pulling from stoke\/busybox|Pull complete|Already exists|Digest|Status/) })]));
  await env.run(() => deleteContainer({ ...req, physicalId: created.physicalId }, process.env.STOKE_TEST_DOCKER!));
});

test('stack create --wait shows a pull\'s bytes and bar as the activity\'s heartbeats report them, a line a quarter when not on a terminal', async () => {
  const stack = uniqueName('pullbar');
  stacks.push(stack);
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  noisy:
    type: DockerInc::Docker::Container
    properties: {image: "${slowRepo}:noise", cmd: [sleep, "3600"]}
`);
  // Not stoke(): it would block this process, which serves the slow registry.
  const created = await stokeAsync('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  const bars = created.stdout.split('\n').filter((line) => line.includes(`noisy  pulling ${slowRepo}:noise  [`));
  expect(bars.length).toBeGreaterThanOrEqual(2);
  // The layer's 3 MB and the engine's byte counts, growing: a bar part filled, then more.
  const downloaded = bars.map((line) => Number(/\] +([\d.]+) MB \/ ([\d.]+) MB/.exec(line)![1]));
  expect(downloaded[downloaded.length - 1]).toBeGreaterThan(downloaded[0]!);
  expect(bars.some((line) => /\/ 3\.\d MB, layer \d of \d/.test(line))).toBe(true);
});
