import type { PropertySchema, ResourceType } from '../plugin';
import type { RunProfile } from '../../template/types';

/** The lifecycle code loads on the first call: validation and `resource type list` need the schemas only. */
const lifecycle = () => import('./handler');

/**
 * Neutron and Nova network types, mapped to what one Docker engine can do: a Net (with its Subnet's
 * CIDR) is a Docker bridge network, a Port is an address reserved on it, a floating IP is the server
 * address the host reaches. What Docker cannot enforce (security group rules, routers, quotas) is
 * recorded and said so in the resource's `show` attribute, never pretended.
 */
const show = { show: { description: 'All details, including what the docker driver does not enforce.' } };

/** A type that only records what it is given makes nothing on an engine that two copies could contend for. */
const RECORDED: RunProfile = { where: 'activity', copies: true };

export const neutronNet: ResourceType = {
  name: 'OS::Neutron::Net',
  runs: { where: 'activity', heartbeat: true, copies: true },
  handler: {
    create: async (req, ctx) => (await lifecycle()).createNet(req, ctx),
    delete: async (req, ctx) => (await lifecycle()).deleteNet(req, ctx),
    check: async (req, ctx) => (await lifecycle()).checkNet(req, ctx),
  },
  description: 'A Docker bridge network (its CIDR comes from the first Subnet).',
  properties: {
    name: { type: 'string', description: 'Network name; the Docker network is <stack>-<name or resource>, and a copy id for a copy an update made.' },
    admin_state_up: { type: 'boolean', default: true, description: 'Recorded only.' },
    shared: { type: 'boolean', default: false, description: 'Recorded only.' },
    port_security_enabled: { type: 'boolean', description: 'Recorded only.' },
    value_specs: { type: 'map', default: {}, description: 'Recorded only.' },
    tenant_id: { type: 'string', description: 'Recorded only.' },
    dns_domain: { type: 'string', description: 'Recorded only.' },
    tags: { type: 'list', description: 'Recorded only.' },
  },
  attributes: {
    name: { description: 'Network name.' },
    status: { description: '"ACTIVE".' },
    subnets: { description: 'Subnets of the network.' },
    admin_state_up: { description: 'As given.' },
    mtu: { description: 'The bridge MTU.' },
    ...show,
  },
};

export const neutronSubnet: ResourceType = {
  name: 'OS::Neutron::Subnet',
  runs: { where: 'activity', heartbeat: true, copies: true },
  handler: {
    create: async (req, ctx) => (await lifecycle()).createSubnet(req, ctx),
    delete: async (req, ctx) => (await lifecycle()).deleteSubnet(req, ctx),
  },
  description: 'Gives its network a CIDR and gateway: the Docker network is (re)created with them.',
  properties: {
    network: { type: 'string', description: 'The network.' },
    network_id: { type: 'string', description: 'The network (deprecated name).' },
    // Docker refuses a network whose subnet overlaps another network's.
    cidr: { type: 'string', exclusive: true, description: 'CIDR of the subnet, e.g. 10.0.0.0/24.' },
    gateway_ip: { type: 'string', description: 'Gateway address (default: the first address).' },
    ip_version: { type: 'integer', default: 4, allowedValues: ['4', '6'], description: '4 or 6.' },
    name: { type: 'string', description: 'Subnet name.' },
    enable_dhcp: { type: 'boolean', default: true, description: 'Docker always assigns addresses.' },
    dns_nameservers: { type: 'list', default: [], description: 'Given to servers on this subnet as their DNS servers.' },
    allocation_pools: { type: 'list', description: 'Pools of addresses: the first becomes Docker\'s ip-range.' },
    host_routes: { type: 'list', description: 'Recorded, not applied.' },
    value_specs: { type: 'map', default: {}, description: 'Recorded only.' },
    tenant_id: { type: 'string', description: 'Recorded only.' },
    tags: { type: 'list', description: 'Recorded only.' },
  },
  attributes: {
    name: { description: 'Subnet name.' },
    network_id: { description: 'The network.' },
    cidr: { description: 'The CIDR.' },
    gateway_ip: { description: 'The gateway address.' },
    ip_version: { description: '4 or 6.' },
    allocation_pools: { description: 'Pools of addresses.' },
    dns_nameservers: { description: 'DNS servers.' },
    enable_dhcp: { description: 'True.' },
    host_routes: { description: 'As given.' },
    ...show,
  },
};

export const neutronRouter: ResourceType = {
  name: 'OS::Neutron::Router',
  runs: RECORDED,
  handler: { create: async (req) => (await lifecycle()).createRouter(req) },
  description: 'Recorded only: Docker bridge networks already route to the host.',
  properties: {
    name: { type: 'string', description: 'Router name.' },
    external_gateway_info: { type: 'map', description: 'Recorded only.' },
    admin_state_up: { type: 'boolean', default: true, description: 'Recorded only.' },
    value_specs: { type: 'map', default: {}, description: 'Recorded only.' },
    distributed: { type: 'boolean', description: 'Recorded only.' },
    ha: { type: 'boolean', description: 'Recorded only.' },
    l3_agent_ids: { type: 'list', description: 'Recorded only.' },
    tags: { type: 'list', description: 'Recorded only.' },
  },
  attributes: {
    name: { description: 'Router name.' },
    status: { description: '"ACTIVE".' },
    external_gateway_info: { description: 'As given.' },
    admin_state_up: { description: 'As given.' },
    ...show,
  },
};

export const neutronRouterInterface: ResourceType = {
  name: 'OS::Neutron::RouterInterface',
  runs: RECORDED,
  handler: { create: async (req) => (await lifecycle()).createAssociation(req) },
  description: 'Recorded only: the subnet\'s network is already reachable from the host.',
  properties: {
    router: { type: 'string', description: 'The router.' },
    router_id: { type: 'string', description: 'The router (deprecated name).' },
    subnet: { type: 'string', description: 'The subnet.' },
    subnet_id: { type: 'string', description: 'The subnet (deprecated name).' },
    port: { type: 'string', description: 'The port.' },
    port_id: { type: 'string', description: 'The port (deprecated name).' },
  },
  attributes: {},
};

export const neutronPort: ResourceType = {
  name: 'OS::Neutron::Port',
  runs: { where: 'activity', needs: ['siblings', 'addresses'], copies: true },
  handler: { create: async (req, ctx) => (await lifecycle()).createPort(req, ctx) },
  description: 'An address reserved on a network; the server that uses the port joins the network with that address.',
  properties: {
    network: { type: 'string', description: 'The network.' },
    network_id: { type: 'string', description: 'The network (deprecated name).' },
    name: { type: 'string', description: 'Port name.' },
    fixed_ips: { type: 'list', exclusive: ['ip_address'], description: 'Addresses: [{subnet|subnet_id, ip_address}]; the first is used.' },
    security_groups: { type: 'list', description: 'Recorded, not enforced.' },
    mac_address: { type: 'string', description: 'MAC address of the server\'s interface.' },
    admin_state_up: { type: 'boolean', default: true, description: 'Recorded only.' },
    allowed_address_pairs: { type: 'list', description: 'Recorded only.' },
    port_security_enabled: { type: 'boolean', description: 'Recorded only.' },
    device_owner: { type: 'string', description: 'Recorded only.' },
    device_id: { type: 'string', description: 'Recorded only.' },
    value_specs: { type: 'map', default: {}, description: 'Recorded only.' },
    replacement_policy: { type: 'string', description: 'Recorded only.' },
    tags: { type: 'list', description: 'Recorded only.' },
  },
  attributes: {
    name: { description: 'Port name.' },
    fixed_ips: { description: '[{subnet_id, ip_address}].' },
    network_id: { description: 'The network.' },
    mac_address: { description: 'The MAC address, when given.' },
    security_groups: { description: 'As given (not enforced).' },
    status: { description: '"ACTIVE".' },
    subnets: { description: 'Subnets of the port.' },
    admin_state_up: { description: 'As given.' },
    device_id: { description: 'As given.' },
    device_owner: { description: 'As given.' },
    ...show,
  },
};

export const neutronSecurityGroup: ResourceType = {
  name: 'OS::Neutron::SecurityGroup',
  runs: RECORDED,
  handler: { create: async (req) => (await lifecycle()).createSecurityGroup(req) },
  description: 'Rules recorded but NOT enforced: Docker bridge networks let every port through.',
  properties: {
    name: { type: 'string', description: 'Security group name.' },
    description: { type: 'string', description: 'Description.' },
    rules: { type: 'list', default: [], description: 'Rules: [{direction, ethertype, protocol, port_range_min, port_range_max, remote_ip_prefix, remote_mode, remote_group_id}].' },
    tags: { type: 'list', description: 'Recorded only.' },
  },
  attributes: show,
};

/** Heat's rule keys, for ingress and egress alike (ports are strings in Heat's schema: numbers are taken as text). */
const ec2Rule: PropertySchema = {
  type: 'map',
  description: 'A rule: {IpProtocol, FromPort, ToPort, CidrIp, SourceSecurityGroupId, SourceSecurityGroupName, SourceSecurityGroupOwnerId}.',
  keys: Object.fromEntries(['CidrIp', 'FromPort', 'ToPort', 'IpProtocol', 'SourceSecurityGroupId', 'SourceSecurityGroupName', 'SourceSecurityGroupOwnerId']
    .map((key): [string, PropertySchema] => [key, { type: 'string', description: 'Recorded only.' }])),
};

/**
 * The CFN spelling of a security group. Not an alias of the Neutron one: its rules have another shape
 * (CidrIp, FromPort… against remote_ip_prefix, port_range_min…) that a rename of properties cannot carry,
 * and recording them as given is all either type does.
 */
export const ec2SecurityGroup: ResourceType = {
  name: 'AWS::EC2::SecurityGroup',
  runs: RECORDED,
  handler: { create: async (req) => (await lifecycle()).createSecurityGroup(req) },
  description: 'Rules recorded but NOT enforced: Docker bridge networks let every port through.',
  properties: {
    GroupDescription: { type: 'string', required: true, description: 'Description of the security group.' },
    VpcId: { type: 'string', description: 'Recorded only (Heat: not implemented).' },
    SecurityGroupIngress: { type: 'list', items: ec2Rule, description: 'Ingress rules: recorded, not enforced.' },
    SecurityGroupEgress: { type: 'list', items: ec2Rule, description: 'Egress rules: recorded, not enforced.' },
  },
  attributes: show,
};

export const neutronFloatingIp: ResourceType = {
  name: 'OS::Neutron::FloatingIP',
  runs: { ...RECORDED, needs: ['siblings'] },
  handler: { create: async (req) => (await lifecycle()).createNeutronFloatingIp(req) },
  description: 'The address the host reaches the port\'s server at: its address on the port\'s network.',
  properties: {
    floating_network: { type: 'string', description: 'External network: recorded only.' },
    floating_network_id: { type: 'string', description: 'External network (deprecated name): recorded only.' },
    port_id: { type: 'string', description: 'The port whose server the address reaches.' },
    fixed_ip_address: { type: 'string', description: 'Recorded only.' },
    floating_ip_address: { type: 'string', description: 'Refused unless it is the port\'s own address: no NAT here.' },
    value_specs: { type: 'map', default: {}, description: 'Recorded only.' },
    dns_name: { type: 'string', description: 'Recorded only.' },
    dns_domain: { type: 'string', description: 'Recorded only.' },
  },
  attributes: {
    floating_ip_address: { description: 'The port\'s address, reachable from the host ("" without a port).' },
    fixed_ip_address: { description: 'The port\'s address.' },
    floating_network_id: { description: 'As given.' },
    port_id: { description: 'As given.' },
    router_id: { description: 'Empty: no router is involved.' },
    ...show,
  },
};

export const neutronFloatingIpAssociation: ResourceType = {
  name: 'OS::Neutron::FloatingIPAssociation',
  runs: RECORDED,
  handler: { create: async (req) => (await lifecycle()).createAssociation(req) },
  description: 'Recorded only: a floating IP already is the port\'s address.',
  properties: {
    floatingip_id: { type: 'string', required: true, description: 'The floating IP.' },
    port_id: { type: 'string', required: true, description: 'The port.' },
    fixed_ip_address: { type: 'string', description: 'Recorded only.' },
  },
  attributes: {},
};

/**
 * The CFN elastic IP, as the Neutron floating IP is here: no pool and no NAT, so the address is the
 * instance's own, which the host reaches. One that names no instance has no address of its own.
 */
export const ec2Eip: ResourceType = {
  name: 'AWS::EC2::EIP',
  runs: { ...RECORDED, needs: ['siblings'] },
  handler: { create: async (req) => (await lifecycle()).createEip(req) },
  description: 'The address the host reaches the instance at (its own: no NAT); Ref gives it, and is empty without InstanceId.',
  properties: {
    Domain: { type: 'string', allowedValues: ['vpc'], description: 'Recorded only (deprecated in Heat).' },
    InstanceId: { type: 'string', description: 'The server whose address this is.' },
  },
  attributes: {
    AllocationId: { description: 'The allocation\'s id (the resource\'s physical id).', type: 'string' },
    ...show,
  },
};

export const ec2EipAssociation: ResourceType = {
  name: 'AWS::EC2::EIPAssociation',
  runs: { ...RECORDED, needs: ['siblings'] },
  handler: { create: async (req) => (await lifecycle()).createEipAssociation(req) },
  description: 'Checks that the instance is a server of this stack; the host reaches it at its own address already.',
  properties: {
    InstanceId: { type: 'string', description: 'The server.' },
    EIP: { type: 'string', description: 'The EIP\'s address (its Ref).' },
    AllocationId: { type: 'string', description: 'The EIP\'s AllocationId: recorded only.' },
    NetworkInterfaceId: { type: 'string', description: 'Recorded only.' },
  },
  attributes: show,
};

export const novaFloatingIp: ResourceType = {
  name: 'OS::Nova::FloatingIP',
  runs: RECORDED,
  handler: { create: async (req) => (await lifecycle()).createNovaFloatingIp(req) },
  description: 'Allocated from no pool: its address is the server\'s own once associated (see the ip attribute).',
  properties: { pool: { type: 'string', description: 'Pool name: recorded only.' } },
  attributes: {
    pool: { description: 'As given.' },
    ip: { description: 'Empty: Nova floating IPs get their address only when associated; use the server\'s networks attribute.' },
  },
};

export const novaFloatingIpAssociation: ResourceType = {
  name: 'OS::Nova::FloatingIPAssociation',
  runs: RECORDED,
  handler: { create: async (req) => (await lifecycle()).createAssociation(req) },
  description: 'Checks that the server exists; the host reaches it at its own address.',
  properties: {
    floating_ip: { type: 'string', required: true, description: 'The floating IP.' },
    server_id: { type: 'string', required: true, description: 'The server.' },
  },
  attributes: {},
};

export const NETWORK_TYPES = [
  neutronNet, neutronSubnet, neutronRouter, neutronRouterInterface, neutronPort, neutronSecurityGroup, ec2SecurityGroup,
  neutronFloatingIp, neutronFloatingIpAssociation, novaFloatingIp, novaFloatingIpAssociation, ec2Eip, ec2EipAssociation,
];
