/**
 * The compute driver: what stoke needs from a cloud's compute service to run OS::Nova::Server and
 * AWS::EC2::Instance. The `docker` driver, the embedded default, makes each server a container on
 * the local engine, with the flags that let it run its own Docker engine (a docker-host image).
 * A driver for a real Nova would implement the same interface.
 */
import * as os from 'node:os';
import { heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type Docker from 'dockerode';
import type { Flavor } from '../src/runtime/catalog';
import { classifyDockerError, dockerFor, dockerMessage, identityLabels, isCopy, LABEL_RESOURCE, LABEL_STACK_ID, stopIfCancelled, unlessGone, type DockerError } from './docker';

export interface NetworkAttachment {
  /** The engine's network name ('bridge' for the default network). */
  readonly network: string;
  readonly ip?: string;
  readonly mac?: string;
}

/** Which server of which stack: a copy id tells apart the copy a stack update makes beside the old one. */
export interface ServerIdentity {
  readonly stackId: string;
  readonly resource: string;
  readonly copy?: string;
}

export interface ServerSpec extends ServerIdentity {
  readonly stack: string;
  /** The root stack above a nested stack, labelled on the server too. */
  readonly root?: { readonly name: string; readonly id: string };
  readonly hostname: string;
  /** A local image (the catalog already applied). */
  readonly image: string;
  readonly flavor: Flavor;
  /** Run once at first boot; '' for none. */
  readonly bootScript: string;
  /** At least one; the first is the primary network. */
  readonly networks: readonly NetworkAttachment[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly dns: readonly string[];
  /** Extra environment for the server's processes (the nested engine's registry mirror…). */
  readonly env: Readonly<Record<string, string>>;  /** Engine volumes mounted from the boot on (a container takes no mount once it runs). */
  readonly volumes?: readonly VolumeMountSpec[];
}

export interface VolumeMountSpec {
  /** The engine's volume. */
  readonly volume: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface ServerAddress {
  readonly network: string;
  readonly ip: string;
  readonly ipv6: string;
  readonly mac: string;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface ComputeDriver {
  /** Creates and starts the server, or adopts the one an earlier attempt created; returns its id. */
  boot(spec: ServerSpec): Promise<string>;
  /** Resolves once the server runs; fails if it stopped. */
  waitRunning(id: string): Promise<void>;
  addresses(id: string): Promise<ServerAddress[]>;
  /** Deletes the server (found by id and by its identity, another copy left alone); already gone is success. */
  delete(server: ServerIdentity, id: string): Promise<void>;
  /** Runs a command on the server as root and returns its output and exit status. */
  exec(id: string, command: readonly string[]): Promise<ExecResult>;
  /** Whether the server exists. */
  exists(id: string): Promise<boolean>;
  /** The server's state as its driver names it ('running', 'paused', 'exited'…); undefined once it is gone. */
  status(id: string): Promise<string | undefined>;
}

/**
 * PID 1 of a docker-driver server: runs the user_data once (cloud-init's first boot), keeping its output
 * in /var/log/cloud-init-output.log and its exit status in /var/lib/cloud/instance/user-data.status,
 * then idles until asked to stop.
 */
const INIT = `
inst=/var/lib/cloud/instance
mkdir -p "$inst" /var/log
if [ ! -e "$inst/boot-started" ]; then
  touch "$inst/boot-started"
  if [ -n "\${STOKE_USER_DATA:-}" ]; then
    echo "$STOKE_USER_DATA" | base64 -d > "$inst/user-data.txt"
    chmod 700 "$inst/user-data.txt"
    ( "$inst/user-data.txt" > /var/log/cloud-init-output.log 2>&1; echo $? > "$inst/user-data.status"; touch "$inst/boot-finished" ) &
  else
    touch "$inst/boot-finished"
  fi
fi
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
`;

/** What a container needs to run its own dockerd here (--privileged is refused by this sandbox). */
const NESTED_ENGINE_HOST_CONFIG = {
  CapAdd: ['ALL'],
  CapDrop: ['SYS_RESOURCE'],
  SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
  CgroupnsMode: 'host',
  Binds: ['/sys/fs/cgroup:/sys/fs/cgroup'],
} as const;

const statusOf = (err: unknown) => (err as DockerError).statusCode;

/** A server's metadata item KEY is kept as the container label of this prefix and KEY. */
export const METADATA_LABEL_PREFIX = 'org.stoke.meta.';

export function serverContainerName(stack: string, resource: string, copy?: string): string {
  return `${stack}-${resource}${copy ? `-${copy}` : ''}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

export class DockerComputeDriver implements ComputeDriver {
  private readonly docker: Docker;

  constructor(endpoint: string) {
    this.docker = dockerFor(endpoint);
  }

  /** The containers of this copy of the server: one without a copy id (made by a create) is not a copy's, nor the reverse. */
  private async findByIdentity(server: ServerIdentity): Promise<string[]> {
    const found = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_STACK_ID}=${server.stackId}`, `${LABEL_RESOURCE}=${server.resource}`] } });
    return found.filter((c) => isCopy(c.Labels, server)).map((c) => c.Id);
  }

  async boot(spec: ServerSpec): Promise<string> {
    const [existing] = await this.findByIdentity(spec);
    if (existing) {
      log.info('adopting the server an earlier attempt created', { resource: spec.resource, id: existing });
      await this.start(existing);
      return existing;
    }
    const [primary, ...others] = spec.networks;
    const endpointConfig = (n: NetworkAttachment) => ({
      ...(n.ip ? { IPAMConfig: { IPv4Address: n.ip } } : {}),
      ...(n.mac ? { MacAddress: n.mac } : {}),
    });
    const cpus = Math.min(spec.flavor.vcpus, os.cpus().length);
    const labels = identityLabels(spec);
    for (const [key, value] of Object.entries(spec.metadata)) labels[`${METADATA_LABEL_PREFIX}${key}`] = value;
    const env = Object.entries(spec.env).map(([key, value]) => `${key}=${value}`);
    if (spec.bootScript) env.push(`STOKE_USER_DATA=${Buffer.from(spec.bootScript).toString('base64')}`);
    let id: string;
    stopIfCancelled();
    try {
      const container = await this.docker.createContainer({
        name: serverContainerName(spec.stack, spec.resource, spec.copy),
        Hostname: spec.hostname,
        Image: spec.image,
        Entrypoint: ['/bin/sh', '-c', INIT],
        Cmd: [],
        Env: env,
        Labels: labels,
        HostConfig: {
          ...NESTED_ENGINE_HOST_CONFIG,
          Binds: [...NESTED_ENGINE_HOST_CONFIG.Binds],
          CapAdd: [...NESTED_ENGINE_HOST_CONFIG.CapAdd],
          CapDrop: [...NESTED_ENGINE_HOST_CONFIG.CapDrop],
          SecurityOpt: [...NESTED_ENGINE_HOST_CONFIG.SecurityOpt],
          // The CLI's --security-opt systempaths=unconfined: nothing under /proc or /sys masked or read-only.
          MaskedPaths: [],
          ReadonlyPaths: [],
          Memory: spec.flavor.ram * 1024 * 1024,
          NanoCpus: cpus * 1e9,
          Mounts: (spec.volumes ?? []).map((v) => ({ Type: 'volume' as const, Source: v.volume, Target: v.target, ReadOnly: v.readOnly })),
          NetworkMode: primary?.network ?? 'bridge',
          Dns: [...spec.dns],
        },
        NetworkingConfig: primary ? { EndpointsConfig: { [primary.network]: endpointConfig(primary) } } : undefined,
      });
      id = container.id;
    } catch (err) {
      const kind = classifyDockerError(err);
      if (kind === 'gone') throw ApplicationFailure.nonRetryable(`server image ${spec.image} is not on the engine: ${dockerMessage(err)}`, 'ImageNotFound');
      if (kind !== 'retryable') throw ApplicationFailure.nonRetryable(`cannot create server ${spec.resource}: ${dockerMessage(err)}`, 'ServerRejected');
      throw err;
    }
    for (const n of others) {
      stopIfCancelled();
      await this.docker.getNetwork(n.network).connect({ Container: id, EndpointConfig: endpointConfig(n) });
    }
    await this.start(id);
    return id;
  }

  private async start(id: string): Promise<void> {
    stopIfCancelled();
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (statusOf(err) === 304) return;
      if (statusOf(err) !== undefined && statusOf(err)! < 500) throw err;
      // A start refused for a reason no retry changes (an address taken, a bad flag) fails the server.
      throw ApplicationFailure.nonRetryable(`server did not start: ${dockerMessage(err)}`, 'ServerStartFailed');
    }
  }

  async waitRunning(id: string): Promise<void> {
    for (;;) {
      const info = await this.docker.getContainer(id).inspect();
      if (info.State.Running) return;
      if (info.State.Status === 'exited' || info.State.Status === 'dead') {
        throw ApplicationFailure.nonRetryable(`server stopped (exit code ${info.State.ExitCode}${info.State.Error ? `: ${info.State.Error}` : ''})`, 'ServerStopped');
      }
      heartbeat({ waiting: 'server running', status: info.State.Status });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async addresses(id: string): Promise<ServerAddress[]> {
    const info = await this.docker.getContainer(id).inspect();
    return Object.entries(info.NetworkSettings.Networks ?? {}).map(([network, n]) => ({
      network, ip: n.IPAddress, ipv6: n.GlobalIPv6Address ?? '', mac: n.MacAddress,
    }));
  }

  async exists(id: string): Promise<boolean> {
    try {
      return (await this.docker.getContainer(id).inspect()).State.Running;
    } catch (err) {
      if (classifyDockerError(err) === 'gone') return false;
      throw err;
    }
  }

  async status(id: string): Promise<string | undefined> {
    try {
      return (await this.docker.getContainer(id).inspect()).State.Status;
    } catch (err) {
      if (classifyDockerError(err) === 'gone') return undefined;
      throw err;
    }
  }

  async delete(server: ServerIdentity, id: string): Promise<void> {
    const ids = new Set(await this.findByIdentity(server));
    if (id) ids.add(id);
    // Gone already, or a removal already under way: either way done.
    for (const each of ids) await this.docker.getContainer(each).remove({ v: true, force: true }).catch(unlessGone);
  }

  async exec(id: string, command: readonly string[]): Promise<ExecResult> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: [...command], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.demuxStream(stream,
        { write: (chunk: Buffer) => stdout.push(Buffer.from(chunk)) } as unknown as NodeJS.WritableStream,
        { write: (chunk: Buffer) => stderr.push(Buffer.from(chunk)) } as unknown as NodeJS.WritableStream);
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    let inspected = await exec.inspect();
    while (inspected.Running) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      inspected = await exec.inspect();
    }
    return { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), exitCode: inspected.ExitCode ?? -1 };
  }
}
