/**
 * Server and application images built locally from Debian packages, and the local registry that
 * servers' own Docker engines pull them from, since no public registry is reachable here. Everything
 * is cached: root filesystems as tarballs in the state folder, images on the engine, pushes in the
 * registry's storage; a second call does nothing.
 */
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import Docker from 'dockerode';
import { DEFAULT_CATALOG, DOCKER_HOST_IMAGE, standinName } from './catalog';
import type { StokeConfig } from '../config';
import { dockerOptions } from './docker-endpoint';
import { StokeError } from '../errors';
import { networkGateway } from '../resources/networks/handler';
import { installDebianPackages, startDaemon, type Log, type StartedService } from './runtime';

/** One tag made from a root filesystem, with the image config a Dockerfile would have set. */
interface Variant {
  readonly tag: string;
  readonly cmd: readonly string[];
  readonly expose?: readonly number[];
  readonly volumes?: readonly string[];
}

export interface Recipe {
  readonly name: string;
  readonly packages: readonly string[];
  /** A folder under images/ copied over the root filesystem. */
  readonly overlay: string;
  /** Files or folders copied in too: path (absolute, or in the project) → path in the image. */
  readonly files?: Readonly<Record<string, string>>;
  readonly variants: readonly Variant[];
}

const database = (image: string): Variant =>
  ({ tag: standinName(image), cmd: ['/usr/local/bin/stoke-mysql'], expose: [3306], volumes: ['/var/lib/mysql'] });

export const RECIPES: readonly Recipe[] = [
  {
    name: 'docker-host',
    packages: ['docker.io', 'curl', 'ca-certificates', 'procps', 'iproute2'],
    overlay: 'docker-host',
    // heat-cfntools' cfn-signal, which the seeds' user_data calls, in the same form stoke gives busybox servers.
    files: { 'bin/cfn-signal': 'usr/local/bin/cfn-signal' },
    variants: [{ tag: DOCKER_HOST_IMAGE, cmd: ['/bin/sh'], volumes: ['/var/lib/docker'] }],
  },
  {
    // One root filesystem for the seeds' application images: one layer, stored and pulled once.
    name: 'lamp',
    packages: ['mariadb-server', 'mariadb-client', 'apache2', 'libapache2-mod-php', 'php-mysql', 'wordpress'],
    overlay: 'lamp',
    variants: [
      database('mysql:latest'), database('mysql:5'), database('mariadb:latest'), database('marouen/mysql:latest'),
      { tag: standinName('wordpress:latest'), cmd: ['/usr/local/bin/stoke-wordpress'], expose: [80] },
      { tag: standinName('marouen/apache:latest'), cmd: ['/usr/local/bin/stoke-apache'], expose: [80] },
    ],
  },
];

const SIMPLEWEB = standinName('larsks/simpleweb:latest');

/**
 * The local registry's content, by the names templates pull (→ the local image pushed as it): stoke's
 * own registry, so a stand-in goes there under the real name for servers' engines to pull.
 */
export const PUBLISHED: Readonly<Record<string, string>> = { 'busybox:latest': 'busybox:latest', ...DEFAULT_CATALOG.standins };

/** Where the local registry listens: STOKE_REGISTRY_PORT, else Docker's usual 5000. */
export function registryPort(env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env.STOKE_REGISTRY_PORT ?? 5000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new StokeError('ConfigInvalid', `STOKE_REGISTRY_PORT=${env.STOKE_REGISTRY_PORT} is not a port`);
  return port;
}

function imagesDir(config: StokeConfig): string {
  return path.join(config.projectRoot, 'images');
}

/** Every input of a recipe's build: a change to a package list, the build script or an overlay file rebuilds it. */
export function recipeHash(config: StokeConfig, recipe: Recipe): string {
  const hash = crypto.createHash('sha256').update(JSON.stringify([recipe.name, recipe.packages]));
  const add = (file: string, name = path.relative(imagesDir(config), file)) => {
    const stat = fs.lstatSync(file);
    hash.update(name);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(file).sort()) add(path.join(file, entry), path.join(name, entry));
    else if (stat.isSymbolicLink()) hash.update(fs.readlinkSync(file));
    else hash.update(fs.readFileSync(file)).update(String(stat.mode & 0o111));
  };
  add(path.join(imagesDir(config), 'build-rootfs.sh'));
  add(path.join(imagesDir(config), recipe.overlay));
  // Files from outside the project are named by where they go: the same binary from another state folder is the same input.
  for (const [from, to] of Object.entries(recipe.files ?? {}).sort(([a], [b]) => a.localeCompare(b))) add(path.resolve(config.projectRoot, from), path.isAbsolute(from) ? to : undefined);
  return hash.digest('hex').slice(0, 12);
}

const RECIPE_LABEL = 'org.stoke.recipe';

/** Debian's mirror as this machine's apt knows it, never a hard-coded one. */
export function debianMirror(): string {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+\s+main/m.exec(text)?.[1];
    if (uri) return uri;
  }
  throw new StokeError('ImageBuild', 'no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list');
}

async function hasImage(docker: Docker, tag: string, recipe?: string): Promise<boolean> {
  try {
    const info = await docker.getImage(tag).inspect();
    return recipe === undefined || info.Config?.Labels?.[RECIPE_LABEL] === recipe;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
      const failed = err?.message ?? events?.find((e) => e.error)?.error;
      if (failed) reject(new StokeError('ImageBuild', failed));
      else resolve();
    }));
}

/** Runs a build step with its output in the log `out`, without holding up the builds beside it. */
function run(command: string, args: readonly string[], out: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', out, out] });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new StokeError('ImageBuild', `${command} ended with ${signal ?? `code ${code}`}`))));
  });
}

/** The recipe's root filesystem as a tarball in the state folder, built with debootstrap when missing. */
async function rootfsTarball(config: StokeConfig, recipe: Recipe, hash: string, log: Log): Promise<string> {
  const dir = path.join(config.stateDir, 'images');
  const tarball = path.join(dir, `${recipe.name}-${hash}.tar`);
  if (fs.existsSync(tarball)) return tarball;
  if (process.getuid?.() !== 0) throw new StokeError('ImageBuild', `building the ${recipe.name} image needs root (debootstrap, chroot)`);
  if (!fs.existsSync('/usr/sbin/debootstrap')) installDebianPackages(['debootstrap'], log);
  const rootfs = path.join(dir, `${recipe.name}.rootfs`);
  fs.rmSync(rootfs, { recursive: true, force: true });
  fs.mkdirSync(rootfs, { recursive: true });
  const started = Date.now();
  log(`building the ${recipe.name} root filesystem from Debian packages (${recipe.packages.join(' ')}); log in ${rootfs}.log`);
  const out = fs.openSync(`${rootfs}.log`, 'w');
  try {
    await run(path.join(imagesDir(config), 'build-rootfs.sh'), [rootfs, debianMirror(), path.join(imagesDir(config), recipe.overlay), ...recipe.packages], out);
    for (const [from, to] of Object.entries(recipe.files ?? {})) fs.cpSync(path.resolve(config.projectRoot, from), path.join(rootfs, to), { recursive: true });
    await run('tar', ['-C', rootfs, '-cf', `${tarball}.tmp`, '.'], out);
  } catch {
    const tail = fs.readFileSync(`${rootfs}.log`, 'utf8').trim().split('\n').slice(-10).join('\n');
    throw new StokeError('ImageBuild', `building the ${recipe.name} root filesystem failed; last lines of ${rootfs}.log:\n${tail}`);
  } finally {
    fs.closeSync(out);
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
  fs.renameSync(`${tarball}.tmp`, tarball);
  log(`built the ${recipe.name} root filesystem in ${Math.round((Date.now() - started) / 1000)} s`);
  return tarball;
}

/** Imports a recipe's tags that the engine lacks (the identical tarball makes them share one layer). */
export async function ensureRecipe(config: StokeConfig, endpoint: string, recipe: Recipe, log: Log): Promise<void> {
  const docker = new Docker(dockerOptions(endpoint));
  const missing: Variant[] = [];
  const hash = recipeHash(config, recipe);
  for (const variant of recipe.variants) if (!(await hasImage(docker, variant.tag, hash))) missing.push(variant);
  if (missing.length === 0) return;
  const tarball = await rootfsTarball(config, recipe, hash, log);
  // Older builds of this recipe are superseded.
  for (const file of fs.readdirSync(path.dirname(tarball))) {
    if (file.startsWith(`${recipe.name}-`) && file.endsWith('.tar') && path.join(path.dirname(tarball), file) !== tarball) fs.rmSync(path.join(path.dirname(tarball), file));
  }
  // Each import unpacks the whole tarball: variants of one image config (the database stand-ins) are one import, tagged.
  const imported = new Map<string, string>();
  for (const variant of missing) {
    const started = Date.now();
    const [repo, tag] = variant.tag.split(':');
    const changes = [`CMD ${JSON.stringify(variant.cmd)}`, ...(variant.expose ?? []).map((port) => `EXPOSE ${port}`),
      ...(variant.volumes ?? []).map((volume) => `VOLUME ${volume}`), `LABEL ${RECIPE_LABEL}=${hash}`];
    const imageConfig = JSON.stringify(changes);
    const same = imported.get(imageConfig);
    if (same) {
      await docker.getImage(same).tag({ repo: repo!, tag });
      log(`tagged ${same} as ${variant.tag}`);
      continue;
    }
    await follow(docker, await docker.importImage(fs.createReadStream(tarball) as unknown as string, { repo, tag, changes }));
    imported.set(imageConfig, variant.tag);
    log(`imported ${variant.tag} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

/** larsks/simpleweb's stand-in, the seed's example web server: busybox httpd serving one page on port 80. */
async function ensureSimpleweb(docker: Docker): Promise<void> {
  if (await hasImage(docker, SIMPLEWEB)) return;
  const container = await docker.createContainer({ Image: 'busybox:latest', Cmd: ['sh', '-c', 'mkdir -p /www && echo "<h1>simpleweb</h1>" > /www/index.html'] });
  try {
    await container.start();
    await container.wait();
    const [repo, tag] = SIMPLEWEB.split(':');
    await container.commit({ repo, tag, changes: 'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]\nEXPOSE 80' } as object);
  } finally {
    await container.remove({ force: true });
  }
}

function registryAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/v2/', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => (req.destroy(), resolve(false)));
  });
}

function registryHas(host: string, port: number, repository: string, tag: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host, port, method: 'HEAD', path: `/v2/${repository}/manifests/${tag}`, timeout: 5000,
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Debian's docker-registry, installed when missing (it is also what the registry tests run). */
export function ensureRegistryBinary(log: Log): string {
  if (!fs.existsSync(REGISTRY_BINARY)) installDebianPackages(['docker-registry'], log);
  return REGISTRY_BINARY;
}

const REGISTRY_BINARY = '/usr/bin/docker-registry';

/**
 * The address servers reach this machine's registry at: the gateway of the engine's default bridge, when
 * this machine holds it (a remote engine's bridge is not ours to listen on). Servers on a stack's own
 * network reach it too, through their gateway, since it is an address of the host.
 */
export async function bridgeAddress(endpoint: string): Promise<string | undefined> {
  const gateway = await networkGateway(new Docker(dockerOptions(endpoint)), 'bridge').catch(() => '');
  return gateway && (await isLocalAddress(gateway)) ? gateway : undefined;
}

/** Whether this machine holds the address; a bridge with no container attached is down, yet its address can be bound. */
function isLocalAddress(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(0, address, () => server.close(() => resolve(true)));
  });
}

/**
 * One docker-registry process per address: on loopback (where stoke pushes, which needs no TLS) and,
 * read-only, on the bridge gateway (where servers' engines pull), never on every address of the machine.
 */
async function startRegistry(config: StokeConfig, name: string, host: string, readOnly: boolean, log: Log): Promise<StartedService> {
  const port = registryPort();
  const storage = path.join(config.stateDir, 'registry');
  fs.mkdirSync(storage, { recursive: true });
  const configFile = path.join(config.stateDir, `${name}.yml`);
  fs.writeFileSync(configFile, [
    'version: 0.1', 'log: {level: warn}', 'storage:', `  filesystem: {rootdirectory: ${JSON.stringify(storage)}}`,
    '  delete: {enabled: true}', ...(readOnly ? ['  maintenance: {readonly: {enabled: true}}'] : []), 'http:', `  addr: ${host}:${port}`, '',
  ].join('\n'));
  log(`starting the local registry on ${host}:${port}${readOnly ? ' (read-only)' : ''} (storage in ${storage})`);
  const service = startDaemon(config, name, ensureRegistryBinary(log), ['serve', configFile]);
  const deadline = Date.now() + 30_000;
  while (!(await registryAnswers(host, port))) {
    if (Date.now() > deadline) throw new StokeError('RuntimeStart', `the registry did not answer on ${host}:${port}; see ${path.join(config.stateDir, `${name}.log`)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return service;
}

/** Starts the local registry where it does not answer yet; returns the processes this call started. */
export async function ensureRegistry(config: StokeConfig, endpoint: string, log: Log): Promise<StartedService[]> {
  const started: StartedService[] = [];
  // Named by port, so a registry on another port (a test's) never takes over the pid file of the usual one.
  if (!(await registryAnswers('127.0.0.1', registryPort()))) started.push(await startRegistry(config, `registry-${registryPort()}`, '127.0.0.1', false, log));
  const bridge = await bridgeAddress(endpoint);
  if (!bridge) log('the engine\'s bridge gateway is not an address of this machine: servers cannot reach the local registry');
  else if (!(await registryAnswers(bridge, registryPort()))) started.push(await startRegistry(config, `registry-bridge-${registryPort()}`, bridge, true, log));
  return started;
}

/** The registry path of an image as Docker Hub names it: library/NAME for official images. */
function hubPath(tag: string): { repository: string; tag: string } {
  const [name, version] = tag.split(':') as [string, string];
  return { repository: name.includes('/') ? name : `library/${name}`, tag: version ?? 'latest' };
}

/** Pushes each published image the registry lacks, as 127.0.0.1:PORT/library/NAME (loopback needs no TLS). */
async function publish(config: StokeConfig, docker: Docker, log: Log): Promise<void> {
  const port = registryPort();
  const markerFile = path.join(config.stateDir, 'registry', 'published.json');
  const published = (fs.existsSync(markerFile) ? JSON.parse(fs.readFileSync(markerFile, 'utf8')) : {}) as Record<string, string>;
  // The registry may be another checkout's (it answered first), so this folder may not exist yet.
  fs.mkdirSync(path.dirname(markerFile), { recursive: true });
  for (const [image, local] of Object.entries(PUBLISHED)) {
    const { repository, tag } = hubPath(image);
    const id = (await docker.getImage(local).inspect()).Id;
    if (published[image] === id && (await registryHas('127.0.0.1', port, repository, tag))) continue;
    const started = Date.now();
    const target = `127.0.0.1:${port}/${repository}`;
    // The push needs this name on the engine for a moment; one the user has for another image is theirs.
    const existing = await docker.getImage(`${target}:${tag}`).inspect().catch(() => undefined);
    if (existing && existing.Id !== id) throw new StokeError('ImageBuild', `the engine has an image ${target}:${tag} already: remove it, or set STOKE_REGISTRY_PORT to another port`);
    await docker.getImage(local).tag({ repo: target, tag });
    try {
      await follow(docker, await docker.getImage(`${target}:${tag}`).push({ authconfig: { serveraddress: `127.0.0.1:${port}` } } as object));
    } finally {
      await docker.getImage(`${target}:${tag}`).remove();
    }
    published[image] = id;
    fs.writeFileSync(markerFile, JSON.stringify(published, null, 2));
    log(`pushed ${local} to the local registry as ${image} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

let serverImages: Promise<StartedService[]> | undefined;

/**
 * Bootstrap (`stoke images build`), never an activity: the docker-host image and the stand-ins built,
 * the registry running and filled. Shared by concurrent callers in one process; cached across runs.
 * Returns the registry processes it started.
 */
export function ensureServerImages(config: StokeConfig, endpoint: string, log: Log): Promise<StartedService[]> {
  serverImages ??= (async () => {
    const docker = new Docker(dockerOptions(endpoint));
    // The root filesystems build side by side: each waits on the mirror and the disk as much as on a core.
    await Promise.all(RECIPES.map((recipe) => ensureRecipe(config, endpoint, recipe, log)));
    await ensureSimpleweb(docker);
    const registry = await ensureRegistry(config, endpoint, log);
    await publish(config, docker, log);
    await servedToServers(endpoint);
    return registry;
  })();
  serverImages.catch(() => (serverImages = undefined));
  return serverImages;
}

/**
 * The two addresses may be two registries on different storage (one left by another checkout): what
 * stoke pushed on loopback must be what servers pull on the bridge.
 */
async function servedToServers(endpoint: string): Promise<void> {
  const bridge = await bridgeAddress(endpoint);
  if (!bridge) return;
  for (const image of Object.keys(PUBLISHED)) {
    const { repository, tag } = hubPath(image);
    if (!(await registryHas(bridge, registryPort(), repository, tag))) {
      throw new StokeError('ImageBuild', `the registry on ${bridge}:${registryPort()} lacks ${image}, which was pushed on 127.0.0.1:${registryPort()}: `
        + 'two registries on different storage answer there; stop the other one (`stoke down` in its checkout) or set STOKE_REGISTRY_PORT');
    }
  }
}

/** What an activity checks before booting a docker-host server, instead of building: the message says how to. */
export async function serverImagesMissing(endpoint: string): Promise<string | undefined> {
  const build = 'run `stoke images build` once (it builds stoke\'s server and stand-in images from Debian packages, about 6 min the first time, and starts the local registry)';
  if (!(await hasImage(new Docker(dockerOptions(endpoint)), DOCKER_HOST_IMAGE))) return `${DOCKER_HOST_IMAGE} is not built: ${build}`;
  const bridge = await bridgeAddress(endpoint);
  if (bridge && !(await registryAnswers(bridge, registryPort()))) return `the local registry does not answer on ${bridge}:${registryPort()}: ${build}`;
  return undefined;
}
