/**
 * Heat's OS::Zun::Container: a container, in Zun's words (command as one string, environment as a map,
 * restart_policy as "on-failure:3"…). Its handler turns those into DockerInc::Docker::Container's properties
 * and runs the Docker handler, so the engine sees one kind of container whichever type the template names.
 */
import { isDeferred } from '../../template/functions';
import { isObject } from '../../template/parse';
import type { Json, JsonObject } from '../../template/types';
import type { ResourceType } from '../plugin';

const lifecycle = () => import('./handler');

type Issue = { path: string; message: string };

/** Heat's _parse_restart_policy: Docker's restart policy for Zun's text, undefined when Heat refuses it. */
export function restartPolicy(text: string): { Name: string; MaximumRetryCount: number } | undefined {
  const [name, count, ...more] = text.split(':');
  if (count === undefined) return ['no', 'always', 'unless-stopped', 'on-failure'].includes(name!) ? { Name: name!, MaximumRetryCount: 0 } : undefined;
  if (name !== 'on-failure' || more.length > 0 || !/^\d*$/.test(count)) return undefined;
  return { Name: name, MaximumRetryCount: Number(count || 0) };
}

/** Heat's checks of the container's restart policy, mounts and networks. */
function issues(properties: JsonObject): Issue[] {
  const found: Issue[] = [];
  const policy = properties.restart_policy;
  if (typeof policy === 'string' && policy !== '' && !isDeferred(policy) && !restartPolicy(policy)) {
    found.push({ path: '.restart_policy', message: `restart_policy "${policy}" is invalid. Valid values are "no", "on-failure[:max-retry]", "always", and "unless-stopped".` });
  }
  const items = (value: Json | undefined) => (Array.isArray(value) && !isDeferred(value) ? value : []).flatMap((item, i) => (isObject(item) ? [[item, i] as const] : []));
  for (const [mount, i] of items(properties.mounts)) {
    if (mount.volume_id === undefined && mount.volume_size === undefined) found.push({ path: `.mounts[${i}]`, message: 'give one of volume_id or volume_size' });
    if (mount.volume_id !== undefined && mount.volume_size !== undefined) found.push({ path: `.mounts[${i}]`, message: 'volume_id and volume_size cannot both be given' });
  }
  for (const [network, i] of items(properties.networks)) {
    if (network.network === undefined && network.port === undefined) found.push({ path: `.networks[${i}]`, message: 'give one of network or port' });
    if (network.fixed_ip !== undefined && network.port !== undefined) found.push({ path: `.networks[${i}]`, message: 'fixed_ip and port cannot both be given' });
  }
  return found;
}

const recorded = (description: string) => `${description} Recorded only.`;

export const zunContainer: ResourceType = {
  name: 'OS::Zun::Container',
  runs: { where: 'activity', heartbeat: true, copies: true },
  supportStatus: { status: 'SUPPORTED', version: '9.0.0' },
  handler: {
    create: async (req, ctx) => (await lifecycle()).createZunContainer(req, ctx),
    delete: async (req, ctx) => (await lifecycle()).deleteZunContainer(req, ctx),
    suspend: async (req, ctx) => (await lifecycle()).pauseZunContainer(req, ctx),
    resume: async (req, ctx) => (await lifecycle()).unpauseZunContainer(req, ctx),
    check: async (req, ctx) => (await lifecycle()).checkZunContainer(req, ctx),
  },
  description: 'A container (Zun\'s schema), run on the stack\'s Docker engine by the same handler as DockerInc::Docker::Container; a change replaces it.',
  properties: {
    name: { type: 'string', exclusive: true, description: 'Name of the container (default: <stack>-<resource>).' },
    image: { type: 'string', required: true, description: 'Name or ID of the image (pulled when missing, or its stand-in).' },
    command: { type: 'string', description: 'The command to run, split as a shell would (Heat: shlex.split).' },
    cpu: { type: 'number', description: recorded('The number of virtual cpus.') },
    memory: { type: 'integer', description: 'The container memory size in MiB: its memory limit.' },
    environment: { type: 'map', description: 'The environment variables.' },
    workdir: { type: 'string', description: 'The working directory for commands to run in.' },
    labels: { type: 'map', description: 'Labels of the container (stoke\'s own org.stoke.* labels are kept).' },
    image_pull_policy: { type: 'string', allowedValues: ['ifnotpresent', 'always', 'never'], description: recorded('When to pull the image: it is pulled when missing.') },
    restart_policy: { type: 'string', description: 'Restart policy: "no", "on-failure[:max-retry]", "always" or "unless-stopped".' },
    interactive: { type: 'boolean', description: 'Keep STDIN open even if not attached.' },
    tty: { type: 'boolean', since: '14.0.0', description: 'Whether the container allocates a TTY for itself.' },
    image_driver: { type: 'string', allowedValues: ['docker', 'glance'], description: recorded('The image driver: images come from the Docker engine.') },
    hints: { type: 'map', since: '10.0.0', description: recorded('Scheduler hints: one engine is all the hosts.') },
    hostname: { type: 'string', since: '10.0.0', description: 'The hostname of the container.' },
    security_groups: { type: 'list', default: [], since: '10.0.0', description: recorded('Security groups: not enforced.') },
    mounts: {
      type: 'list',
      description: 'Volumes mounted inside the container: a volume of the stack (volume_id), or a new one (volume_size, which a local volume does not bound).',
      items: {
        type: 'map',
        description: 'A volume to mount.',
        keys: {
          volume_id: { type: 'string', description: 'A volume of the stack (get_resource) or an engine volume by name.' },
          volume_size: { type: 'integer', description: 'The size of a new volume: recorded, a local volume has no size.' },
          mount_path: { type: 'string', required: true, description: 'The filesystem path inside the container.' },
        },
      },
    },
    networks: {
      type: 'list',
      since: '11.0.0',
      description: recorded('Networks to join: the container is on the engine\'s default network, which `addresses` gives as "private".'),
      items: {
        type: 'map',
        description: 'A network to join.',
        keys: {
          network: { type: 'string', description: 'Name or ID of the network.' },
          fixed_ip: { type: 'string', description: 'Fixed IP address on the network.' },
          port: { type: 'string', description: 'An existing port.' },
        },
      },
    },
  },
  attributes: {
    name: { type: 'string', description: 'Name of the container.' },
    addresses: {
      type: 'map',
      description: 'The container\'s addresses by network, under the network\'s name and its id: [{addr, version}]; the engine\'s default network is "private".',
    },
  },
  validate: issues,
};

export const ZUN_TYPES = [zunContainer];
