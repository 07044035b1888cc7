import { isDeferred, isDeferredCall } from '../../template/functions';
import type { Json, JsonObject } from '../../template/types';
import type { AttributeSchema, PropertySchema, ResourceType } from '../plugin';

/** The lifecycle code loads on the first call: validation and `resource type list` need no dockerode (a quarter second). */
const lifecycle = () => import('./handler');

type Issue = { path: string; message: string };

/** Docker's rule for container names (moby's daemon/names RestrictedNamePattern), a leading '/' allowed. */
const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const isPort = (digits: string) => /^\d{1,5}$/.test(digits) && Number(digits) >= 1 && Number(digits) <= 65535;

/** Why Docker refuses a container port (80, "80", "53/udp"); undefined when it takes it. */
export function portSpecProblem(spec: Json): string | undefined {
  const text = typeof spec === 'object' && spec !== null ? JSON.stringify(spec) : String(spec);
  const match = /^(\d+)(?:\/(?:tcp|udp|sctp))?$/.exec(text);
  if (match && isPort(match[1]!)) return undefined;
  return `'${text}' is not a port Docker accepts (a number from 1 to 65535, optionally /tcp, /udp or /sctp)`;
}

/** Why Docker refuses a host port ("8080", 8080, a range "8000-8010"); empty or null means any free port. */
function hostPortProblem(port: Json | undefined): string | undefined {
  if (port === undefined || port === null || port === '' || isDeferred(port)) return undefined;
  const text = typeof port === 'object' ? JSON.stringify(port) : String(port);
  const range = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (range && isPort(range[1]!) && (range[2] === undefined || (isPort(range[2]) && Number(range[2]) >= Number(range[1])))) return undefined;
  return `host port '${text}' is not one Docker accepts (a number from 1 to 65535 or a range of them, or empty for any free port)`;
}

/** docker-py's (ip, port) tuple, which YAML can only write as a two-item list. */
export function isAddressPortPair(value: Json): boolean {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && /[.:]/.test(value[0]);
}

/** The host port of one binding in any of Heat's forms: 8080, "8080", [ip, port], {HostPort: …}, null. */
function bindingProblem(binding: Json): string | undefined {
  if (binding === null || typeof binding !== 'object' || isDeferred(binding)) return hostPortProblem(binding);
  if (isAddressPortPair(binding)) return hostPortProblem((binding as Json[])[1]);
  if (!Array.isArray(binding)) return hostPortProblem(binding.HostPort);
  return `cannot read a host binding from ${JSON.stringify(binding)}`;
}

function portSpecIssues(specs: Json | undefined, path: string): Issue[] {
  if (!Array.isArray(specs)) return [];
  return specs.flatMap((spec, i) => {
    const problem = isDeferred(spec) ? undefined : portSpecProblem(spec);
    return problem ? [{ path: `${path}[${i}]`, message: problem }] : [];
  });
}

function portBindingIssues(bindings: Json | undefined, path: string): Issue[] {
  if (bindings === null || typeof bindings !== 'object' || Array.isArray(bindings) || isDeferredCall(bindings)) return [];
  return Object.entries(bindings as JsonObject).flatMap(([port, value]) => {
    const at = `${path}.${port}`;
    const issues: Issue[] = [];
    const portProblem = portSpecProblem(port);
    if (portProblem) issues.push({ path: at, message: portProblem });
    const list = Array.isArray(value) && !isAddressPortPair(value) ? value : [value];
    list.forEach((binding, i) => {
      const problem = bindingProblem(binding);
      if (problem) issues.push({ path: list === value ? `${at}[${i}]` : at, message: problem });
    });
    return issues;
  });
}

function nameIssues(name: Json | undefined, path: string): Issue[] {
  if (typeof name !== 'string' || name === '' || CONTAINER_NAME.test(name)) return [];
  return [{ path, message: `'${name}' is not a container name Docker accepts (a letter or digit, then one or more letters, digits, '_', '.' or '-')` }];
}

/** Go's time.ParseDuration units, which Compose's durations use, in nanoseconds. */
const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const DURATION = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)/;

/** Nanoseconds in a Compose duration ("5s", "1m30s", "1.5h", "0"); undefined when it is not one. */
export function durationNanos(text: string): number | undefined {
  if (text === '0') return 0;
  let rest = text;
  let total = 0;
  while (rest) {
    const part = DURATION.exec(rest)?.[0];
    if (!part) return undefined;
    const unit = /[a-zµ]+$/.exec(part)![0];
    total += Number(part.slice(0, -unit.length)) * DURATION_UNITS[unit]!;
    rest = rest.slice(part.length);
  }
  return text ? Math.round(total) : undefined;
}

export const HEALTHCHECK_DURATIONS = ['interval', 'timeout', 'start_period'] as const;

/** Why Docker would refuse a health-check test: a string (run by the shell) or ["CMD", …], ["CMD-SHELL", "…"], ["NONE"]. */
export function healthTestProblem(test: Json): string | undefined {
  if (typeof test === 'string') return test.trim() ? undefined : 'the test command is empty';
  if (!Array.isArray(test) || test.some((item) => typeof item !== 'string')) {
    return `expected a command string or a list of strings like ["CMD", "curl", "-f", "http://localhost/"], got ${JSON.stringify(test)}`;
  }
  const [kind, ...args] = test as string[];
  if (kind === 'NONE') return undefined;
  if (kind !== 'CMD' && kind !== 'CMD-SHELL') return `the list starts with "${kind ?? ''}": expected "CMD", "CMD-SHELL" or "NONE"`;
  return args.length === 0 ? `"${kind}" needs a command after it` : undefined;
}

function healthcheckIssues(healthcheck: Json | undefined, path: string): Issue[] {
  if (!isObject(healthcheck) || isDeferredCall(healthcheck)) return [];
  const issues: Issue[] = [];
  const test = healthcheck.test;
  const testProblem = test === undefined || isDeferred(test) ? undefined : healthTestProblem(test);
  if (testProblem) issues.push({ path: `${path}.test`, message: testProblem });
  for (const key of HEALTHCHECK_DURATIONS) {
    const value = healthcheck[key];
    if (typeof value === 'string' && durationNanos(value) === undefined) {
      issues.push({ path: `${path}.${key}`, message: `'${value}' is not a duration (a number and a unit, as "5s", "1m30s" or "500ms"; units ns, us, ms, s, m, h)` });
    }
  }
  return issues;
}

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Capabilities Heat's plugin accepts in cap_add and cap_drop. */
const CAPABILITIES = [
  'SETPCAP', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME',
  'SYS_TTY_CONFIG', 'MKNOD', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'MAC_OVERRIDE', 'MAC_ADMIN', 'NET_ADMIN', 'SYSLOG',
  'CHOWN', 'NET_RAW', 'DAC_OVERRIDE', 'FOWNER', 'DAC_READ_SEARCH', 'FSETID', 'KILL', 'SETGID', 'SETUID',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'IPC_LOCK', 'IPC_OWNER', 'SYS_CHROOT', 'SYS_PTRACE',
  'SYS_BOOT', 'LEASE', 'SETFCAP', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'ALL',
];

const DEVICE_PATH: PropertySchema = { type: 'string', description: '', pattern: '^/dev/[/_\\-a-zA-Z0-9]+$', maxLength: 255 };

const capability: PropertySchema = {
  type: 'string', description: 'The security features provided by Linux kernels.', allowedValues: CAPABILITIES,
};

/**
 * Heat's contrib plugin `DockerInc::Docker::Container` as of its last version: the same property names,
 * types, defaults and constraints, plus Heat's `show` attribute. `image` is required here where Heat
 * fails only at create time without one.
 */
export const dockerContainer: ResourceType = {
  name: 'DockerInc::Docker::Container',
  runs: { where: 'activity', heartbeat: true, copies: true, creates: 'local', deletes: 'local' },
  handler: {
    create: async (req, ctx) => (await lifecycle()).createContainer(req, ctx.dockerEndpoint, ctx.endpointPolicy, ctx.catalog.standins),
    delete: async (req, ctx) => (await lifecycle()).deleteContainer(req, ctx.dockerEndpoint, ctx.endpointPolicy),
    // Heat's suspend and resume of a container: pause and unpause.
    suspend: async (req, ctx) => (await lifecycle()).pauseContainer(req, ctx.dockerEndpoint, ctx.endpointPolicy),
    resume: async (req, ctx) => (await lifecycle()).unpauseContainer(req, ctx.dockerEndpoint, ctx.endpointPolicy),
    check: async (req, ctx) => (await lifecycle()).checkContainer(req, ctx.dockerEndpoint, ctx.endpointPolicy),
    adopt: async (req, ctx) => (await lifecycle()).adoptContainer(req, ctx.dockerEndpoint, ctx.endpointPolicy),
    // What `docker update` changes on a running container: the resource limits and the restart policy.
    update: async (req, ctx) => (await lifecycle()).updateContainer(req, ctx.dockerEndpoint, ctx.endpointPolicy),
  },
  description: 'A Docker container, created and started on the stack\'s Docker engine or on docker_endpoint.',
  properties: {
    docker_endpoint: {
      type: 'string',
      description: 'Docker daemon endpoint (by default the local docker daemon will be used): unix://, tcp://, http:// or https:// (TLS client certificates from the worker\'s configuration).',
    },
    hostname: { type: 'string', default: '', description: 'Hostname of the container.' },
    user: { type: 'string', default: '', description: 'Username or UID.' },
    memory: { type: 'integer', updateAllowed: true, description: 'Memory limit (Bytes).' },
    port_specs: { type: 'list', description: 'TCP/UDP ports mapping: ports the container exposes (80, "53/udp").' },
    port_bindings: {
      type: 'map',
      exclusive: true,
      description: 'TCP/UDP ports bindings: {"80/tcp": [{"HostPort": "8080", "HostIp": "127.0.0.1"}]} or {80: 8080}.',
    },
    links: { type: 'map', description: 'Links to other containers, as {container name: alias}.' },
    name: { type: 'string', exclusive: true, description: 'Name of the container (default: <stack>-<resource>, and a copy id for a copy an update made).' },
    privileged: { type: 'boolean', default: false, description: 'Enable extended privileges.' },
    tty: { type: 'boolean', default: false, description: 'Allocate a pseudo-tty.' },
    open_stdin: { type: 'boolean', default: false, description: 'Open stdin.' },
    stdin_once: { type: 'boolean', default: false, description: 'If true, close stdin after the 1 attached client disconnects.' },
    env: { type: 'list', description: 'Set environment variables, as a list of "KEY=value".' },
    cmd: { type: 'list', default: [], description: 'Command to run after spawning the container.' },
    dns: { type: 'list', description: 'Set custom dns servers.' },
    image: { type: 'string', required: true, description: 'Image name, with optional tag or digest.' },
    volumes: {
      type: 'map',
      default: {},
      description: 'Create a bind mount: {host path: {bind: container path, ro: false}}, or {container path: {}} for a volume.',
    },
    // Heat declares a list with '' as its default, which the engine reads as no containers.
    volumes_from: { type: 'list', default: '', description: 'Mount all specified volumes: containers to take volumes from.' },
    restart_policy: {
      type: 'map',
      default: {},
      updateAllowed: true,
      since: '2015.1',
      description: 'Restart policies (only supported for API version >= 1.2.0).',
      keys: {
        Name: { type: 'string', default: 'no', allowedValues: ['no', 'on-failure', 'always'], description: 'The behavior to apply when the container exits.' },
        MaximumRetryCount: { type: 'integer', default: 0, description: 'A maximum restart count for the on-failure policy.' },
      },
    },
    cap_add: {
      type: 'list', default: [], since: '2015.1', items: capability,
      description: 'Be used to add kernel capabilities (only supported for API version >= 1.2.0).',
    },
    cap_drop: {
      type: 'list', default: [], since: '2015.1', items: capability,
      description: 'Be used to drop kernel capabilities (only supported for API version >= 1.2.0).',
    },
    read_only: {
      type: 'boolean', default: false, since: '2015.1',
      description: 'If true, mount the container\'s root filesystem as read only (only supported for API version >= 1.17).',
    },
    cpu_shares: {
      type: 'integer', default: 0, since: '5.0.0', updateAllowed: true,
      description: 'Relative weight which determines the allocation of the CPU processing power(only supported for API version >= 1.8).',
    },
    devices: {
      type: 'list',
      default: [],
      since: '5.0.0',
      description: 'Device mappings (only supported for API version >= 1.14).',
      items: {
        type: 'map',
        description: 'A device mapping.',
        keys: {
          path_on_host: { ...DEVICE_PATH, required: true, description: 'The device path on the host.' },
          path_in_container: { ...DEVICE_PATH, description: 'The device path of the container mappings to the host.' },
          permissions: {
            type: 'string', default: 'rwm', allowedValues: ['r', 'w', 'm', 'rw', 'rm', 'wm', 'rwm'],
            description: 'The permissions of the container to read/write/create the devices.',
          },
        },
      },
    },
    cpu_set: { type: 'string', since: '5.0.0', updateAllowed: true, description: 'The CPUs in which to allow execution (only supported for API version >= 1.12).' },
    // A stoke extension, modelled on Compose's: Heat's plugin predates Docker's health checks.
    healthcheck: {
      type: 'map',
      description: 'A health check, as Compose writes it; the container counts as created once Docker reports it healthy (so does one whose image declares a HEALTHCHECK).',
      keys: {
        test: { type: 'any', description: 'The check: a shell command string, or ["CMD", …], ["CMD-SHELL", "…"], or ["NONE"] to disable the image\'s.' },
        interval: { type: 'string', description: 'Time between checks, as "30s" or "1m30s" (Docker\'s default: 30s).' },
        timeout: { type: 'string', description: 'Time a check may run before it counts as failed (Docker\'s default: 30s).' },
        retries: { type: 'integer', range: { min: 0 }, description: 'Consecutive failures that make the container unhealthy (Docker\'s default: 3).' },
        start_period: { type: 'string', description: 'Time the container has to start before failures count (Docker\'s default: 0s).' },
      },
    },
  },
  attributes: {
    info: { description: 'Container info (docker inspect).' },
    network_info: { description: 'Container network info, with TcpPorts and UdpPorts added.' },
    network_ip: { description: 'Container ip address.' },
    network_gateway: { description: 'Container ip gateway.' },
    network_tcp_ports: { description: 'Container TCP ports bound on the host, comma separated.' },
    network_udp_ports: { description: 'Container UDP ports bound on the host, comma separated.' },
    logs: { description: 'Container logs.' },
    logs_head: { description: 'Container first logs line.' },
    logs_tail: { description: 'Container last logs line.' },
    show: { description: 'Detailed information about resource (the container as docker inspect shows it).' },
  },
  // What Docker would refuse at create, reported at validation; values that wait for a resource are checked at create.
  validate: (properties) => [
    ...portSpecIssues(properties.port_specs, '.port_specs'),
    ...portBindingIssues(properties.port_bindings, '.port_bindings'),
    ...nameIssues(properties.name, '.name'),
    ...healthcheckIssues(properties.healthcheck, '.healthcheck'),
  ],
};

/** The 2013 plugin's names (`OS::Heat::Docker`, dotcloud/openstack-heat-docker) for the current ones. */
const LEGACY_PROPERTIES: Readonly<Record<string, string>> = {
  DockerEndpoint: 'docker_endpoint', Hostname: 'hostname', User: 'user', Memory: 'memory', PortSpecs: 'port_specs',
  Privileged: 'privileged', Tty: 'tty', OpenStdin: 'open_stdin', StdinOnce: 'stdin_once', Env: 'env', Cmd: 'cmd',
  Dns: 'dns', Image: 'image', Volumes: 'volumes', VolumesFrom: 'volumes_from',
};

/** Properties the 2013 plugin had and the current one dropped: Docker's attach flags. */
const LEGACY_ONLY: Readonly<Record<string, { target: string; schema: PropertySchema }>> = {
  AttachStdin: { target: 'attach_stdin', schema: { type: 'boolean', default: false, description: 'Attach to stdin.' } },
  AttachStdout: { target: 'attach_stdout', schema: { type: 'boolean', default: true, description: 'Attach to stdout.' } },
  AttachStderr: { target: 'attach_stderr', schema: { type: 'boolean', default: true, description: 'Attach to stderr.' } },
};

/** Where the 2013 plugin's schema differs from the current one's. */
const LEGACY_OVERRIDES: Readonly<Record<string, Partial<PropertySchema>>> = {
  Memory: { default: 0 },
  VolumesFrom: { type: 'string', default: '' },
};

const LEGACY_ATTRIBUTES: Readonly<Record<string, string>> = {
  Info: 'info', NetworkInfo: 'network_info', NetworkIp: 'network_ip', NetworkTcpPorts: 'network_tcp_ports',
  NetworkUdpPorts: 'network_udp_ports', Logs: 'logs', LogsHead: 'logs_head', LogsTail: 'logs_tail', show: 'show',
};

/** `OS::Heat::Docker`, the 2013 spelling, generated from the current schema through the name maps above. */
export const legacyDocker: ResourceType = {
  name: 'OS::Heat::Docker',
  supportStatus: { status: 'DEPRECATED', message: `The 2013 plugin's spelling: use ${dockerContainer.name}.` },
  description: `The 2013 plugin's name for ${dockerContainer.name}, with its CFN-style property and attribute names.`,
  properties: {
    ...Object.fromEntries(Object.entries(LEGACY_PROPERTIES).map(([legacy, current]) => [
      legacy, { ...dockerContainer.properties[current]!, ...LEGACY_OVERRIDES[legacy] } as PropertySchema,
    ])),
    ...Object.fromEntries(Object.entries(LEGACY_ONLY).map(([legacy, { schema }]) => [legacy, schema])),
  },
  validate: (properties) => portSpecIssues(properties.PortSpecs, '.PortSpecs'),
  attributes: Object.fromEntries(Object.entries(LEGACY_ATTRIBUTES).map(([legacy, current]) => [
    legacy, dockerContainer.attributes[current] as AttributeSchema,
  ])),
  aliasOf: {
    of: dockerContainer.name,
    properties: {
      ...LEGACY_PROPERTIES,
      ...Object.fromEntries(Object.entries(LEGACY_ONLY).map(([legacy, { target }]) => [legacy, target])),
    },
    attributes: LEGACY_ATTRIBUTES,
  },
};

export const DOCKER_TYPES = [dockerContainer, legacyDocker];
