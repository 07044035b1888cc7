/**
 * Load balancers, recorded only: no balancer runs on a local engine, so each server is reached at its own
 * address. Octavia's types (LBaaS v2) and the CFN load balancer, with Heat's schemas.
 */
import { recorded } from './type';

export const octaviaLoadBalancer = recorded({
  name: 'OS::Octavia::LoadBalancer',
  description: 'An Octavia load balancer: recorded only, nothing balances traffic (reach each server at its own address).',
  supportStatus: { status: 'SUPPORTED', version: '10.0.0' },
  properties: {
    description: { type: 'string', default: '', updateAllowed: true, description: 'Description of this Load Balancer.' },
    name: { type: 'string', updateAllowed: true, description: 'Name of this Load Balancer.' },
    provider: { type: 'string', description: 'Provider for this Load Balancer.' },
    vip_address: { type: 'string', constraints: [{ customConstraint: 'ip_addr' }], description: 'IP address for the VIP.' },
    vip_subnet: { type: 'string', required: true, constraints: [{ customConstraint: 'neutron.subnet' }], description: 'The name or ID of the subnet on which to allocate the VIP address.' },
    admin_state_up: { type: 'boolean', default: true, updateAllowed: true, description: 'The administrative state of this Load Balancer.' },
    tenant_id: { type: 'string', constraints: [{ customConstraint: 'keystone.project' }], description: 'The ID of the tenant who owns the Load Balancer. Only administrative users can specify a tenant ID other than their own.' },
    flavor: { type: 'string', since: '14.0.0', constraints: [{ customConstraint: 'octavia.flavor' }], description: 'The name or ID of the flavor of the Load Balancer.' },
    availability_zone: { type: 'string', since: '17.0.0', constraints: [{ customConstraint: 'octavia.availabilityzone' }], description: 'The availability zone of the Load Balancer.' },
  },
  attributes: {
    vip_address: { description: 'The VIP address of the LoadBalancer.', type: 'string' },
    vip_port_id: { description: 'The VIP port of the LoadBalancer.', type: 'string' },
    vip_subnet_id: { description: 'The VIP subnet of the LoadBalancer.', type: 'string' },
    pools: { description: 'Pools this LoadBalancer is associated with.', type: 'list' },
    flavor_id: { description: 'The flavor ID of the LoadBalancer.', type: 'string' },
  },
  values: ({ properties: p }) => ({
    vip_address: p.vip_address ?? '', vip_port_id: null, vip_subnet_id: p.vip_subnet ?? null, pools: [], flavor_id: p.flavor ?? null,
  }),
});

export const octaviaListener = recorded({
  name: 'OS::Octavia::Listener',
  description: 'An Octavia listener: recorded only, nothing listens.',
  supportStatus: { status: 'SUPPORTED', version: '10.0.0' },
  properties: {
    protocol_port: { type: 'integer', required: true, range: { min: 1, max: 65535 }, description: 'TCP or UDP port on which to listen for client traffic.' },
    protocol: { type: 'string', required: true, allowedValues: ['TCP', 'HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'PROXY', 'UDP'], description: 'Protocol on which to listen for the client traffic.' },
    loadbalancer: { type: 'string', required: true, constraints: [{ customConstraint: 'octavia.loadbalancer' }], description: 'ID or name of the load balancer with which listener is associated.' },
    default_pool: { type: 'string', updateAllowed: true, constraints: [{ customConstraint: 'octavia.pool' }], description: 'ID or name of the default pool for the listener.' },
    name: { type: 'string', updateAllowed: true, description: 'Name of this listener.' },
    admin_state_up: { type: 'boolean', default: true, updateAllowed: true, description: 'The administrative state of this listener.' },
    description: { type: 'string', default: '', updateAllowed: true, description: 'Description of this listener.' },
    default_tls_container_ref: { type: 'string', updateAllowed: true, description: 'Default TLS container reference to retrieve TLS information.' },
    sni_container_refs: { type: 'list', updateAllowed: true, description: 'List of TLS container references for SNI.' },
    connection_limit: { type: 'integer', default: -1, updateAllowed: true, range: { min: -1 }, description: 'The maximum number of connections permitted for this load balancer. Defaults to -1, which is infinite.' },
    tenant_id: { type: 'string', description: 'The ID of the tenant who owns the listener.' },
    allowed_cidrs: {
      type: 'list', updateAllowed: true, since: '14.0.0', description: 'A list of IPv4, IPv6 or mix of both CIDRs. The default is all allowed. When a list of CIDRs is provided, the default switches to deny all.',
      items: { type: 'string', constraints: [{ customConstraint: 'net_cidr' }], description: '' },
    },
  },
  attributes: {
    loadbalancers: { description: 'ID of the load balancer this listener is associated to.', type: 'list' },
    default_pool_id: { description: 'ID of the default pool this listener is associated to.', type: 'string' },
  },
  values: ({ properties: p }) => ({ loadbalancers: p.loadbalancer ? [p.loadbalancer] : [], default_pool_id: p.default_pool ?? null }),
});

export const octaviaPool = recorded({
  name: 'OS::Octavia::Pool',
  description: 'An Octavia pool: recorded only.',
  supportStatus: { status: 'SUPPORTED', version: '10.0.0' },
  properties: {
    admin_state_up: { type: 'boolean', default: true, updateAllowed: true, description: 'The administrative state of this pool.' },
    description: { type: 'string', default: '', updateAllowed: true, description: 'Description of this pool.' },
    session_persistence: {
      type: 'map', updateAllowed: true, description: 'Configuration of session persistence.',
      keys: {
        type: { type: 'string', required: true, allowedValues: ['SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE'], description: 'Method of implementation of session persistence feature.' },
        cookie_name: { type: 'string', description: 'Name of the cookie, required if type is APP_COOKIE.' },
      },
    },
    name: { type: 'string', updateAllowed: true, description: 'Name of this pool.' },
    lb_algorithm: { type: 'string', required: true, updateAllowed: true, allowedValues: ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'], description: 'The algorithm used to distribute load between the members of the pool.' },
    listener: { type: 'string', constraints: [{ customConstraint: 'octavia.listener' }], description: 'Listener name or ID to be associated with this pool.' },
    loadbalancer: { type: 'string', constraints: [{ customConstraint: 'octavia.loadbalancer' }], description: 'Loadbalancer name or ID to be associated with this pool.' },
    protocol: { type: 'string', required: true, allowedValues: ['TCP', 'HTTP', 'HTTPS', 'TERMINATED_HTTPS', 'PROXY', 'UDP'], description: 'Protocol of the pool.' },
    tls_enabled: { type: 'boolean', default: false, updateAllowed: true, since: '14.0.0', description: 'Enable backend member re-encryption.' },
  },
  attributes: {
    healthmonitor_id: { description: 'ID of the health monitor associated with this pool.', type: 'string' },
    listeners: { description: 'Listener associated with this pool.', type: 'string' },
    members: { description: 'Members associated with this pool.', type: 'list' },
  },
  values: ({ properties: p }) => ({ healthmonitor_id: null, listeners: p.listener ? [p.listener] : [], members: [] }),
});

export const octaviaPoolMember = recorded({
  name: 'OS::Octavia::PoolMember',
  description: 'An Octavia pool member: recorded only, no traffic is sent to it.',
  supportStatus: { status: 'SUPPORTED', version: '10.0.0' },
  properties: {
    pool: { type: 'string', required: true, constraints: [{ customConstraint: 'octavia.pool' }], description: 'Name or ID of the load balancing pool.' },
    address: { type: 'string', required: true, constraints: [{ customConstraint: 'ip_addr' }], description: 'IP address of the pool member on the pool network.' },
    protocol_port: { type: 'integer', required: true, range: { min: 1, max: 65535 }, description: 'Port on which the pool member listens for requests or connections.' },
    monitor_address: { type: 'string', constraints: [{ customConstraint: 'ip_addr' }], description: 'Alternate IP address which health monitor can use for health check.' },
    monitor_port: { type: 'integer', range: { min: 1, max: 65535 }, description: 'Alternate Port which health monitor can use for health check.' },
    weight: { type: 'integer', default: 1, updateAllowed: true, range: { min: 0, max: 256 }, description: 'Weight of pool member in the pool (default to 1).' },
    admin_state_up: { type: 'boolean', default: true, updateAllowed: true, description: 'The administrative state of the pool member.' },
    subnet: { type: 'string', constraints: [{ customConstraint: 'neutron.subnet' }], description: 'Subnet name or ID of this member.' },
    tags: { type: 'list', updateAllowed: true, since: '13.0.0', description: 'A list of simple strings assigned to the member. The property is supported with Stein Octavia or newer version.' },
  },
  attributes: {},
});

export const octaviaHealthMonitor = recorded({
  name: 'OS::Octavia::HealthMonitor',
  description: 'An Octavia health monitor: recorded only, no member is probed.',
  supportStatus: { status: 'SUPPORTED', version: '10.0.0' },
  properties: {
    admin_state_up: { type: 'boolean', default: true, updateAllowed: true, description: 'The administrative state of the health monitor.' },
    delay: { type: 'integer', required: true, updateAllowed: true, range: { min: 0 }, description: 'The minimum time in seconds between regular connections of the member.' },
    expected_codes: { type: 'string', updateAllowed: true, description: 'The HTTP status codes expected in response from the member to declare it healthy. Specify one of the following values: a single value, such as 200. a list, such as 200, 202. a range, such as 200-204.' },
    http_method: { type: 'string', updateAllowed: true, allowedValues: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'OPTIONS', 'CONNECT', 'PATCH'], description: 'The HTTP method used for requests by the monitor of type HTTP.' },
    max_retries: { type: 'integer', required: true, updateAllowed: true, range: { min: 1, max: 10 }, description: 'Number of permissible connection failures before changing the member status to INACTIVE.' },
    pool: { type: 'string', required: true, constraints: [{ customConstraint: 'octavia.pool' }], description: 'ID or name of the load balancing pool.' },
    timeout: { type: 'integer', required: true, updateAllowed: true, range: { min: 0 }, description: 'Maximum number of seconds for a monitor to wait for a connection to be established before it times out.' },
    type: { type: 'string', required: true, allowedValues: ['PING', 'TCP', 'HTTP', 'HTTPS', 'UDP-CONNECT'], description: 'One of predefined health monitor types.' },
    url_path: { type: 'string', updateAllowed: true, description: 'The HTTP path used in the HTTP request used by the monitor to test a member health. A valid value is a string the begins with a forward slash (/).' },
    tenant_id: { type: 'string', description: 'ID of the tenant who owns the health monitor.' },
  },
  attributes: {
    pools: { description: 'The list of Pools related to this monitor.', type: 'list' },
  },
  values: ({ properties: p }) => ({ pools: p.pool ? [p.pool] : [] }),
});

export const elasticLoadBalancer = recorded({
  name: 'AWS::ElasticLoadBalancing::LoadBalancer',
  description: 'A CFN load balancer (Heat builds one from a haproxy server): recorded only, nothing balances traffic.',
  properties: {
    AvailabilityZones: { type: 'list', required: true, description: 'The Availability Zones in which to create the load balancer.' },
    HealthCheck: {
      type: 'map', description: 'An application health check for the instances.',
      keys: {
        HealthyThreshold: { type: 'integer', required: true, description: 'The number of consecutive health probe successes required before moving the instance to the healthy state.' },
        Interval: { type: 'integer', required: true, description: 'The approximate interval, in seconds, between health checks of an individual instance.' },
        Target: { type: 'string', required: true, description: 'The port being checked.' },
        Timeout: { type: 'integer', required: true, description: 'Health probe timeout, in seconds.' },
        UnhealthyThreshold: { type: 'integer', required: true, description: 'The number of consecutive health probe failures required before moving the instance to the unhealthy state' },
      },
    },
    Instances: { type: 'list', updateAllowed: true, description: 'The list of instance IDs load balanced.' },
    Listeners: {
      type: 'list', required: true, description: 'One or more listeners for this load balancer.',
      items: {
        type: 'map', description: '',
        keys: {
          InstancePort: { type: 'integer', required: true, description: 'TCP port on which the instance server is listening.' },
          LoadBalancerPort: { type: 'integer', required: true, description: 'The external load balancer port number.' },
          Protocol: { type: 'string', required: true, allowedValues: ['TCP', 'HTTP'], description: 'The load balancer transport protocol to use.' },
          SSLCertificateId: { type: 'string', description: 'Not Implemented.' },
          PolicyNames: { type: 'list', description: 'Not Implemented.' },
        },
      },
    },
    AppCookieStickinessPolicy: { type: 'string', description: 'Not Implemented.' },
    LBCookieStickinessPolicy: { type: 'string', description: 'Not Implemented.' },
    SecurityGroups: { type: 'list', updateAllowed: true, description: 'List of Security Groups assigned on current LB.' },
    Subnets: { type: 'list', description: 'Not Implemented.' },
  },
  attributes: {
    CanonicalHostedZoneName: { description: 'The name of the hosted zone that is associated with the LoadBalancer.', type: 'string' },
    CanonicalHostedZoneNameID: { description: 'The ID of the hosted zone name that is associated with the LoadBalancer.', type: 'string' },
    DNSName: { description: 'The DNS name for the LoadBalancer.', type: 'string' },
    'SourceSecurityGroup.GroupName': { description: 'The security group that you can use as part of your inbound rules for your LoadBalancer\'s back-end instances.', type: 'string' },
    'SourceSecurityGroup.OwnerAlias': { description: 'Owner of the source security group.', type: 'string' },
  },
  // No balancer runs, so there is no address to give: empty, as an unresolved name would be.
  values: () => ({
    CanonicalHostedZoneName: '', CanonicalHostedZoneNameID: '', DNSName: '', 'SourceSecurityGroup.GroupName': '', 'SourceSecurityGroup.OwnerAlias': '',
  }),
});

export const LOAD_BALANCER_TYPES = [octaviaLoadBalancer, octaviaListener, octaviaPool, octaviaPoolMember, octaviaHealthMonitor, elasticLoadBalancer];
