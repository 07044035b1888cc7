/** OS::Nova::Server and AWS::EC2::Instance through the compute driver. */
import { ApplicationFailure } from '@temporalio/common';
import { DockerComputeDriver, METADATA_LABEL_PREFIX, serverContainerName, type ComputeDriver, type NetworkAttachment, type ServerAddress, type VolumeMountSpec } from '../../../activities/compute';
import { classifyDockerError, dockerFor, drifted, rethrowDockerError } from '../../../activities/docker';
import { DOCKER_HOST_IMAGE, type Catalog } from '../../runtime/catalog';
import { registryPort, serverImagesMissing } from '../../runtime/images';
import type { Json, JsonObject } from '../../template/types';
import { networkGateway, networkLabel } from '../networks/handler';
import { ensureVolume } from '../volumes/handler';
import { inspectAdopted } from '../docker/handler';
import type { AdoptResourceRequest, CreatedResource, CreateResourceRequest, DeleteResourceRequest, ExistingResourceRequest, HandlerContext } from '../plugin';
import { siblingLookup, type SiblingLookup } from '../siblings';
import { configText, invalid, str } from './software';
import { bootScript, UserDataError, withAuthorizedKey } from './user-data';
import { StokeError } from '../../errors';

/** Nova's name for the network a server joins when the template names none. */
export const DEFAULT_NETWORK_LABEL = 'private';

export interface ServerContext {
  readonly driver: ComputeDriver;
  readonly catalog: Catalog;
  readonly lookup: SiblingLookup;
  /** Makes sure a catalog image exists (stoke's own server images: built, with their registry running; the bootstrap builds them). */
  readonly prepareImage: (image: string) => Promise<void>;
  /** The registry servers' engines use as their mirror, listening at this gateway address of the host. */
  readonly registryFor: (gateway: string) => string | undefined;
  readonly networkGateway: (network: string) => Promise<string>;
  /** A network's name as templates know it (a stack Net's `name`), for the networks attribute. */
  readonly networkLabel: (network: string) => Promise<string>;
  /** The engine volume of a volume resource of the stack, made if it does not exist yet. */
  readonly ensureVolume: (resource: string) => Promise<string>;
}

/** The docker compute driver on the worker's engine, with the stack's resources this server requires. */
function serverContext(req: CreateResourceRequest, ctx: HandlerContext): ServerContext {
  const docker = dockerFor(ctx.dockerEndpoint);
  return {
    driver: new DockerComputeDriver(ctx.dockerEndpoint),
    catalog: ctx.catalog,
    lookup: siblingLookup(req),
    prepareImage: async (image) => {
      if (image === DOCKER_HOST_IMAGE) {
        // Building takes minutes and installs packages: the bootstrap's job, never an activity's.
        const missing = await serverImagesMissing(ctx.dockerEndpoint);
        if (missing) throw ApplicationFailure.nonRetryable(missing, 'ImageNotBuilt');
        return;
      }
      await docker.getImage(image).inspect().catch((err: unknown) => {
        throw classifyDockerError(err) === 'gone' ? new StokeError('ImageMissing', 'not on the engine and not an image stoke builds') : err;
      });
    },
    registryFor: (gateway) => (gateway ? `${gateway}:${registryPort()}` : undefined),
    networkGateway: (network) => networkGateway(docker, network),
    networkLabel: (network) => networkLabel(docker, network),
    ensureVolume: async (resource) => (await ensureVolume(docker, { stack: req.stack, stackId: req.stackId, resource, ...(req.root ? { root: req.root } : {}) }).catch((err: unknown) => rethrowDockerError(err, `making volume ${resource}`))).Name,
  };
}

interface ServerProperties {
  image: string;
  flavor: string;
  name: string;
  userData: string;
  networks: Json[];
  securityGroups: Json[];
  metadata: JsonObject;
  keyName: string;
  /** The user the key pair's public key is installed for. */
  adminUser: string;
  zone: string;
  subnet: string;
  fixedIp: string;
}

function serverProperties(req: CreateResourceRequest): ServerProperties {
  const p = req.properties;
  if (req.type === 'AWS::EC2::Instance') {
    const tags = Array.isArray(p.Tags) ? p.Tags : [];
    const metadata: JsonObject = {};
    for (const tag of tags) if (tag && typeof tag === 'object' && !Array.isArray(tag)) metadata[str(tag.Key)] = str(tag.Value);
    return {
      image: str(p.ImageId), flavor: str(p.InstanceType), name: '', userData: str(p.UserData), networks: [],
      securityGroups: [...(Array.isArray(p.SecurityGroups) ? p.SecurityGroups : []), ...(Array.isArray(p.SecurityGroupIds) ? p.SecurityGroupIds : [])],
      metadata, keyName: str(p.KeyName), adminUser: '', zone: str(p.AvailabilityZone), subnet: str(p.SubnetId), fixedIp: str(p.PrivateIpAddress),
    };
  }
  return {
    image: str(p.image), flavor: str(p.flavor), name: str(p.name), userData: str(p.user_data),
    networks: Array.isArray(p.networks) ? p.networks : [], securityGroups: Array.isArray(p.security_groups) ? p.security_groups : [],
    metadata: p.metadata && typeof p.metadata === 'object' && !Array.isArray(p.metadata) ? p.metadata : {},
    keyName: str(p.key_name), adminUser: str(p.admin_user), zone: str(p.availability_zone), subnet: '', fixedIp: '',
  };
}

/** The networks a server joins: stack Nets and Ports by their ids, an engine network by name, else the default. */
async function attachments(req: CreateResourceRequest, props: ServerProperties, ctx: ServerContext): Promise<NetworkAttachment[]> {
  const where = req.type === 'AWS::EC2::Instance' ? 'SubnetId' : 'networks';
  if (props.subnet) {
    const subnet = ctx.lookup(props.subnet);
    if (!subnet || subnet.type !== 'OS::Neutron::Subnet') invalid(req, where, `'${props.subnet}' is not a subnet of this stack`);
    return [{ network: str(subnet.attributes.network_id), ip: props.fixedIp || undefined }];
  }
  if (props.networks.length === 0) return [{ network: 'bridge' }];
  const out: NetworkAttachment[] = [];
  for (const [i, entry] of props.networks.entries()) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) invalid(req, `${where}[${i}]`, 'expected a mapping with network, uuid or port');
    if (entry.port) {
      const port = ctx.lookup(str(entry.port));
      if (!port || port.type !== 'OS::Neutron::Port') invalid(req, `${where}[${i}].port`, `'${str(entry.port)}' is not a port of this stack`);
      const ips = port.attributes.fixed_ips as { ip_address?: string }[] | undefined;
      out.push({ network: str(port.attributes.network_id), ip: ips?.[0]?.ip_address || undefined, mac: str(port.attributes.mac_address) || undefined });
      continue;
    }
    const name = str(entry.network ?? entry.uuid);
    if (!name) invalid(req, `${where}[${i}]`, 'give network, uuid or port');
    // Nova's conventional network names stand for the engine's default network.
    const network = [DEFAULT_NETWORK_LABEL, 'public', 'default', 'bridge'].includes(name) ? 'bridge' : name;
    out.push({ network, ip: str(entry.fixed_ip) || undefined });
  }
  return out;
}

/**
 * The volumes the stack's attachments mount into the server: each a volume resource the server requires, or,
 * for a volume that refers to the server and so comes after it, the volume made now for the volume's create to adopt.
 */
async function volumeMounts(req: CreateResourceRequest, ctx: ServerContext): Promise<VolumeMountSpec[]> {
  const mounts: VolumeMountSpec[] = [];
  for (const m of req.mounts ?? []) {
    const volume = req.siblings?.[m.volume];
    const id = volume?.physicalId || await ctx.ensureVolume(m.volume);
    // Nova's advice for finding an attached volume: the disk id virtio gives it, the volume id's first 20 characters.
    mounts.push({ volume: id, target: m.mountpoint || `/dev/disk/by-id/virtio-${id.slice(0, 20)}`, readOnly: volume?.properties.read_only === true });
  }
  return mounts;
}

/**
 * The server's own engine pulls through the local registry, and keeps its bridges in the benchmarking
 * range 198.18.0.0/15: left to itself it would take 172.17.0.1 on a server outside the host's default
 * bridge, and hide the host's address there (the signal gateway's, the registry's) from the server.
 */
function nestedEngineFlags(registry: string | undefined): string {
  const pull = registry ? `--registry-mirror http://${registry} --insecure-registry ${registry}` : '';
  return `--bip 198.18.0.1/24 --default-address-pool base=198.18.0.0/15,size=24 ${pull}`.trim();
}

/**
 * The public key of the stack's key pair the server names (one the server requires, through get_resource);
 * a key pair of no stack here is Nova's, which stoke cannot read: key_name stays recorded only.
 */
function keyPairOf(props: ServerProperties, lookup: SiblingLookup): string | undefined {
  const pair = props.keyName ? lookup(props.keyName) : undefined;
  return pair?.type === 'OS::Nova::KeyPair' ? str(pair.attributes.public_key) || undefined : undefined;
}

export const createServer = (req: CreateResourceRequest, ctx: HandlerContext) => bootServer(req, serverContext(req, ctx));

export async function bootServer(req: CreateResourceRequest, ctx: ServerContext): Promise<CreatedResource> {
  const props = serverProperties(req);
  const imageProperty = req.type === 'AWS::EC2::Instance' ? 'ImageId' : 'image';
  const flavorProperty = req.type === 'AWS::EC2::Instance' ? 'InstanceType' : 'flavor';
  const image = ctx.catalog.images[props.image] ?? props.image;
  const flavor = ctx.catalog.flavors[props.flavor];
  if (!flavor) invalid(req, flavorProperty, `unknown flavor '${props.flavor}' (the flavor table has: ${Object.keys(ctx.catalog.flavors).join(', ')})`);
  try {
    await ctx.prepareImage(image);
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    invalid(req, imageProperty, `image '${props.image}' → '${image}': ${(err as Error).message} (catalog: ${Object.keys(ctx.catalog.images).join(', ')})`);
  }
  let script: string;
  try {
    script = bootScript(configText(props.userData, ctx.lookup));
  } catch (err) {
    if (err instanceof UserDataError) invalid(req, req.type === 'AWS::EC2::Instance' ? 'UserData' : 'user_data', err.message);
    throw err;
  }
  const key = keyPairOf(props, ctx.lookup);
  if (key) script = withAuthorizedKey(script, props.adminUser || 'root', key);
  const networks = await attachments(req, props, ctx);
  // The registry listens on the default bridge's gateway only; a server on another network reaches it through its own.
  const registry = ctx.registryFor(await ctx.networkGateway('bridge'));
  // A copy an update makes keeps the hostname: two containers may share one, and what reads `name` stays put.
  const hostname = (props.name || serverContainerName(req.stack, req.resource)).replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 63);
  const id = await ctx.driver.boot({
    stack: req.stack, stackId: req.stackId, resource: req.resource, ...(req.copy ? { copy: req.copy } : {}), ...(req.root ? { root: req.root } : {}), hostname, image, flavor,
    bootScript: script, networks, dns: [], env: image === DOCKER_HOST_IMAGE ? { STOKE_DOCKERD_FLAGS: nestedEngineFlags(registry) } : {},
    metadata: Object.fromEntries(Object.entries(props.metadata).map(([k, v]) => [k, str(v)])), volumes: await volumeMounts(req, ctx),
  });
  await ctx.driver.waitRunning(id);
  const addresses = await ctx.driver.addresses(id);
  return { physicalId: id, attributes: await serverAttributes(req, props, hostname, image, addresses, ctx) };
}

async function serverAttributes(req: CreateResourceRequest, props: ServerProperties, hostname: string, image: string,
  addresses: ServerAddress[], ctx: ServerContext, instanceName = serverContainerName(req.stack, req.resource, req.copy)): Promise<JsonObject> {
  const networks: JsonObject = {};
  const detailed: JsonObject = {};
  for (const a of addresses) {
    const label = a.network === 'bridge' ? DEFAULT_NETWORK_LABEL : await ctx.networkLabel(a.network);
    const ips = [a.ip, a.ipv6].filter(Boolean);
    networks[label] = ips;
    if (label !== a.network) networks[a.network] = ips;
    detailed[label] = ips.map((ip) => ({ addr: ip, version: ip.includes(':') ? 6 : 4, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': a.mac }));
  }
  const first = addresses[0]?.ip ?? '';
  const show: JsonObject = {
    name: hostname, image: props.image, local_image: image, flavor: props.flavor, status: 'ACTIVE', addresses: detailed,
    metadata: props.metadata, key_name: props.keyName, security_groups: props.securityGroups,
    not_enforced: 'security groups are recorded only: the docker driver has no firewall per server; a key pair of the stack is installed in authorized_keys, but no sshd is run',
  };
  if (req.type === 'AWS::EC2::Instance') {
    return { PublicIp: first, PrivateIp: first, PublicDnsName: first, PrivateDnsName: first, AvailabilityZone: props.zone || 'nova', show };
  }
  return {
    name: hostname, instance_name: instanceName, networks, addresses: detailed, first_address: first,
    accessIPv4: first, accessIPv6: addresses.find((a) => a.ipv6)?.ipv6 ?? '', console_urls: {}, show,
  };
}

/**
 * Heat's create of a server with external_id: the existing server is adopted, then checked. Its container is
 * read for what a create would return (the template's properties built nothing, so they describe nothing:
 * the image, hostname and metadata are the container's own), and it must run, or be paused, as a check asks.
 */
export async function adoptServer(req: AdoptResourceRequest, ctx: HandlerContext): Promise<CreatedResource> {
  const info = await inspectAdopted(dockerFor(ctx.dockerEndpoint), req, ctx.dockerEndpoint);
  if (!info.State.Running) throw drifted(`server ${info.Id.slice(0, 12)} to adopt is not running (${info.State.Status})`);
  const metadata = Object.fromEntries(Object.entries(info.Config.Labels ?? {})
    .filter(([key]) => key.startsWith(METADATA_LABEL_PREFIX)).map(([key, value]) => [key.slice(METADATA_LABEL_PREFIX.length), value]));
  const props: ServerProperties = {
    ...serverProperties({ ...req, properties: {} }), image: info.Config.Image, metadata,
  };
  const server = serverContext(req, ctx);
  try {
    const addresses = await server.driver.addresses(info.Id);
    return { physicalId: info.Id, attributes: await serverAttributes(req, props, info.Config.Hostname, info.Config.Image, addresses, server, info.Name.replace(/^\//, '')) };
  } catch (err) {
    rethrowDockerError(err, `reading server ${req.physicalId} of ${req.resource}`);
  }
}

export async function deleteServer(req: DeleteResourceRequest, ctx: HandlerContext): Promise<void> {
  await new DockerComputeDriver(ctx.dockerEndpoint).delete(req, req.physicalId);
}

/** Heat's check of a server: it exists and runs (paused, by a suspend, counts). */
export async function checkServer(req: ExistingResourceRequest, ctx: HandlerContext): Promise<void> {
  const id = req.physicalId.slice(0, 12);
  let status: string | undefined;
  try {
    status = await new DockerComputeDriver(ctx.dockerEndpoint).status(req.physicalId);
  } catch (err) {
    rethrowDockerError(err, `inspecting server ${req.resource}`);
  }
  if (status === undefined) throw drifted(`server ${id} is gone`);
  if (status !== 'running' && status !== 'paused') throw drifted(`server ${id} is not running (${status})`);
}
