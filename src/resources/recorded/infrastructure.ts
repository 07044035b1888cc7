/**
 * Infrastructure a local engine has no counterpart of, recorded only with Heat's schemas: Cinder volume types,
 * Nova host aggregates, Neutron router gateways, VPN and trunks, and Heat's CFN access policy.
 */
import { recorded, type RecordedResource } from './type';

/** What Neutron's VPN types report besides their properties: their state, and the project stoke stands for. */
const neutronValues = ({ properties: p, stack, resource }: RecordedResource) => ({
  status: 'ACTIVE', tenant_id: 'stoke', name: p.name ?? `${stack}-${resource}`,
});

export const cinderVolumeType = recorded({
  name: 'OS::Cinder::VolumeType',
  description: 'A Cinder volume type: recorded only, every volume here is a local Docker volume.',
  supportStatus: { status: 'SUPPORTED', version: '2015.1' },
  properties: {
    name: { type: 'string', required: true, updateAllowed: true, description: 'Name of the volume type.' },
    metadata: { type: 'map', updateAllowed: true, description: 'The extra specs key and value pairs of the volume type.' },
    is_public: { type: 'boolean', default: true, updateAllowed: true, since: '5.0.0', description: 'Whether the volume type is accessible to the public.' },
    description: { type: 'string', updateAllowed: true, since: '5.0.0', description: 'Description of the volume type.' },
    projects: {
      type: 'list', default: [], updateAllowed: true, since: '5.0.0', description: 'Projects to add volume type access to. NOTE: This property is only supported since Cinder API V2.',
      items: { type: 'string', constraints: [{ customConstraint: 'keystone.project' }], description: '' },
    },
  },
  attributes: {},
});

export const cinderEncryptedVolumeType = recorded({
  name: 'OS::Cinder::EncryptedVolumeType',
  description: 'Encryption for a Cinder volume type: recorded only, NOT applied (local Docker volumes are not encrypted).',
  supportStatus: { status: 'SUPPORTED', version: '5.0.0' },
  properties: {
    provider: { type: 'string', required: true, updateAllowed: true, description: 'The class that provides encryption support. For example, nova.volume.encryptors.luks.LuksEncryptor.' },
    control_location: { type: 'string', default: 'front-end', updateAllowed: true, allowedValues: ['front-end', 'back-end'], description: 'Notional service where encryption is performed For example, front-end. For Nova.' },
    cipher: { type: 'string', updateAllowed: true, allowedValues: ['aes-xts-plain64', 'aes-cbc-essiv'], description: 'The encryption algorithm or mode. For example, aes-xts-plain64.' },
    key_size: { type: 'integer', updateAllowed: true, description: 'Size of encryption key, in bits. For example, 128 or 256.' },
    volume_type: { type: 'string', required: true, constraints: [{ customConstraint: 'cinder.vtype' }], description: 'Name or id of volume type (OS::Cinder::VolumeType).' },
  },
  attributes: {},
});

export const novaHostAggregate = recorded({
  name: 'OS::Nova::HostAggregate',
  description: 'A Nova host aggregate: recorded only, one Docker engine is all the hosts there are.',
  supportStatus: { status: 'SUPPORTED', version: '6.0.0' },
  properties: {
    name: { type: 'string', required: true, updateAllowed: true, description: 'Name for the aggregate.' },
    availability_zone: { type: 'string', updateAllowed: true, description: 'Name for the availability zone.' },
    hosts: {
      type: 'list', updateAllowed: true, description: 'List of hosts to join aggregate.',
      items: { type: 'string', constraints: [{ customConstraint: 'nova.host' }], description: '' },
    },
    metadata: { type: 'map', default: {  }, updateAllowed: true, description: 'Arbitrary key/value metadata to store information for aggregate.' },
  },
  attributes: {},
});

export const neutronRouterGateway = recorded({
  name: 'OS::Neutron::RouterGateway',
  description: 'A router\'s gateway (Heat: use the router\'s external_gateway_info): recorded only, Docker bridges reach the host already.',
  supportStatus: { status: 'HIDDEN', version: '5.0.0', message: 'Use the `external_gateway_info` property in the router resource to set up the gateway.' },
  properties: {
    router_id: { type: 'string', required: true, constraints: [{ customConstraint: 'neutron.router' }], description: 'ID of the router.' },
    network_id: { type: 'string', constraints: [{ customConstraint: 'neutron.network' }], description: ' (hidden in Heat: Use property network.)' },
    network: { type: 'string', constraints: [{ customConstraint: 'neutron.network' }], description: 'external network for the gateway.' },
  },
  attributes: {},
});

export const neutronVpnService = recorded({
  name: 'OS::Neutron::VPNService',
  replaced: { subnet_id: 'subnet', router_id: 'router' },
  description: 'A VPN service: recorded only, no tunnel is made.',
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name for the vpn service.' },
    description: { type: 'string', updateAllowed: true, description: 'Description for the vpn service.' },
    admin_state_up: { type: 'boolean', default: true, updateAllowed: true, description: 'Administrative state for the vpn service.' },
    subnet_id: { type: 'string', constraints: [{ customConstraint: 'neutron.subnet' }], description: ' (hidden in Heat: Use property subnet.)' },
    subnet: { type: 'string', required: true, since: '2014.2', constraints: [{ customConstraint: 'neutron.subnet' }], description: 'Subnet in which the vpn service will be created.' },
    router_id: { type: 'string', constraints: [{ customConstraint: 'neutron.router' }], description: 'Unique identifier for the router to which the vpn service will be inserted. (hidden in Heat)' },
    router: { type: 'string', required: true, since: '2015.1', constraints: [{ customConstraint: 'neutron.router' }], description: 'The router to which the vpn service will be inserted.' },
  },
  attributes: {
    admin_state_up: { description: 'The administrative state of the vpn service.', type: 'string' },
    description: { description: 'The description of the vpn service.', type: 'string' },
    name: { description: 'The name of the vpn service.', type: 'string' },
    router_id: { description: 'The unique identifier of the router to which the vpn service was inserted.', type: 'string' },
    status: { description: 'The status of the vpn service.', type: 'string' },
    subnet_id: { description: 'The unique identifier of the subnet in which the vpn service was created.', type: 'string' },
    tenant_id: { description: 'The unique identifier of the tenant owning the vpn service.', type: 'string' },
  },
  values: neutronValues,
});

export const neutronIkePolicy = recorded({
  name: 'OS::Neutron::IKEPolicy',
  description: 'An IKE policy: recorded only.',
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name for the ike policy.' },
    description: { type: 'string', updateAllowed: true, description: 'Description for the ike policy.' },
    auth_algorithm: { type: 'string', default: 'sha1', updateAllowed: true, allowedValues: ['sha1', 'sha256', 'sha384', 'sha512'], description: 'Authentication hash algorithm for the ike policy.' },
    encryption_algorithm: { type: 'string', default: 'aes-128', updateAllowed: true, allowedValues: ['3des', 'aes-128', 'aes-192', 'aes-256'], description: 'Encryption algorithm for the ike policy.' },
    phase1_negotiation_mode: { type: 'string', default: 'main', allowedValues: ['main'], description: 'Negotiation mode for the ike policy.' },
    lifetime: {
      type: 'map', updateAllowed: true, description: 'Safety assessment lifetime configuration for the ike policy.',
      keys: {
        units: { type: 'string', default: 'seconds', allowedValues: ['seconds', 'kilobytes'], description: 'Safety assessment lifetime units.' },
        value: { type: 'integer', default: 3600, description: 'Safety assessment lifetime value in specified units.' },
      },
    },
    pfs: { type: 'string', default: 'group5', updateAllowed: true, allowedValues: ['group2', 'group5', 'group14'], description: 'Perfect forward secrecy in lowercase for the ike policy.' },
    ike_version: { type: 'string', default: 'v1', updateAllowed: true, allowedValues: ['v1', 'v2'], description: 'Version for the ike policy.' },
  },
  attributes: {
    auth_algorithm: { description: 'The authentication hash algorithm used by the ike policy.', type: 'string' },
    description: { description: 'The description of the ike policy.', type: 'string' },
    encryption_algorithm: { description: 'The encryption algorithm used by the ike policy.', type: 'string' },
    ike_version: { description: 'The version of the ike policy.', type: 'string' },
    lifetime: { description: 'The safety assessment lifetime configuration for the ike policy.', type: 'map' },
    name: { description: 'The name of the ike policy.', type: 'string' },
    pfs: { description: 'The perfect forward secrecy of the ike policy.', type: 'string' },
    phase1_negotiation_mode: { description: 'The negotiation mode of the ike policy.', type: 'string' },
    tenant_id: { description: 'The unique identifier of the tenant owning the ike policy.', type: 'string' },
  },
  values: neutronValues,
});

export const neutronIpsecPolicy = recorded({
  name: 'OS::Neutron::IPsecPolicy',
  description: 'An IPsec policy: recorded only.',
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name for the ipsec policy.' },
    description: { type: 'string', updateAllowed: true, description: 'Description for the ipsec policy.' },
    transform_protocol: { type: 'string', default: 'esp', allowedValues: ['esp', 'ah', 'ah-esp'], description: 'Transform protocol for the ipsec policy.' },
    encapsulation_mode: { type: 'string', default: 'tunnel', allowedValues: ['tunnel', 'transport'], description: 'Encapsulation mode for the ipsec policy.' },
    auth_algorithm: { type: 'string', default: 'sha1', allowedValues: ['sha1'], description: 'Authentication hash algorithm for the ipsec policy.' },
    encryption_algorithm: { type: 'string', default: 'aes-128', allowedValues: ['3des', 'aes-128', 'aes-192', 'aes-256'], description: 'Encryption algorithm for the ipsec policy.' },
    lifetime: {
      type: 'map', description: 'Safety assessment lifetime configuration for the ipsec policy.',
      keys: {
        units: { type: 'string', default: 'seconds', allowedValues: ['seconds', 'kilobytes'], description: 'Safety assessment lifetime units.' },
        value: { type: 'integer', default: 3600, description: 'Safety assessment lifetime value in specified units.' },
      },
    },
    pfs: { type: 'string', default: 'group5', allowedValues: ['group2', 'group5', 'group14'], description: 'Perfect forward secrecy for the ipsec policy.' },
  },
  attributes: {
    auth_algorithm: { description: 'The authentication hash algorithm of the ipsec policy.', type: 'string' },
    description: { description: 'The description of the ipsec policy.', type: 'string' },
    encapsulation_mode: { description: 'The encapsulation mode of the ipsec policy.', type: 'string' },
    encryption_algorithm: { description: 'The encryption algorithm of the ipsec policy.', type: 'string' },
    lifetime: { description: 'The safety assessment lifetime configuration of the ipsec policy.', type: 'map' },
    name: { description: 'The name of the ipsec policy.', type: 'string' },
    pfs: { description: 'The perfect forward secrecy of the ipsec policy.', type: 'string' },
    tenant_id: { description: 'The unique identifier of the tenant owning the ipsec policy.', type: 'string' },
    transform_protocol: { description: 'The transform protocol of the ipsec policy.', type: 'string' },
  },
  values: neutronValues,
});

export const neutronIpsecSiteConnection = recorded({
  name: 'OS::Neutron::IPsecSiteConnection',
  description: 'An IPsec site connection: recorded only, no tunnel is made.',
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name for the ipsec site connection.' },
    description: { type: 'string', updateAllowed: true, description: 'Description for the ipsec site connection.' },
    peer_address: { type: 'string', required: true, description: 'Remote branch router public IPv4 address or IPv6 address or FQDN.' },
    peer_id: { type: 'string', required: true, description: 'Remote branch router identity.' },
    peer_cidrs: {
      type: 'list', required: true, description: 'Remote subnet(s) in CIDR format.',
      items: { type: 'string', constraints: [{ customConstraint: 'net_cidr' }], description: '' },
    },
    mtu: { type: 'integer', default: 1500, description: 'Maximum transmission unit size (in bytes) for the ipsec site connection.' },
    dpd: {
      type: 'map', description: 'Dead Peer Detection protocol configuration for the ipsec site connection.',
      keys: {
        actions: { type: 'string', default: 'hold', allowedValues: ['clear', 'disabled', 'hold', 'restart', 'restart-by-peer'], description: 'Controls DPD protocol mode.' },
        interval: { type: 'integer', default: 30, description: 'Number of seconds for the DPD delay.' },
        timeout: { type: 'integer', default: 120, description: 'Number of seconds for the DPD timeout.' },
      },
    },
    psk: { type: 'string', required: true, description: 'Pre-shared key string for the ipsec site connection.' },
    initiator: { type: 'string', default: 'bi-directional', allowedValues: ['bi-directional', 'response-only'], description: 'Initiator state in lowercase for the ipsec site connection.' },
    admin_state_up: { type: 'boolean', default: true, updateAllowed: true, description: 'Administrative state for the ipsec site connection.' },
    ikepolicy_id: { type: 'string', required: true, description: 'Unique identifier for the ike policy associated with the ipsec site connection.' },
    ipsecpolicy_id: { type: 'string', required: true, description: 'Unique identifier for the ipsec policy associated with the ipsec site connection.' },
    vpnservice_id: { type: 'string', required: true, description: 'Unique identifier for the vpn service associated with the ipsec site connection.' },
  },
  attributes: {
    admin_state_up: { description: 'The administrative state of the ipsec site connection.', type: 'string' },
    auth_mode: { description: 'The authentication mode of the ipsec site connection.', type: 'string' },
    description: { description: 'The description of the ipsec site connection.', type: 'string' },
    dpd: { description: 'The dead peer detection protocol configuration of the ipsec site connection.', type: 'map' },
    ikepolicy_id: { description: 'The unique identifier of ike policy associated with the ipsec site connection.', type: 'string' },
    initiator: { description: 'The initiator of the ipsec site connection.', type: 'string' },
    ipsecpolicy_id: { description: 'The unique identifier of ipsec policy associated with the ipsec site connection.', type: 'string' },
    mtu: { description: 'The maximum transmission unit size (in bytes) of the ipsec site connection.', type: 'string' },
    name: { description: 'The name of the ipsec site connection.', type: 'string' },
    peer_address: { description: 'The remote branch router public IPv4 address or IPv6 address or FQDN.', type: 'string' },
    peer_cidrs: { description: 'The remote subnet(s) in CIDR format of the ipsec site connection.', type: 'list' },
    peer_id: { description: 'The remote branch router identity of the ipsec site connection.', type: 'string' },
    psk: { description: 'The pre-shared key string of the ipsec site connection.', type: 'string' },
    route_mode: { description: 'The route mode of the ipsec site connection.', type: 'string' },
    status: { description: 'The status of the ipsec site connection.', type: 'string' },
    tenant_id: { description: 'The unique identifier of the tenant owning the ipsec site connection.', type: 'string' },
    vpnservice_id: { description: 'The unique identifier of vpn service associated with the ipsec site connection.', type: 'string' },
  },
  values: neutronValues,
});

export const neutronTrunk = recorded({
  name: 'OS::Neutron::Trunk',
  description: 'A trunk of ports with VLAN sub-ports: recorded only, a server joins the parent port\'s network only.',
  supportStatus: { status: 'SUPPORTED', version: '9.0.0' },
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'A string specifying a symbolic name for the trunk, which is not required to be uniqe.' },
    port: { type: 'string', required: true, immutable: true, constraints: [{ customConstraint: 'neutron.port' }], description: 'ID or name of a port to be used as a parent port.' },
    sub_ports: {
      type: 'list', updateAllowed: true, description: 'List with 0 or more map elements containing subport details.',
      items: {
        type: 'map', description: '',
        keys: {
          port: { type: 'string', required: true, constraints: [{ customConstraint: 'neutron.port' }], description: 'ID or name of a port to be used as a subport.' },
          segmentation_type: { type: 'string', required: true, allowedValues: ['vlan'], description: 'Segmentation type to be used on the subport.' },
          segmentation_id: { type: 'integer', required: true, range: { min: 1, max: 4094 }, description: 'The segmentation ID on which the subport network is presented to the instance.' },
        },
      },
    },
    description: { type: 'string', updateAllowed: true, description: 'Description for the trunk.' },
    admin_state_up: { type: 'boolean', updateAllowed: true, description: 'Enable/disable subport addition, removal and trunk delete.' },
  },
  attributes: {
    port_id: { description: 'ID or name of a port used as a parent port.', type: 'string' },
  },
  values: ({ properties: p }) => ({ port_id: p.port ?? null }),
});

export const accessPolicy = recorded({
  name: 'OS::Heat::AccessPolicy',
  description: 'Which resources a CFN user may describe through Heat\'s CFN API: recorded only, stoke has no CFN API.',
  properties: {
    AllowedResources: { type: 'list', required: true, description: 'Resources that users are allowed to access by the DescribeStackResource API.' },
  },
  attributes: {},
});

export const INFRASTRUCTURE_TYPES = [
  cinderVolumeType, cinderEncryptedVolumeType, novaHostAggregate, neutronRouterGateway, neutronVpnService, neutronIkePolicy,
  neutronIpsecPolicy, neutronIpsecSiteConnection, neutronTrunk, accessPolicy,
];
