/**
 * docker_endpoint against engines other than the worker's: an https:// dockerd with --tlsverify and
 * certificates made here (on its own bridge, so it never touches the shared engine's network), and a
 * tcp:// endpoint that only starts listening after the stack began.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import Docker from 'dockerode';
import { createContainer } from '../../src/resources/docker/handler';
import { SLEEPER, docker, freePort, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName, waitUntil, writeTemplate } from '../helpers';

// A short folder: containerd's socket under the exec root must fit a unix socket path.
const dir = fs.mkdtempSync('/tmp/stoke-tls-');
const bridge = `stoketls${process.pid % 10000}`;
const subnet = `10.213.${20 + (process.pid % 200)}`;
let dockerd: ChildProcess | undefined;
let tlsEngine: Docker;
let tlsPort: number;
let worker: ChildProcess | undefined;
const saved = { ca: process.env.STOKE_DOCKER_TLS_CA, cert: process.env.STOKE_DOCKER_TLS_CERT, key: process.env.STOKE_DOCKER_TLS_KEY };

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `docker --tlsverify` expects them. */
function makeCertificates(): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=stoke test CA');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n');
  fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage = clientAuth\n');
  for (const who of ['server', 'client']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}-key.pem`, '-out', `${who}.csr`, '-subj', `/CN=stoke ${who}`);
    openssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${who}-cert.pem`, '-days', '1', '-extfile', `${who}.ext`);
  }
}

/** A CA the TLS engine does not know, with a client certificate it signed. */
function makeStrangerCertificates(): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'stranger-ca-key.pem', '-out', 'stranger-ca.pem', '-days', '1', '-subj', '/CN=stranger CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'stranger-key.pem', '-out', 'stranger.csr', '-subj', '/CN=stranger');
  openssl('x509', '-req', '-in', 'stranger.csr', '-CA', 'stranger-ca.pem', '-CAkey', 'stranger-ca-key.pem', '-CAcreateserial', '-out', 'stranger-cert.pem', '-days', '1', '-extfile', 'client.ext');
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

beforeAll(async () => {
  makeCertificates();
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  tlsPort = await freePort();
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'w');
  dockerd = spawn('dockerd', [
    '--tlsverify', `--tlscacert=${dir}/ca.pem`, `--tlscert=${dir}/server-cert.pem`, `--tlskey=${dir}/server-key.pem`,
    '-H', `tcp://127.0.0.1:${tlsPort}`, '-H', `unix://${dir}/docker.sock`,
    '--bridge', bridge, '--iptables=false', '--ip6tables=false', '--storage-driver=vfs',
    '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`, '--pidfile', `${dir}/dockerd.pid`,
  ], { stdio: ['ignore', log, log] });
  // Inspected through its own unix socket, so the checks never depend on the TLS code under test.
  tlsEngine = new Docker({ socketPath: `${dir}/docker.sock` });
  await waitUntil('the TLS dockerd', async () => {
    try {
      await tlsEngine.ping();
      return true;
    } catch {
      return undefined;
    }
  }, 60_000);
  await tlsEngine.loadImage((await docker().getImage('busybox:latest').get()) as never);
  await waitUntil('busybox on the TLS dockerd', async () => ((await tlsEngine.listImages()).some((i) => i.RepoTags?.includes('busybox:latest')) ? true : undefined), 30_000);

  process.env.STOKE_DOCKER_TLS_CA = `${dir}/ca.pem`;
  process.env.STOKE_DOCKER_TLS_CERT = `${dir}/client-cert.pem`;
  process.env.STOKE_DOCKER_TLS_KEY = `${dir}/client-key.pem`;
  worker = await startWorker();
}, 120_000);

afterAll(async () => {
  await stopWorker(worker);
  for (const [name, value] of [['STOKE_DOCKER_TLS_CA', saved.ca], ['STOKE_DOCKER_TLS_CERT', saved.cert], ['STOKE_DOCKER_TLS_KEY', saved.key]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (dockerd && dockerd.exitCode === null) {
    const exited = new Promise((resolve) => dockerd!.once('exit', resolve));
    dockerd.kill('SIGTERM');
    await exited;
  }
  try {
    ip('link', 'del', bridge);
  } catch {
    // Never created: beforeAll failed before it.
  }
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('https:// with client certificates, and unix:// to the same engine: the containers run there, not on the worker\'s', async () => {
  const stack = uniqueName('tls');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  remote:
    type: DockerInc::Docker::Container
    properties: {image: busybox, docker_endpoint: "https://127.0.0.1:${tlsPort}", cmd: ${SLEEPER}}
  socket:
    type: DockerInc::Docker::Container
    properties: {image: busybox, docker_endpoint: "unix://${dir}/docker.sock", cmd: ${SLEEPER}}
outputs:
  ip: {value: {get_attr: [remote, network_ip]}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stdout).toContain(`Stack ${stack} CREATE_COMPLETE`);
  const state = showStack(stack);
  const remote = await tlsEngine.getContainer(state.resources.remote!.physicalId).inspect();
  expect(remote.State.Running).toBe(true);
  expect(remote.Config.Labels['org.stoke.stack']).toBe(stack);
  // Its address is on the TLS engine's own bridge.
  expect(state.outputs.ip!.value).toBe(remote.NetworkSettings.IPAddress);
  expect(remote.NetworkSettings.IPAddress.startsWith(`${subnet}.`)).toBe(true);
  const socket = await tlsEngine.getContainer(state.resources.socket!.physicalId).inspect();
  expect(socket.Config.Labels['org.stoke.resource']).toBe('socket');
  expect(await stackContainers(stack)).toEqual([]);

  expect(stoke('stack', 'delete', stack, '--wait').stdout).toContain(`Stack ${stack} DELETE_COMPLETE`);
  expect(await tlsEngine.listContainers({ all: true, filters: { label: [`org.stoke.stack=${stack}`] } })).toEqual([]);
});

describe('a certificate rejected either way fails at once, since retrying cannot change it', () => {
  const attempt = async (endpointUrl: string, files: { ca: string; cert: string; key: string }) => {
    const before = { ...process.env };
    process.env.STOKE_DOCKER_TLS_CA = `${dir}/${files.ca}`;
    process.env.STOKE_DOCKER_TLS_CERT = `${dir}/${files.cert}`;
    process.env.STOKE_DOCKER_TLS_KEY = `${dir}/${files.key}`;
    try {
      const stack = uniqueName('badcert');
      return await new MockActivityEnvironment().run(() => createContainer({
        stack, stackId: `${stack}-id`, resource: 'remote', type: 'DockerInc::Docker::Container',
        properties: { image: 'busybox', docker_endpoint: endpointUrl }, attributes: [],
      }, process.env.STOKE_TEST_DOCKER!)).catch((err: unknown) => err);
    } finally {
      process.env = before;
    }
  };

  beforeAll(makeStrangerCertificates);

  test('the engine refuses a client certificate from a CA it does not trust', async () => {
    const failure = await attempt(`https://127.0.0.1:${tlsPort}`, { ca: 'ca.pem', cert: 'stranger-cert.pem', key: 'stranger-key.pem' });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).message).toMatch(/ERR_SSL_|certificate/i);
  });

  test('stoke refuses an engine whose certificate its CA did not sign', async () => {
    // The trailing slash makes it another endpoint, so a fresh client reads these certificates.
    const failure = await attempt(`https://127.0.0.1:${tlsPort}/`, { ca: 'stranger-ca.pem', cert: 'client-cert.pem', key: 'client-key.pem' });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/);
  });
});

test('plain tcp:// to the TLS engine is refused by it and fails the resource at once', () => {
  const stack = uniqueName('notls');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  remote:
    type: DockerInc::Docker::Container
    properties: {image: busybox, docker_endpoint: "tcp://127.0.0.1:${tlsPort}"}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait', '--timeout', '5');
  expect(created.status).toBe(1);
  expect(created.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE`);
  expect(created.stdout).toContain('Client sent an HTTP request to an HTTPS server');
});

test('tcp:// and http:// endpoints that start listening late: the create retries with backoff and completes', async () => {
  const stack = uniqueName('late');
  const port = await freePort();
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  early:
    type: DockerInc::Docker::Container
    properties: {image: busybox, docker_endpoint: "tcp://127.0.0.1:${port}", cmd: ${SLEEPER}}
  seedstyle:
    type: DockerInc::Docker::Container
    properties: {image: busybox, docker_endpoint: "http://127.0.0.1:${port}/", cmd: ${SLEEPER}}
`);
  expect(stoke('stack', 'create', stack, '-t', template).status).toBe(0);
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const waiting = showStack(stack);
  expect(waiting.status).toBe('CREATE_IN_PROGRESS');
  expect(waiting.resources.early!.status).toBe('CREATE_IN_PROGRESS');

  // The engine "boots": a process listening on the port that forwards to the worker's engine socket.
  // A separate process, since the CLI calls below block this one.
  const forwarder = spawn(process.execPath, ['-e', `
    const net = require('node:net');
    net.createServer((client) => {
      const upstream = net.connect(process.argv[2]);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    }).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));
  `, String(port), docker().modem.socketPath as string], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => forwarder.stdout!.once('data', resolve));
  try {
    const final = await waitUntil('the stack to finish', () => {
      const state = showStack(stack);
      return state.status === 'CREATE_IN_PROGRESS' ? undefined : state;
    }, 90_000);
    expect(final.status).toBe('CREATE_COMPLETE');
    const containers = await stackContainers(stack);
    expect(containers.map((c) => c.Id).sort()).toEqual([final.resources.early!.physicalId, final.resources.seedstyle!.physicalId].sort());
    expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
    expect(await stackContainers(stack)).toEqual([]);
  } finally {
    forwarder.kill('SIGTERM');
  }
});

test('an endpoint that never answers is retried until the stack timeout, then the resource fails', () => {
  const stack = uniqueName('never');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  waiting:
    type: DockerInc::Docker::Container
    properties: {image: busybox, docker_endpoint: "tcp://127.0.0.1:9"}
`);
  const started = Date.now();
  const created = stoke('stack', 'create', stack, '-t', template, '--wait', '--timeout', '1', '--disable-rollback');
  expect(created.status).toBe(1);
  expect(created.stdout).toContain(`Stack ${stack} CREATE_FAILED`);
  expect(created.stdout).toContain('connect ECONNREFUSED 127.0.0.1:9 (retried with backoff until the stack timeout)');
  // Retried with backoff (1, 2, 4, 8, 16 s…) until no further attempt fits in the minute, not failed at the first refusal.
  expect(Date.now() - started).toBeGreaterThanOrEqual(30_000);
  const state = showStack(stack);
  expect(state.resources.waiting!.status).toBe('CREATE_FAILED');
});
