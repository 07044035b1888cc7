/**
 * Every DockerInc::Docker::Container property and attribute against the real engine: one stack sets them
 * all, and each is checked on `docker inspect` of the container it made. Then the 2013 alias, privileged,
 * and the errors that must fail a resource at once.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import type { StackState } from '../../src/template/types';
import { SLEEPER, docker, freePort, showStack, stackContainers, startWorker, stoke, stopWorker, uniqueName, writeTemplate, tempDir } from '../helpers';

let worker: ChildProcess | undefined;
const stack = uniqueName('props');
const hostDir = tempDir('stoke-bind');
let ports: { tcp: number; plain: number; udp: number };
let state: StackState;
let main: Docker.ContainerInspectInfo;
let data: Docker.ContainerInspectInfo;
let target: Docker.ContainerInspectInfo;

const ATTRIBUTES = ['info', 'network_info', 'network_ip', 'network_gateway', 'network_tcp_ports', 'network_udp_ports', 'logs', 'logs_head', 'logs_tail', 'show'];

beforeAll(async () => {
  worker = await startWorker();
  ports = { tcp: await freePort(), plain: await freePort(), udp: await freePort() };
  fs.writeFileSync(path.join(hostDir, 'greeting'), 'from the host\n');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  data:
    type: DockerInc::Docker::Container
    properties: {image: busybox, name: ${stack}-data, volumes: {/data: {}}, cmd: ${SLEEPER}}
  target:
    type: DockerInc::Docker::Container
    properties: {image: busybox, name: ${stack}-target, cmd: ${SLEEPER}}
  main:
    type: DockerInc::Docker::Container
    depends_on: [data, target]
    properties:
      image: busybox:latest
      name: ${stack}-main
      hostname: stokehost
      user: "0:1234"
      memory: 67108864
      port_specs: [8000, 53/udp]
      port_bindings:
        8080/tcp: [{HostIp: 127.0.0.1, HostPort: "${ports.tcp}"}]
        9090: ${ports.plain}
        53/udp: ${ports.udp}
      privileged: false
      tty: true
      open_stdin: true
      stdin_once: true
      env: [GREETING=hello, "EMPTY="]
      cmd: [sh, -c, "printf 'first line\\\\nmiddle\\\\nlast line\\\\n'; trap 'exit 0' TERM; sleep 3600 & wait"]
      dns: [10.0.0.53]
      volumes: {${hostDir}: {bind: /mnt/host, ro: true}}
      volumes_from: [${stack}-data]
      links: {${stack}-target: db}
      restart_policy: {Name: on-failure, MaximumRetryCount: 3}
      cap_add: [NET_ADMIN]
      cap_drop: [MKNOD]
      read_only: true
      cpu_shares: 512
      devices: [{path_on_host: /dev/null, path_in_container: /dev/stoke-null, permissions: rw}]
      cpu_set: "0"
outputs:
${ATTRIBUTES.map((name) => `  ${name}: {value: {get_attr: [main, ${name}]}}`).join('\n')}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  if (created.status !== 0) throw new Error(`create failed: ${created.stdout}${created.stderr}`);
  state = showStack(stack);
  main = await docker().getContainer(state.resources.main!.physicalId).inspect();
  data = await docker().getContainer(state.resources.data!.physicalId).inspect();
  target = await docker().getContainer(state.resources.target!.physicalId).inspect();
});

afterAll(async () => {
  if (state) stoke('stack', 'delete', stack, '--wait');
  await stopWorker(worker);
});

const output = (name: string) => state.outputs[name]!.value;

describe('properties, as docker inspect shows them', () => {
  test('image (with a tag)', () => expect(main.Config.Image).toBe('busybox:latest'));
  test('name', () => expect(main.Name).toBe(`/${stack}-main`));
  test('hostname', () => expect(main.Config.Hostname).toBe('stokehost'));
  test('user', () => expect(main.Config.User).toBe('0:1234'));
  test('memory', () => expect(main.HostConfig.Memory).toBe(67108864));
  test('port_specs, TCP and UDP', () => expect(Object.keys(main.Config.ExposedPorts ?? {}).sort()).toEqual(['53/udp', '8000/tcp', '8080/tcp', '9090/tcp']));
  test('port_bindings in both forms, UDP included', () => {
    expect(main.HostConfig.PortBindings).toEqual({
      '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(ports.tcp) }],
      '9090/tcp': [{ HostIp: '', HostPort: String(ports.plain) }],
      '53/udp': [{ HostIp: '', HostPort: String(ports.udp) }],
    });
  });
  test('privileged (false here; true is tested below)', () => expect(main.HostConfig.Privileged).toBe(false));
  test('tty', () => expect(main.Config.Tty).toBe(true));
  test('open_stdin', () => expect(main.Config.OpenStdin).toBe(true));
  test('stdin_once', () => expect(main.Config.StdinOnce).toBe(true));
  test('env', () => expect(main.Config.Env).toEqual(expect.arrayContaining(['GREETING=hello', 'EMPTY='])));
  test('cmd', () => expect(main.Config.Cmd).toEqual(['sh', '-c', "printf 'first line\\nmiddle\\nlast line\\n'; trap 'exit 0' TERM; sleep 3600 & wait"]));
  test('dns', () => expect(main.HostConfig.Dns).toEqual(['10.0.0.53']));
  test('volumes: a read-only bind mount', () => {
    expect(main.HostConfig.Binds).toEqual([`${hostDir}:/mnt/host:ro`]);
    expect(main.Mounts).toEqual(expect.arrayContaining([expect.objectContaining({ Source: hostDir, Destination: '/mnt/host', RW: false })]));
  });
  test('volumes: an anonymous volume', () => {
    expect(Object.keys(data.Config.Volumes ?? {})).toEqual(['/data']);
    expect(data.Mounts.map((m) => m.Destination)).toEqual(['/data']);
  });
  test('volumes_from', () => {
    expect(main.HostConfig.VolumesFrom).toEqual([`${stack}-data`]);
    const shared = data.Mounts.find((m) => m.Destination === '/data')!;
    expect(main.Mounts).toEqual(expect.arrayContaining([expect.objectContaining({ Name: shared.Name, Destination: '/data' })]));
  });
  test('links', () => expect(main.HostConfig.Links).toEqual([`/${stack}-target:/${stack}-main/db`]));
  test('restart_policy', () => expect(main.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 }));
  test('cap_add', () => expect(main.HostConfig.CapAdd).toEqual(['NET_ADMIN']));
  test('cap_drop', () => expect(main.HostConfig.CapDrop).toEqual(['MKNOD']));
  test('read_only', () => expect(main.HostConfig.ReadonlyRootfs).toBe(true));
  test('cpu_shares', () => expect(main.HostConfig.CpuShares).toBe(512));
  test('devices', () => expect(main.HostConfig.Devices).toEqual([{ PathOnHost: '/dev/null', PathInContainer: '/dev/stoke-null', CgroupPermissions: 'rw' }]));
  test('cpu_set', () => expect(main.HostConfig.CpusetCpus).toBe('0'));
  test('docker_endpoint unset: the worker\'s engine; defaults leave Docker\'s own values', () => {
    expect(target.HostConfig.Privileged).toBe(false);
    expect(target.Config.Tty).toBe(false);
    expect(target.HostConfig.RestartPolicy?.Name ?? 'no').toMatch(/^(no|)$/);
    expect(target.HostConfig.Memory).toBe(0);
  });
  test('the container runs with them all', () => {
    expect(main.State.Running).toBe(true);
  });
});

describe('attributes, each compared with docker inspect and docker logs', () => {
  test('info', () => expect((output('info') as { Id: string }).Id).toBe(main.Id));
  test('show', () => expect((output('show') as { Id: string; Name: string }).Name).toBe(main.Name));
  test('network_info', () => {
    const info = output('network_info') as { IPAddress: string; TcpPorts: string; UdpPorts: string };
    expect(info.IPAddress).toBe(main.NetworkSettings.IPAddress);
    expect(info.TcpPorts.split(',').sort()).toEqual([String(ports.tcp), String(ports.plain)].sort());
    expect(info.UdpPorts).toBe(String(ports.udp));
  });
  test('network_ip', () => {
    expect(output('network_ip')).toBe(main.NetworkSettings.IPAddress);
    expect(output('network_ip')).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });
  test('network_gateway', () => expect(output('network_gateway')).toBe(main.NetworkSettings.Gateway));
  test('network_tcp_ports', () => expect((output('network_tcp_ports') as string).split(',').sort()).toEqual([String(ports.tcp), String(ports.plain)].sort()));
  test('network_udp_ports', () => expect(output('network_udp_ports')).toBe(String(ports.udp)));
  test('logs', () => expect(output('logs')).toBe('first line\nmiddle\nlast line'));
  test('logs_head', () => expect(output('logs_head')).toBe('first line'));
  test('logs_tail', () => expect(output('logs_tail')).toBe('last line'));
});

test('delete stops and removes every container of the stack', async () => {
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toEqual([]);
  state = undefined as unknown as StackState;
});

test('the 2013 spelling OS::Heat::Docker creates the same containers, its attributes read with Fn::GetAtt', async () => {
  const legacy = uniqueName('legacy');
  const template = writeTemplate(`
HeatTemplateFormatVersion: '2012-12-12'
Resources:
  Database:
    Type: OS::Heat::Docker
    Properties:
      Image: busybox
      Hostname: dbhost
      Env: [ROLE=db]
      Cmd: [sh, -c, "echo s3cret; echo ready; trap 'exit 0' TERM; sleep 3600 & wait"]
  Blog:
    Type: OS::Heat::Docker
    Properties:
      Image: busybox
      Memory: 33554432
      Env:
        - {"Fn::Join": ["=", ["DB_HOSTNAME", {"Fn::GetAtt": ["Database", "NetworkIp"]}]]}
        - {"Fn::Join": ["=", ["DB_PASSWORD", {"Fn::GetAtt": ["Database", "LogsHead"]}]]}
      Cmd: ${SLEEPER}
Outputs:
  DbIp: {Value: {"Fn::GetAtt": ["Database", "NetworkIp"]}}
  DbTail: {Value: {"Fn::GetAtt": ["Database", "LogsTail"]}}
  BlogPorts: {Value: {"Fn::GetAtt": ["Blog", "NetworkTcpPorts"]}}
`);
  const created = stoke('stack', 'create', legacy, '-t', template, '--wait');
  expect(created.stdout).toContain(`Stack ${legacy} CREATE_COMPLETE`);
  const legacyState = showStack(legacy);
  expect(legacyState.resources.Database!.type).toBe('OS::Heat::Docker');
  const db = await docker().getContainer(legacyState.resources.Database!.physicalId).inspect();
  const blog = await docker().getContainer(legacyState.resources.Blog!.physicalId).inspect();
  expect(db.Config.Hostname).toBe('dbhost');
  expect(db.Config.Env).toContain('ROLE=db');
  expect(blog.HostConfig.Memory).toBe(33554432);
  expect(blog.Config.Env).toEqual(expect.arrayContaining([`DB_HOSTNAME=${db.NetworkSettings.IPAddress}`, 'DB_PASSWORD=s3cret']));
  expect(legacyState.outputs.DbIp!.value).toBe(db.NetworkSettings.IPAddress);
  expect(legacyState.outputs.DbTail!.value).toBe('ready');
  expect(legacyState.outputs.BlogPorts!.value).toBe('');
  expect(stoke('stack', 'delete', legacy, '--wait').status).toBe(0);
  expect(await stackContainers(legacy)).toEqual([]);
});

/** Starts a throwaway busybox; returns the engine's refusal, if it refuses. */
async function refusal(privileged: boolean): Promise<string | undefined> {
  const probe = await docker().createContainer({ Image: 'busybox:latest', Cmd: ['true'], HostConfig: { Privileged: privileged } });
  try {
    await probe.start();
    return undefined;
  } catch (err) {
    return (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
  } finally {
    await probe.remove({ force: true });
  }
}

/** What this engine does with a privileged container: runs it, or refuses it (and only because it is privileged). */
async function privilegedOnThisEngine(): Promise<{ allowed: true } | { allowed: false; refusal: string }> {
  const refused = await refusal(true);
  if (refused === undefined) return { allowed: true };
  expect(await refusal(false)).toBeUndefined();
  return { allowed: false, refusal: refused };
}

async function execExitCode(id: string, cmd: string[]): Promise<number> {
  const exec = await docker().getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((resolve) => (stream.on('end', resolve), stream.resume()));
  return (await exec.inspect()).ExitCode ?? -1;
}

test('privileged is passed to Docker: the container runs privileged where the engine allows it, else the stack rolls back with the engine\'s refusal', async () => {
  const engine = await privilegedOnThisEngine();
  console.log(`[privileged] this engine ${engine.allowed ? 'runs privileged containers' : `refuses privileged containers: ${engine.refusal}`}`);
  const priv = uniqueName('privileged');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  root:
    type: DockerInc::Docker::Container
    properties: {image: busybox, privileged: true, devices: [{path_on_host: /dev/null}], cmd: ${SLEEPER}}
`);
  const created = stoke('stack', 'create', priv, '-t', template, '--wait', '--timeout', '5');
  if (engine.allowed) {
    expect(created.stdout).toContain(`Stack ${priv} CREATE_COMPLETE`);
    const inspected = await docker().getContainer(showStack(priv).resources.root!.physicalId).inspect();
    expect(inspected.HostConfig.Privileged).toBe(true);
    // As Heat: a privileged container sees every device, so devices are not mapped one by one.
    expect(inspected.HostConfig.Devices ?? []).toEqual([]);
    // Mounting a filesystem needs CAP_SYS_ADMIN, which only a privileged container has.
    expect(await execExitCode(inspected.Id, ['sh', '-c', 'mkdir -p /mnt/stoke && mount -t tmpfs none /mnt/stoke'])).toBe(0);
    expect(stoke('stack', 'delete', priv, '--wait').status).toBe(0);
  } else {
    expect(created.status).toBe(1);
    expect(created.stdout).toContain(`Stack ${priv} ROLLBACK_COMPLETE`);
    // Only a privileged container meets this refusal: the probe's unprivileged twin started.
    expect(created.stdout).toContain(engine.refusal);
    expect(await stackContainers(priv)).toEqual([]);
  }
});

describe('errors that retrying cannot fix fail the resource at once with Docker\'s own message', () => {
  // Literal values are refused at validation (below); values another resource makes reach Docker.
  const cases: [string, string, RegExp][] = [
    ['a bad container name', 'name: {get_attr: [dashes, value]}', /Invalid container name/],
    ['an invalid port', 'port_specs: [{get_attr: [nines, value]}]', /port_specs\[0\]: '999999' is not a port/],
    ['a host port out of range', 'port_bindings: {80: {get_attr: [nines, value]}}', /[Ii]nvalid (port|hostPort)/],
    ['an image that exists nowhere', 'image: stoke-nowhere/nothing:1', /image 'stoke-nowhere\/nothing:1' is not on the engine and could not be pulled/],
  ];
  test.each(cases)('%s', async (_what, property, message) => {
    const failing = uniqueName('reject');
    const properties = property.startsWith('image:') ? property : `image: busybox, ${property}`;
    const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  dashes:
    type: OS::Heat::RandomString
    properties: {length: 6, character_sequences: [{sequence: '-', min: 6}]}
  nines:
    type: OS::Heat::RandomString
    properties: {length: 6, character_sequences: [{sequence: '9', min: 6}]}
  bad:
    type: DockerInc::Docker::Container
    properties: {${properties}}
`);
    // A retried error would keep the stack in progress for the whole 5 minutes.
    const created = stoke('stack', 'create', failing, '-t', template, '--wait', '--timeout', '5');
    expect(created.status).toBe(1);
    expect(created.stdout).toContain(`Stack ${failing} ROLLBACK_COMPLETE`);
    expect(created.stdout).toMatch(message);
    expect(await stackContainers(failing)).toEqual([]);
  });

  test('literal ports and names Docker would refuse are validation errors: nothing is created', async () => {
    const failing = uniqueName('reject');
    const template = writeTemplate(`heat_template_version: 2015-04-30
resources:
  bad:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      name: "no spaces allowed"
      port_specs: ["99999"]
      port_bindings: {80: 70000}
`);
    const created = stoke('stack', 'create', failing, '-t', template, '--wait');
    expect(created.status).not.toBe(0);
    const where = path.basename(template);
    expect(created.stderr).toContain(`${where}:7:7: resources.bad.properties.name: 'no spaces allowed' is not a container name Docker accepts`);
    expect(created.stderr).toContain(`${where}:8:20: resources.bad.properties.port_specs[0]: '99999' is not a port Docker accepts`);
    expect(created.stderr).toContain(`${where}:9:23: resources.bad.properties.port_bindings.80: host port '70000' is not one Docker accepts`);
    expect(stoke('stack', 'show', failing).status).not.toBe(0);
    expect(await stackContainers(failing)).toEqual([]);
  });
});
