/**
 * `stoke cluster up|down|status`: the production topology on one machine, from real parts. PostgreSQL
 * (Debian's, run by an ordinary user), Temporal's server on it and Temporal's UI server, both built from
 * their Go modules at pinned versions, a second Docker engine on a bridge of its own reached over tcp://,
 * the codec server, the signal gateway, Heat's API and two stoke workers, all with the state folder's one
 * key. Binaries and data live in the state folder's `cluster/`, built or initialised only when missing.
 *
 * The cluster answers where the embedded dev server would (STOKE_DEV_PORT, its HTTP port, its UI port), so
 * the CLI, `stoke ui` and the openstack CLI use it with no setting; it will not start while one runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporalAddress, temporalHttpAddress, type StokeConfig } from '../config';
import { codecKeys } from '../client/codec';
import { StokeError } from '../errors';
import {
  dockerAnswers, ensureDocker, ensureImages, ensureRunDir, installDebianPackages, onPath, portOpen, servicesRecordedIn, startDaemon, stopServices, storageDriver,
  temporalAnswers, waitFor, type Log, type StartedService,
} from './runtime';

/** The versions a cluster is built from: a rebuild happens only when a binary of another version is asked for. */
export const PINNED = {
  temporal: 'v1.29.1',
  ui: 'v2.58.1',
  // The UI server's own pins are not all served by the module proxy; these are, and build it.
  uiToolchain: 'go1.27.3',
  uiReplace: { 'go.temporal.io/api': 'v1.64.3', 'github.com/labstack/echo/v4': 'v4.16.4' },
} as const;

/** The user PostgreSQL runs as when stoke runs as root: it refuses to run as root. */
const PG_USER = 'stoke-postgres';

/** In start order; `down` stops them in reverse. */
const SERVICES = ['postgres', 'temporal', 'temporal-ui', 'dockerd', 'dockerd-2', 'codec-server', 'gateway', 'api', 'worker-1', 'worker-2'] as const;

export interface ClusterLayout {
  readonly dir: string;
  readonly bin: string;
  readonly pgData: string;
  readonly ports: {
    readonly postgres: number; readonly frontend: number; readonly history: number; readonly matching: number; readonly worker: number;
    readonly http: number; readonly ui: number; readonly docker2: number;
  };
  /** The second engine, as workers and `docker_endpoint` name it. */
  readonly docker2: string;
  /**
   * The second engine's bridge (a /16) and the pool its networks come from: in 10.x, apart from the first engine's
   * 172.17–31 ranges (both engines share this machine's routes), and apart from another state folder's cluster.
   */
  readonly bridge: { readonly name: string; readonly address: string; readonly pool: string };
}

/** Where the cluster keeps everything, and its ports: the dev server's, then a few beside them. */
export function clusterLayout(config: StokeConfig): ClusterLayout {
  const dir = path.join(config.stateDir, 'cluster');
  const frontend = config.devServerPort;
  const ports = {
    postgres: frontend + 200, frontend, history: frontend + 1, matching: frontend + 2, worker: frontend + 6,
    http: Number(temporalHttpAddress(config).split(':').pop()), ui: frontend + 1000, docker2: frontend + 201,
  };
  // Binaries are the project's, whatever the state folder: another STOKE_HOME (a test's) need not build them again.
  const bin = path.join(config.projectRoot, '.stoke', 'tools', 'cluster');
  const digest = path.basename(config.runDir).replace(/^stoke-/, '');
  const n = parseInt(digest.slice(0, 4), 16) % 50;
  // A /16, as docker0's: a /24 held the second engine to 253 running containers.
  const bridge = { name: `stoke-${digest.slice(0, 8)}`, address: `10.${150 + n}.0.1/16`, pool: `base=10.${200 + n}.0.0/16,size=24` };
  return { dir, bin, pgData: path.join(dir, 'postgres'), ports, docker2: `tcp://127.0.0.1:${ports.docker2}`, bridge };
}

/** The config the cluster's services read their pid and log files from: the cluster folder, not the embedded default's. */
function clusterConfig(config: StokeConfig, layout: ClusterLayout): StokeConfig {
  return { ...config, stateDir: layout.dir };
}

/**
 * Temporal's server configuration (its development-postgres12.yaml, as data): JSON is YAML. Membership ports
 * sit 300 below each service's gRPC port, as in Temporal's own; no metrics or pprof listener, which would
 * take ports the gateway and others use.
 */
export function temporalServerConfig(layout: ClusterLayout): unknown {
  const { ports } = layout;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12', databaseName, connectAddr: `127.0.0.1:${ports.postgres}`, connectProtocol: 'tcp',
      user: 'temporal', password: '', maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, extra: object = {}) => ({ rpc: { grpcPort, membershipPort: grpcPort - 300, bindOnLocalHost: true, ...extra } });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default', visibilityStore: 'postgres-visibility', numHistoryShards: 4,
      datastores: { 'postgres-default': store('temporal', 20), 'postgres-visibility': store('temporal_visibility', 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontend, { httpPort: ports.http }),
      history: service(ports.history),
      matching: service(ports.matching),
      worker: service(ports.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false, failoverVersionIncrement: 10, masterClusterName: 'active', currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: path.join(layout.dir, 'temporal', 'dynamicconfig.yaml'), pollInterval: '10s' },
  };
}

/** The UI server's configuration: Temporal's frontend, and the codec server the page decrypts payloads through. */
export function uiServerConfig(layout: ClusterLayout, codecEndpoint: string): unknown {
  return {
    temporalGrpcAddress: `127.0.0.1:${layout.ports.frontend}`,
    host: '127.0.0.1',
    port: layout.ports.ui,
    enableUi: true,
    defaultNamespace: 'default',
    codec: { endpoint: codecEndpoint },
    cors: { allowOrigins: [`http://127.0.0.1:${layout.ports.ui}`] },
    auth: { enabled: false },
  };
}

function go(args: string[], env: NodeJS.ProcessEnv, cwd: string | undefined, what: string): string {
  const result = spawnSync('go', args, { env: { ...process.env, ...env }, cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    const detail = (result.stderr || result.error?.message || '').trim().split('\n').slice(-8).join('\n');
    throw new StokeError('ClusterBuild', `${what} failed (go ${args.join(' ')}):\n${detail}`);
  }
  return result.stdout;
}

/** A binary built once per version: its name carries the version, so a new pin builds a new one beside it. */
function versioned(layout: ClusterLayout, name: string, version: string): string {
  return path.join(layout.bin, `${name}-${version}`);
}

/** The Temporal server, its SQL tool and the UI server, from the Go module proxy (minutes, once). */
export function ensureBinaries(layout: ClusterLayout, log: Log): { server: string; sql: string; ui: string } {
  if (!onPath('go')) throw new StokeError('ClusterBuild', 'the cluster builds Temporal from its Go modules, and no `go` is on PATH: install Go (golang.org/dl)');
  fs.mkdirSync(layout.bin, { recursive: true });
  const server = versioned(layout, 'temporal-server', PINNED.temporal);
  const sql = versioned(layout, 'temporal-sql-tool', PINNED.temporal);
  const ui = versioned(layout, 'temporal-ui-server', PINNED.ui);
  for (const [binary, pkg] of [[server, 'cmd/server'], [sql, 'cmd/tools/sql']] as const) {
    if (fs.existsSync(binary)) continue;
    log(`building ${path.basename(binary)} from go.temporal.io/server/${pkg}@${PINNED.temporal} (a few minutes, once)`);
    const gobin = fs.mkdtempSync(path.join(layout.bin, 'build-'));
    try {
      go(['install', `go.temporal.io/server/${pkg}@${PINNED.temporal}`], { GOBIN: gobin }, undefined, `building ${path.basename(binary)}`);
      fs.renameSync(path.join(gobin, path.basename(pkg)), binary);
    } finally {
      fs.rmSync(gobin, { recursive: true, force: true });
    }
  }
  if (!fs.existsSync(ui)) {
    log(`building ${path.basename(ui)} from github.com/temporalio/ui-server/v2@${PINNED.ui} (a few minutes, once)`);
    const module = path.join(layout.dir, 'ui-build');
    fs.rmSync(module, { recursive: true, force: true });
    fs.mkdirSync(module, { recursive: true });
    fs.writeFileSync(path.join(module, 'go.mod'), [
      'module stoke.local/temporal-ui', '', 'go 1.24', '', `require github.com/temporalio/ui-server/v2 ${PINNED.ui}`, '',
      ...Object.entries(PINNED.uiReplace).map(([mod, version]) => `replace ${mod} => ${mod} ${version}`), '',
    ].join('\n'));
    const env = { GOTOOLCHAIN: PINNED.uiToolchain, GOFLAGS: '-mod=mod' };
    go(['build', '-o', ui, 'github.com/temporalio/ui-server/v2/cmd/server'], env, module, `building ${path.basename(ui)}`);
    fs.rmSync(module, { recursive: true, force: true });
  }
  return { server, sql, ui };
}

/** The SQL schemas inside Temporal's module, which `go install` left in the module cache. */
export function schemaDir(): string {
  const found = JSON.parse(go(['mod', 'download', '-json', `go.temporal.io/server@${PINNED.temporal}`], {}, undefined, 'finding Temporal\'s SQL schemas')) as { Dir?: string };
  if (!found.Dir) throw new StokeError('ClusterBuild', `the module go.temporal.io/server@${PINNED.temporal} has no folder in the module cache`);
  return path.join(found.Dir, 'schema', 'postgresql', 'v12');
}

/** How PostgreSQL's programs are run: as PG_USER when this is root, else as this user. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', ['--reuid', PG_USER, '--regid', PG_USER, '--init-groups', command, ...args]];
}

/** A PostgreSQL program: on PATH or in Debian's versioned folder, Debian's postgresql installed when neither has it. */
function postgresBinary(name: string): string {
  const find = () => onPath(name) ?? ['17', '16', '15'].map((v) => `/usr/lib/postgresql/${v}/bin/${name}`).find((file) => fs.existsSync(file));
  const found = find();
  if (found) return found;
  installDebianPackages(['postgresql'], () => undefined);
  const installed = find();
  if (!installed) throw new StokeError('ClusterStart', `Debian's postgresql is installed but ${name} is not found`);
  return installed;
}

/** PostgreSQL's data folder, made once by initdb (trust on loopback: the port answers only this machine). */
function ensurePostgresData(layout: ClusterLayout, log: Log): void {
  if (process.getuid?.() === 0) {
    const known = spawnSync('id', ['-u', PG_USER]).status === 0;
    if (!known) execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', PG_USER]);
  }
  if (fs.existsSync(path.join(layout.pgData, 'PG_VERSION'))) return;
  log(`initialising PostgreSQL's data folder in ${layout.pgData}`);
  fs.mkdirSync(layout.pgData, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    execFileSync('chown', [`${PG_USER}:${PG_USER}`, layout.pgData]);
    // PostgreSQL's user must pass through the folders above its own (a state folder made by mkdtemp is 0700).
    for (let dir = path.dirname(layout.pgData); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const { mode, uid } = fs.statSync(dir);
      if (uid === 0 && (mode & 0o001) === 0) fs.chmodSync(dir, (mode & 0o7777) | 0o001);
    }
  }
  const [command, args] = asPostgresUser(postgresBinary('initdb'), ['-D', layout.pgData, '-U', 'temporal', '--auth=trust', '--encoding=UTF8']);
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new StokeError('ClusterStart', `initdb failed: ${(result.stderr || result.stdout).trim()}`);
}

function psql(layout: ClusterLayout, sql: string): string {
  return execFileSync(postgresBinary('psql'), ['-h', '127.0.0.1', '-p', String(layout.ports.postgres), '-U', 'temporal', '-d', 'postgres', '-tAc', sql], { encoding: 'utf8' }).trim();
}

/** Temporal's two databases and their schemas: made when missing, brought up to the pinned version always. */
function ensureSchemas(layout: ClusterLayout, sqlTool: string, log: Log): void {
  const schemas = schemaDir();
  for (const [database, folder] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']] as const) {
    const tool = (...args: string[]) => {
      const result = spawnSync(sqlTool, ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(layout.ports.postgres), '-u', 'temporal', '--db', database, ...args], { encoding: 'utf8' });
      if (result.status !== 0) throw new StokeError('ClusterStart', `temporal-sql-tool ${args[0]} on ${database} failed: ${(result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n')}`);
    };
    if (psql(layout, `SELECT 1 FROM pg_database WHERE datname = '${database}'`) !== '1') {
      log(`creating the database ${database} and its schema`);
      tool('create-database');
      tool('setup-schema', '-v', '0.0');
    }
    tool('update-schema', '-d', path.join(schemas, folder, 'versioned'));
  }
}

/** The second engine's bridge, made when missing: dockerd takes an existing bridge by name. */
function ensureBridge({ bridge }: ClusterLayout): void {
  if (spawnSync('ip', ['link', 'show', bridge.name], { stdio: 'ignore' }).status === 0) return;
  for (const args of [['link', 'add', bridge.name, 'type', 'bridge'], ['addr', 'add', bridge.address, 'dev', bridge.name], ['link', 'set', bridge.name, 'up']]) {
    const result = spawnSync('ip', args, { encoding: 'utf8' });
    if (result.status !== 0) throw new StokeError('ClusterStart', `making the second engine's bridge ${bridge.name} failed (ip ${args.join(' ')}): ${result.stderr.trim()}`);
  }
}

/** A recorded service of the cluster that still runs, by name, in start order. */
function running(layout: ClusterLayout): Map<string, number> {
  return new Map(servicesRecordedIn(layout.dir, SERVICES).map(({ name, pid }) => [name, pid]));
}

/** Starts what of the cluster is not running yet, in order, each waited for; what this call started is stopped again if a later step fails. */
export async function clusterUp(config: StokeConfig, cliPath: string, log: Log): Promise<void> {
  const layout = clusterLayout(config);
  if (config.temporalAddress) {
    throw new StokeError('ClusterStart', `TEMPORAL_ADDRESS is set (${config.temporalAddress}): the cluster answers where the dev server would, `
      + `127.0.0.1:${layout.ports.frontend} (STOKE_DEV_PORT); unset TEMPORAL_ADDRESS`);
  }
  fs.mkdirSync(layout.dir, { recursive: true });
  const own = clusterConfig(config, layout);
  // Made now, once, rather than by the first of the services that start together.
  codecKeys(config);
  const already = running(layout);
  if (!already.has('temporal') && (await portOpen('127.0.0.1', layout.ports.frontend))) {
    throw new StokeError('ClusterStart', `something answers on 127.0.0.1:${layout.ports.frontend} already (the embedded dev server?): `
      + 'stop it (`stoke down`, or Ctrl-C on `stoke dev`), or set STOKE_DEV_PORT to put the cluster elsewhere');
  }
  const binaries = ensureBinaries(layout, log);
  const started: StartedService[] = [];
  const logOf = (name: string) => path.join(layout.dir, `${name}.log`);
  const start = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const service = startDaemon(own, name, command, args, env);
    started.push(service);
    return service;
  };
  const stoke = (name: string, args: string[], env: NodeJS.ProcessEnv) => start(name, process.execPath, [cliPath, ...args], { ...process.env, ...env });
  try {
    if (!already.has('postgres')) {
      ensurePostgresData(layout, log);
      log(`starting PostgreSQL on 127.0.0.1:${layout.ports.postgres}`);
      const [command, args] = asPostgresUser(postgresBinary('postgres'), ['-D', layout.pgData, '-p', String(layout.ports.postgres), '-k', layout.pgData, '-c', 'listen_addresses=127.0.0.1']);
      start('postgres', command, args);
      await waitFor('PostgreSQL', logOf('postgres'), async () => (await portOpen('127.0.0.1', layout.ports.postgres)) && psqlAnswers(layout), 60_000);
    }
    ensureSchemas(layout, binaries.sql, log);
    const address = `127.0.0.1:${layout.ports.frontend}`;
    if (!already.has('temporal')) {
      const configDir = path.join(layout.dir, 'temporal', 'config');
      fs.mkdirSync(configDir, { recursive: true });
      fs.writeFileSync(path.join(configDir, 'development.yaml'), JSON.stringify(temporalServerConfig(layout), null, 2));
      fs.writeFileSync(path.join(layout.dir, 'temporal', 'dynamicconfig.yaml'), '{}\n');
      log(`starting the Temporal server ${PINNED.temporal} on ${address} (PostgreSQL)`);
      start('temporal', binaries.server, ['--root', path.join(layout.dir, 'temporal'), '--config', 'config', '--env', 'development', '--allow-no-auth', 'start']);
      await waitFor('the Temporal server', logOf('temporal'), () => temporalAnswers(address), 120_000);
    }
    const codecEndpoint = `http://127.0.0.1:${config.codecPort}`;
    if (!already.has('temporal-ui')) {
      const uiDir = path.join(layout.dir, 'temporal-ui', 'config');
      fs.mkdirSync(uiDir, { recursive: true });
      fs.writeFileSync(path.join(uiDir, 'development.yaml'), JSON.stringify(uiServerConfig(layout, codecEndpoint), null, 2));
      log(`starting the Temporal UI server ${PINNED.ui} on http://127.0.0.1:${layout.ports.ui}`);
      start('temporal-ui', binaries.ui, ['--root', path.join(layout.dir, 'temporal-ui'), '--config', 'config', '--env', 'development', 'start']);
      await waitFor('the Temporal UI server', logOf('temporal-ui'), () => portOpen('127.0.0.1', layout.ports.ui), 60_000);
    }
    const engine = await ensureDocker(own, log);
    if (engine.service) started.push(engine.service);
    fs.writeFileSync(path.join(layout.dir, 'engine'), engine.endpoint);
    await ensureImages(engine.endpoint, log);
    if (!already.has('dockerd-2')) {
      ensureBridge(layout);
      const run = ensureRunDir(config);
      log(`starting the second Docker engine on ${layout.docker2} (bridge ${layout.bridge.name}, ${layout.bridge.address})`);
      start('dockerd-2', 'dockerd', [
        `--storage-driver=${storageDriver(path.join(layout.dir, 'docker-2'))}`, '--iptables=false', '--ip6tables=false', '--tls=false', '--live-restore',
        '--bridge', layout.bridge.name, '--default-address-pool', layout.bridge.pool,
        '--host', layout.docker2, '--data-root', path.join(layout.dir, 'docker-2'),
        '--exec-root', path.join(run, 'exec-2'), '--pidfile', path.join(run, 'dockerd-2.pid'),
      ]);
      await waitFor('the second Docker engine', logOf('dockerd-2'), () => dockerAnswers(layout.docker2), 90_000);
    }
    await ensureImages(layout.docker2, log);
    const env = {
      // Reached at the dev server's address, not by TEMPORAL_ADDRESS: so the state folder's key is theirs, as it is the CLI's.
      TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: config.namespace, STOKE_TASK_QUEUE: config.taskQueue,
      DOCKER_HOST: engine.endpoint, STOKE_HOME: config.stateDir, STOKE_DEV_PORT: String(config.devServerPort),
      STOKE_ALLOWED_ENDPOINTS: [engine.endpoint, layout.docker2, ...(config.allowedEndpoints ?? [])].join(','),
      // Each stack goes to the less loaded of the two, unless it is pinned to one (`stack create --engine`).
      STOKE_DOCKER_ENGINES: [engine.endpoint, layout.docker2, ...config.dockerEngines].join(','),
    };
    if (!already.has('codec-server')) {
      stoke('codec-server', ['codec-server', '--port', String(config.codecPort), '--origin', `http://127.0.0.1:${layout.ports.ui}`], env);
      await waitFor('the codec server', logOf('codec-server'), () => portOpen('127.0.0.1', config.codecPort), 30_000);
    }
    if (!already.has('gateway')) {
      stoke('gateway', ['gateway'], env);
      await waitFor('the signal gateway', logOf('gateway'), () => portOpen(config.signalBind.host ?? '127.0.0.1', config.signalBind.port), 30_000);
    }
    if (config.apiEnabled !== false && !already.has('api')) stoke('api', ['api'], env);
    // Two workers on one task queue: Temporal hands each task to whichever polls first, and either takes over the other's work.
    const workers = (['worker-1', 'worker-2'] as const).filter((name) => !already.has(name));
    // Logs are appended to: only what this start writes tells that it is ready.
    const from = new Map(workers.map((name) => [name, fs.existsSync(logOf(name)) ? fs.statSync(logOf(name)).size : 0]));
    // glibc gives each of the worker's threads (Temporal's core, libuv) a malloc arena of its own, which keeps what it
    // freed: two arenas cut the peak RSS of a worker running 100 stacks at once by about 30 MB.
    for (const name of workers) stoke(name, ['worker'], { MALLOC_ARENA_MAX: '2', ...env, STOKE_API: '0' });
    for (const name of workers) {
      await waitFor(`stoke ${name}`, logOf(name), async () => fs.readFileSync(logOf(name)).subarray(from.get(name)).toString().includes('stoke worker: task queue'), 120_000);
    }
  } catch (err) {
    await stopServices(started, log);
    throw err;
  }
  log(`cluster up: Temporal 127.0.0.1:${layout.ports.frontend}, UI http://127.0.0.1:${layout.ports.ui}, engines ${layout.docker2} and the local one; \`stoke cluster status\` lists the services`);
}

async function psqlAnswers(layout: ClusterLayout): Promise<boolean> {
  try {
    return psql(layout, 'SELECT 1') === '1';
  } catch {
    return false;
  }
}

/** Stops every recorded service of the cluster, workers first, PostgreSQL last; data and binaries stay. */
export async function clusterDown(config: StokeConfig, log: Log): Promise<void> {
  const layout = clusterLayout(config);
  // In start order: stopServices stops them in reverse.
  const services = servicesRecordedIn(layout.dir, SERVICES);
  if (services.length === 0) log('no cluster service runs');
  await stopServices(services, log);
  for (const file of [...services.map(({ name }) => `${name}.pid`), 'engine']) fs.rmSync(path.join(layout.dir, file), { force: true });
  // The bridge is the second engine's alone; `up` makes it again.
  spawnSync('ip', ['link', 'del', layout.bridge.name], { stdio: 'ignore' });
}

export interface ServiceStatus {
  readonly service: string;
  readonly pid?: number;
  /** `external`: the local engine, which the cluster found running and so neither started nor stops. */
  readonly state: 'running' | 'stopped' | 'external';
  readonly address: string;
}

/** Each service of the cluster, whether it runs, and where it answers. */
export function clusterStatus(config: StokeConfig): ServiceStatus[] {
  const layout = clusterLayout(config);
  const pids = running(layout);
  const where: Record<(typeof SERVICES)[number], string> = {
    postgres: `127.0.0.1:${layout.ports.postgres}`,
    temporal: `${temporalAddress(config)} (HTTP ${temporalHttpAddress(config)})`,
    'temporal-ui': `http://127.0.0.1:${layout.ports.ui}`,
    dockerd: fs.existsSync(path.join(layout.dir, 'engine')) ? fs.readFileSync(path.join(layout.dir, 'engine'), 'utf8') : 'the local engine',
    'dockerd-2': layout.docker2,
    'codec-server': `http://127.0.0.1:${config.codecPort}`,
    gateway: `${config.signalBind.host ?? '127.0.0.1'}:${config.signalBind.port}`,
    api: 'Heat API (STOKE_API_BIND)',
    'worker-1': 'task queue ' + config.taskQueue,
    'worker-2': 'task queue ' + config.taskQueue,
  };
  const external = !pids.has('dockerd') && fs.existsSync(path.join(layout.dir, 'engine'));
  return SERVICES.filter((service) => service !== 'api' || config.apiEnabled !== false).map((service) => ({
    service, pid: pids.get(service), state: pids.has(service) ? 'running' : service === 'dockerd' && external ? 'external' : 'stopped', address: where[service],
  }));
}
