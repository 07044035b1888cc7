/**
 * Neutron and Nova network types on one Docker engine. A Net is a bridge network (named
 * <stack>-<name>), recreated with its Subnet's CIDR when the subnet comes; a Port is an address on
 * it that the server using the port gets; a floating IP is that address, which the host reaches.
 * Routers, security groups and quotas have no Docker counterpart: they are recorded, and their
 * `show` attribute says what is not enforced.
 */
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { ApplicationFailure } from '@temporalio/common';
import type Docker from 'dockerode';
import { classifyDockerError, dockerFor, dockerMessage, drifted, identityLabels, isCopy, LABEL_RESOURCE, LABEL_STACK_ID, rethrowDockerError, stopIfCancelled } from '../../../activities/docker';
import type { Json, JsonObject } from '../../template/types';
import type { CreatedResource, CreateResourceRequest, DeleteResourceRequest, ExistingResourceRequest, HandlerContext } from '../plugin';
import { siblingLookup, takenAddresses } from '../siblings';

/** Networks are made on the worker's own engine. */
type Engine = Pick<HandlerContext, 'dockerEndpoint'>;

/** The template's own name for a network, read back for the servers' networks attribute. */
export const LABEL_NET_NAME = 'org.stoke.net-name';

const str = (value: Json | undefined): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

function invalid(req: { resource: string }, property: string, message: string): never {
  throw ApplicationFailure.nonRetryable(`resources.${req.resource}.properties.${property}: ${message}`, 'InvalidProperty');
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

function parseCidr(cidr: string): { base: number; size: number } | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[2]) > 30 || m[1]!.split('.').some((p) => Number(p) > 255)) return undefined;
  const size = 2 ** (32 - Number(m[2]));
  return { base: Math.floor(ipToInt(m[1]!) / size) * size, size };
}

/**
 * Host addresses inside a CIDR: a bridge there would cut the machine off its own network. The engine's own
 * bridges do not count: a net that has the CIDR already (a subnet made again), or an old copy of a replaced
 * net still holding it, is the engine's to refuse or accept.
 */
async function hostAddressesIn(docker: Docker, cidr: { base: number; size: number }): Promise<string[]> {
  const inside = Object.values(os.networkInterfaces()).flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address)
    .filter((ip) => ipToInt(ip) >= cidr.base && ipToInt(ip) < cidr.base + cidr.size);
  if (inside.length === 0) return [];
  const bridges = new Set((await docker.listNetworks()).flatMap((n) => ((n.IPAM?.Config ?? []) as { Gateway?: string }[]).map((c) => c.Gateway)));
  return inside.filter((ip) => !bridges.has(ip));
}

async function inspectNetwork(docker: Docker, name: string): Promise<Docker.NetworkInspectInfo | undefined> {
  try {
    return await docker.getNetwork(name).inspect();
  } catch (err) {
    if (classifyDockerError(err) === 'gone') return undefined;
    throw err;
  }
}

/** A record-only resource: nothing on the engine, its properties kept and what is not enforced said. */
function recorded(req: CreateResourceRequest, notEnforced: string, extra: JsonObject = {}): CreatedResource {
  return { physicalId: crypto.randomUUID(), attributes: { ...extra, show: { ...req.properties, not_enforced: notEnforced } } };
}

export async function createNet(req: CreateResourceRequest, engine: Engine): Promise<CreatedResource> {
  const docker = dockerFor(engine.dockerEndpoint);
  const heatName = str(req.properties.name) || `${req.stack}-${req.resource}`;
  const name = `${req.stack}-${str(req.properties.name) || req.resource}${req.copy ? `-${req.copy}` : ''}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
  const existing = await inspectNetwork(docker, name);
  if (existing && existing.Labels?.[LABEL_STACK_ID] !== req.stackId) {
    throw ApplicationFailure.nonRetryable(`a Docker network named ${name} exists and does not belong to this stack`, 'NetworkExists');
  }
  if (!existing) {
    stopIfCancelled();
    await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { ...identityLabels(req), [LABEL_NET_NAME]: heatName } });
  }
  return {
    physicalId: name,
    attributes: {
      name: heatName, status: 'ACTIVE', subnets: [], admin_state_up: req.properties.admin_state_up ?? true, mtu: 1500,
      show: { ...req.properties, docker_network: name, not_enforced: 'shared, port security, QoS and quotas are recorded only' },
    },
  };
}

export async function deleteNet(req: DeleteResourceRequest, engine: Engine): Promise<void> {
  const docker = dockerFor(engine.dockerEndpoint);
  // A net whose create never reported back has no id in the state: its labels still find it, and not another copy's.
  const labelled = await docker.listNetworks({ filters: { label: [`${LABEL_STACK_ID}=${req.stackId}`, `${LABEL_RESOURCE}=${req.resource}`] } });
  const names = new Set(labelled.filter((n) => isCopy(n.Labels, req)).map((n) => n.Name));
  if (req.physicalId) names.add(req.physicalId);
  for (const name of names) {
    const existing = await inspectNetwork(docker, name);
    if (!existing || existing.Labels?.[LABEL_STACK_ID] !== req.stackId) continue;
    try {
      await docker.getNetwork(existing.Id).remove();
    } catch (err) {
      if (classifyDockerError(err) !== 'gone') throw err;
    }
  }
}

/** Heat's check of a Net: its bridge network exists, and is this stack's. */
export async function checkNet(req: ExistingResourceRequest, engine: Engine): Promise<void> {
  let network: Docker.NetworkInspectInfo | undefined;
  try {
    network = await inspectNetwork(dockerFor(engine.dockerEndpoint), req.physicalId);
  } catch (err) {
    rethrowDockerError(err, `inspecting network ${req.physicalId}`);
  }
  if (!network) throw drifted(`network ${req.physicalId} is gone`);
  if (network.Labels?.[LABEL_STACK_ID] !== req.stackId) throw drifted(`network ${req.physicalId} is another one now, not this stack's`);
}

/** Gives the net its CIDR: Docker fixes a network's subnets at creation, so the net is recreated with them. */
export async function createSubnet(req: CreateResourceRequest, engine: Engine): Promise<CreatedResource> {
  const docker = dockerFor(engine.dockerEndpoint);
  const p = req.properties;
  const network = str(p.network ?? p.network_id);
  const cidrText = str(p.cidr);
  const cidr = parseCidr(cidrText);
  if (!network) invalid(req, 'network', 'a subnet needs its network');
  if (!cidr) invalid(req, 'cidr', `'${cidrText}' is not an IPv4 CIDR (a.b.c.d/8..30); subnet pools and IPv6 are not supported by the docker driver`);
  const clash = await hostAddressesIn(docker, cidr);
  if (clash.length > 0) invalid(req, 'cidr', `${cidrText} holds this machine's own address ${clash[0]}: a bridge there would cut the host off its network`);
  const normalized = `${intToIp(cidr.base)}/${cidrText.split('/')[1]}`;
  const gateway = str(p.gateway_ip) || intToIp(cidr.base + 1);
  const net = await inspectNetwork(docker, network);
  if (!net || !net.Labels?.[LABEL_STACK_ID]) invalid(req, 'network', `'${network}' is not a network of this stack`);
  const configs = (net.IPAM?.Config ?? []) as { Subnet?: string; Gateway?: string }[];
  if (!configs.some((c) => c.Subnet === normalized)) {
    if (Object.keys(net.Containers ?? {}).length > 0) {
      throw ApplicationFailure.nonRetryable(`network ${network} already has servers: its subnet ${normalized} must be created before they join (make them depend on the subnet)`, 'NetworkInUse');
    }
    // Subnets this stack gave the net before stay; the one Docker picked by itself goes.
    const kept = net.Labels[`org.stoke.subnets`] ? configs.filter((c) => c.Subnet) : [];
    stopIfCancelled();
    await docker.getNetwork(network).remove();
    try {
      await docker.createNetwork({
        Name: network, Driver: 'bridge', CheckDuplicate: true,
        Labels: { ...net.Labels, 'org.stoke.subnets': 'yes' },
        IPAM: { Driver: 'default', Config: [...kept.map((c) => ({ Subnet: c.Subnet!, Gateway: c.Gateway })), { Subnet: normalized, Gateway: gateway }] },
      });
    } catch (err) {
      const message = dockerMessage(err);
      // The net must not stay deleted: put it back as it was, then report.
      await docker.createNetwork({ Name: network, Driver: 'bridge', CheckDuplicate: true, Labels: net.Labels }).catch(() => undefined);
      invalid(req, 'cidr', `Docker refused the subnet ${normalized}: ${message}`);
    }
  }
  return {
    physicalId: `${network}/${normalized}`,
    attributes: {
      name: str(p.name), network_id: network, cidr: normalized, gateway_ip: gateway, ip_version: 4, enable_dhcp: true,
      allocation_pools: p.allocation_pools ?? [{ start: intToIp(cidr.base + 2), end: intToIp(cidr.base + cidr.size - 2) }],
      dns_nameservers: p.dns_nameservers ?? [], host_routes: p.host_routes ?? [],
      show: { ...p, not_enforced: 'allocation_pools, host_routes and dns_nameservers are recorded only' },
    },
  };
}

/**
 * Gives the subnet's CIDR back: Docker refuses a network whose subnet overlaps another's, so the new copy
 * of a replaced net can take the CIDR only once the old copy lets it go. A net servers still use keeps it
 * until they leave; the net's own delete removes it with the net.
 */
export async function deleteSubnet(req: DeleteResourceRequest, engine: Engine): Promise<void> {
  const slash = req.physicalId.indexOf('/');
  if (slash < 0) return;
  const network = req.physicalId.slice(0, slash);
  const subnet = req.physicalId.slice(slash + 1);
  const docker = dockerFor(engine.dockerEndpoint);
  const net = await inspectNetwork(docker, network);
  if (!net || net.Labels?.[LABEL_STACK_ID] !== req.stackId || Object.keys(net.Containers ?? {}).length > 0) return;
  const configs = (net.IPAM?.Config ?? []) as { Subnet?: string; Gateway?: string }[];
  const kept = configs.filter((c) => c.Subnet && c.Subnet !== subnet);
  if (kept.length === configs.length) return;
  // With no subnet of its own left, the net takes whatever Docker picks again, which a later subnet replaces.
  const { 'org.stoke.subnets': _subnets, ...labels } = net.Labels;
  stopIfCancelled();
  await docker.getNetwork(net.Id).remove();
  await docker.createNetwork({
    Name: network, Driver: 'bridge', CheckDuplicate: true,
    ...(kept.length > 0
      ? { Labels: net.Labels, IPAM: { Driver: 'default', Config: kept.map((c) => ({ Subnet: c.Subnet!, Gateway: c.Gateway })) } }
      : { Labels: labels }),
  });
}

/** An address for a port: the one asked for, else a free one of the subnet, spread by the port's identity. */
async function allocate(docker: Docker, network: string, req: CreateResourceRequest, taken: Set<string>): Promise<{ ip: string; subnet: string }> {
  const net = await inspectNetwork(docker, network);
  const config = ((net?.IPAM?.Config ?? []) as { Subnet?: string; Gateway?: string }[]).find((c) => c.Subnet && parseCidr(c.Subnet));
  if (!net || !config) return { ip: '', subnet: '' };
  const cidr = parseCidr(config.Subnet!)!;
  for (const c of Object.values(net.Containers ?? {})) taken.add(c.IPv4Address.split('/')[0]!);
  if (config.Gateway) taken.add(config.Gateway);
  const usable = cidr.size - 3;
  const start = crypto.createHash('sha256').update(`${req.stackId}/${req.resource}`).digest().readUInt32BE(0) % usable;
  for (let i = 0; i < usable; i++) {
    const ip = intToIp(cidr.base + 2 + ((start + i) % usable));
    if (!taken.has(ip)) return { ip, subnet: config.Subnet! };
  }
  throw ApplicationFailure.nonRetryable(`network ${network} has no free address left`, 'NetworkFull');
}

export async function createPort(req: CreateResourceRequest, engine: Engine): Promise<CreatedResource> {
  const docker = dockerFor(engine.dockerEndpoint);
  const p = req.properties;
  const network = str(p.network ?? p.network_id);
  if (!network || !(await inspectNetwork(docker, network))) invalid(req, 'network', `network '${network}' does not exist`);
  const fixed = (Array.isArray(p.fixed_ips) ? p.fixed_ips : [])[0] as JsonObject | undefined;
  let ip = str(fixed?.ip_address);
  let subnetId = str(fixed?.subnet ?? fixed?.subnet_id);
  if (subnetId) {
    const subnet = siblingLookup(req)(subnetId);
    if (subnet && str(subnet.attributes.network_id) !== network) invalid(req, 'fixed_ips[0]', `subnet ${subnetId} is not on network ${network}`);
  }
  if (!ip) {
    const allocated = await allocate(docker, network, req, new Set(takenAddresses(req)));
    ip = allocated.ip;
    subnetId ||= allocated.subnet ? `${network}/${allocated.subnet}` : '';
  }
  return {
    physicalId: crypto.randomUUID(),
    attributes: {
      name: str(p.name), network_id: network, fixed_ips: ip ? [{ subnet_id: subnetId, ip_address: ip }] : [],
      mac_address: str(p.mac_address), security_groups: p.security_groups ?? [], status: 'ACTIVE',
      subnets: subnetId ? [subnetId] : [], admin_state_up: p.admin_state_up ?? true, device_id: str(p.device_id),
      device_owner: str(p.device_owner),
      show: { ...p, not_enforced: 'security_groups, allowed_address_pairs and port security are recorded only' },
    },
  };
}

export function createNeutronFloatingIp(req: CreateResourceRequest): CreatedResource {
  const p = req.properties;
  let address = '';
  if (p.port_id) {
    const port = siblingLookup(req)(str(p.port_id));
    if (!port || port.type !== 'OS::Neutron::Port') invalid(req, 'port_id', `'${str(p.port_id)}' is not a port of this stack`);
    address = str((port.attributes.fixed_ips as JsonObject[] | undefined)?.[0]?.ip_address);
  }
  if (p.floating_ip_address && str(p.floating_ip_address) !== address) {
    invalid(req, 'floating_ip_address', 'the docker driver has no NAT: a floating IP is the port\'s own address, reachable from this host');
  }
  return {
    physicalId: crypto.randomUUID(),
    attributes: {
      floating_ip_address: address, fixed_ip_address: address, floating_network_id: str(p.floating_network ?? p.floating_network_id),
      port_id: str(p.port_id), router_id: '',
      show: { ...p, not_enforced: 'no NAT: the floating address is the port\'s address on its Docker network, reachable from this host only' },
    },
  };
}

/** The server a CFN address resource names, and its address (the one the host reaches), or refused if it is none of this stack's. */
function serverAddress(req: CreateResourceRequest, property: string): string {
  const id = str(req.properties[property]);
  const server = siblingLookup(req)(id);
  if (!server || !['AWS::EC2::Instance', 'OS::Nova::Server'].includes(server.type)) invalid(req, property, `'${id}' is not a server of this stack`);
  return str(server.attributes.PublicIp ?? server.attributes.accessIPv4);
}

export function createEip(req: CreateResourceRequest): CreatedResource {
  const address = req.properties.InstanceId ? serverAddress(req, 'InstanceId') : '';
  const physicalId = crypto.randomUUID();
  return {
    physicalId, refId: address,
    attributes: {
      AllocationId: physicalId,
      show: { ...req.properties, address, not_enforced: 'no pool and no NAT: the address is the instance\'s own, reachable from this host; without InstanceId there is none' },
    },
  };
}

export function createEipAssociation(req: CreateResourceRequest): CreatedResource {
  const address = req.properties.InstanceId ? serverAddress(req, 'InstanceId') : '';
  const eip = str(req.properties.EIP);
  if (eip && address && eip !== address) {
    invalid(req, 'EIP', `the docker driver has no NAT: the instance is reached at its own address ${address}, not ${eip}`);
  }
  return recorded(req, 'recorded only: the docker driver already reaches the instance at its own address');
}

export const createSecurityGroup = (req: CreateResourceRequest) =>
  recorded(req, 'rules are NOT enforced: Docker bridge networks pass all traffic between the host and servers');

export const createRouter = (req: CreateResourceRequest) => recorded(req, 'no router is created: Docker bridges already route between the host and each network',
  { name: str(req.properties.name), status: 'ACTIVE', external_gateway_info: req.properties.external_gateway_info ?? {}, admin_state_up: true });

export const createNovaFloatingIp = (req: CreateResourceRequest) =>
  recorded(req, 'no address is allocated: the server is reached at its own address (its networks attribute)', { pool: str(req.properties.pool), ip: '' });

/** Router interfaces and floating IP associations: the host reaches every network already. */
export const createAssociation = (req: CreateResourceRequest) => recorded(req, 'recorded only: the docker driver already reaches every network from the host');

export async function networkLabel(docker: Docker, network: string): Promise<string> {
  const net = await inspectNetwork(docker, network);
  return net?.Labels?.[LABEL_NET_NAME] ?? network;
}

export async function networkGateway(docker: Docker, network: string): Promise<string> {
  const net = await inspectNetwork(docker, network);
  const config = (net?.IPAM?.Config ?? []) as { Subnet?: string; Gateway?: string }[];
  const withGateway = config.find((c) => c.Gateway);
  if (withGateway) return withGateway.Gateway!;
  // Docker leaves the gateway out of the default bridge's IPAM config: it is the subnet's first address.
  const cidr = config.map((c) => parseCidr(c.Subnet ?? '')).find(Boolean);
  return cidr ? intToIp(cidr.base + 1) : '';
}
