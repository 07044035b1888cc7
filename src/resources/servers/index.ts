/** Servers (OS::Nova::Server, AWS::EC2::Instance) and what runs on them: user_data, software configs and deployments. */
import { isDeferred } from '../../template/functions';
import { isObject } from '../../template/parse';
import type { ResourceHandler, ResourceType } from '../plugin';

/** The lifecycle code loads on the first call: validation and `resource type list` need the schemas only. */
const servers = () => import('./server');
const software = () => import('./software');

const serverHandler: ResourceHandler = {
  create: async (req, ctx) => (await servers()).createServer(req, ctx),
  delete: async (req, ctx) => (await servers()).deleteServer(req, ctx),
  check: async (req, ctx) => (await servers()).checkServer(req, ctx),
  adopt: async (req, ctx) => (await servers()).adoptServer(req, ctx),
};

const deploymentHandler: ResourceHandler = {
  create: async (req, ctx) => (await software()).createDeployment(req, ctx),
  delete: async (req, ctx) => (await software()).deleteDeployment(req, ctx),
  update: async (req, ctx) => (await software()).updateDeployment(req, ctx),
};

/** Heat released the software config types in Icehouse. */
const ICEHOUSE = { status: 'SUPPORTED', version: '2014.1' } as const;

/** Heat's OS::Nova::Server, with the properties and attributes stoke's compute driver gives meaning to. */
export const novaServer: ResourceType = {
  name: 'OS::Nova::Server',
  runs: { where: 'activity', heartbeat: true, needs: ['siblings'], copies: true },
  handler: serverHandler,
  mountRole: 'server',
  description: 'A server booted through the compute driver (docker: a container on the local engine) from the image catalog.',
  properties: {
    name: { type: 'string', description: 'Server name, also its hostname (default: <stack>-<resource>).' },
    image: { type: 'string', required: true, description: 'Image name, looked up in the image catalog.' },
    flavor: { type: 'string', required: true, description: 'Flavor name, looked up in the flavor table (memory and CPU limits).' },
    key_name: { type: 'string', description: 'A key pair: one of the stack (get_resource) has its public key installed in admin_user\'s authorized_keys; another is recorded only.' },
    admin_user: { type: 'string', description: 'The user a key pair of the stack is installed for (made if the image lacks it; default root).' },
    admin_pass: { type: 'string', description: 'Recorded only, and shown nowhere: the docker driver sets no password (reach the server with key_name).' },
    availability_zone: { type: 'string', description: 'Recorded only; reported back as given.' },
    security_groups: { type: 'list', default: [], description: 'Security groups: recorded, not enforced by the docker driver.' },
    networks: {
      type: 'list',
      // Two copies on one network cannot hold the same address, and a port's address is its one server's; its name is only a hostname.
      exclusive: ['fixed_ip', 'port'],
      description: 'Networks to join: [{network|uuid: net, fixed_ip: addr} | {port: port}]; none means the default network "private".',
    },
    metadata: { type: 'map', description: 'Key/value metadata, kept as container labels (org.stoke.meta.KEY).' },
    user_data_format: {
      type: 'string', default: 'HEAT_CFNTOOLS', allowedValues: ['HEAT_CFNTOOLS', 'RAW', 'SOFTWARE_CONFIG'],
      description: 'How user_data is given to the server; all three run the user_data once at first boot.',
    },
    user_data: { type: 'string', default: '', description: 'Script (#!), #cloud-config, MIME multipart, or a config resource, run once at first boot.' },
    software_config_transport: { type: 'string', description: 'Recorded only: deployments reach servers through the driver\'s exec.' },
    config_drive: { type: 'boolean', description: 'Recorded only.' },
    scheduler_hints: { type: 'map', description: 'Recorded only.' },
    tags: { type: 'list', description: 'Recorded only.' },
  },
  attributes: {
    name: { description: 'Name of the server.' },
    addresses: { description: 'Addresses by network: {net: [{addr, version, OS-EXT-IPS:type, OS-EXT-IPS-MAC:mac_addr}]}.' },
    networks: { description: 'Addresses by network name: {net: [ip]}.' },
    first_address: { description: 'The first address of the server.' },
    accessIPv4: { description: 'The address the host reaches the server at.' },
    accessIPv6: { description: 'IPv6 address, when the network has one.' },
    instance_name: { description: 'The container name (with a copy id for a copy a stack update made).' },
    console_urls: { description: 'None with the docker driver: an empty map.' },
    show: { description: 'All details of the server.' },
  },
};

/** The CFN-format server. */
export const ec2Instance: ResourceType = {
  name: 'AWS::EC2::Instance',
  runs: { where: 'activity', heartbeat: true, needs: ['siblings'], copies: true },
  handler: serverHandler,
  mountRole: 'server',
  mountsOwn: { property: 'Volumes', volume: 'VolumeId', mountpoint: 'Device' },
  description: 'A server (CFN format) booted through the same compute driver as OS::Nova::Server.',
  properties: {
    ImageId: { type: 'string', required: true, description: 'Image name, looked up in the image catalog.' },
    InstanceType: { type: 'string', required: true, description: 'Flavor name, looked up in the flavor table.' },
    KeyName: { type: 'string', description: 'A key pair of the stack (Ref) has its public key installed in root\'s authorized_keys; another is recorded only.' },
    UserData: { type: 'string', default: '', description: 'Script, #cloud-config or MIME multipart, run once at first boot.' },
    SecurityGroups: { type: 'list', default: [], description: 'Recorded, not enforced.' },
    SecurityGroupIds: { type: 'list', description: 'Recorded, not enforced.' },
    AvailabilityZone: { type: 'string', description: 'Reported back as given.' },
    SubnetId: { type: 'string', description: 'A stoke subnet: the server joins its network.' },
    PrivateIpAddress: { type: 'string', exclusive: true, description: 'Fixed address on SubnetId\'s network.' },
    Tags: { type: 'list', description: 'Recorded as metadata labels.' },
    Volumes: {
      type: 'list',
      default: [],
      description: 'Volumes of the stack to attach, as AWS::EC2::VolumeAttachment would: the server boots with them mounted at Device.',
      items: {
        type: 'map',
        description: 'A volume to attach.',
        keys: {
          Device: { type: 'string', required: true, description: 'Where the volume is mounted in the server (a directory, /dev/vdb…).' },
          VolumeId: { type: 'string', required: true, description: 'The volume ({Ref: volume}).' },
        },
      },
    },
  },
  attributes: {
    AvailabilityZone: { description: 'The availability zone given, or "nova".' },
    PrivateDnsName: { description: 'The server\'s private address.' },
    PublicDnsName: { description: 'The server\'s public address (the one the host reaches).' },
    PrivateIp: { description: 'The server\'s private address.' },
    PublicIp: { description: 'The server\'s public address (the one the host reaches).' },
  },
};

const configProperties = {
  group: { type: 'string', default: 'Heat::Ungrouped', description: 'The tool that applies the config: "script" (and Heat::Ungrouped) run it as a program.' },
  options: { type: 'map', description: 'Options for the group\'s tool: recorded.' },
  inputs: { type: 'list', default: [], description: 'Declared inputs: [{name, type, default, description}], given to the config as environment variables.' },
  outputs: { type: 'list', default: [], description: 'Declared outputs: [{name, error_output}], read from $heat_outputs_path.NAME.' },
} as const;

export const softwareConfig: ResourceType = {
  name: 'OS::Heat::SoftwareConfig',
  runs: { where: 'activity', needs: ['siblings'] },
  supportStatus: ICEHOUSE,
  handler: { create: async (req) => (await software()).createSoftwareConfig(req) },
  description: 'A configuration script, stored in the stack and run on servers by SoftwareDeployment.',
  properties: { ...configProperties, config: { type: 'string', default: '', description: 'The configuration script.' } },
  attributes: { config: { description: 'The config value.' } },
};

/** Heat's one config per lifecycle action: a deployment of the component runs the entry whose actions hold its own. */
export const softwareComponent: ResourceType = {
  name: 'OS::Heat::SoftwareComponent',
  runs: { where: 'activity', needs: ['siblings'] },
  supportStatus: { status: 'SUPPORTED', version: '2014.2' },
  handler: { create: async (req) => (await software()).createSoftwareComponent(req) },
  description: 'Configs for the lifecycle actions of one component: a SoftwareDeployment of it runs the config of the action at hand (its own actions are not read).',
  properties: {
    configs: {
      type: 'list',
      required: true,
      constraints: [{ length: { min: 1 } }],
      description: 'The configurations, each for the actions it lists.',
      items: {
        type: 'map',
        description: 'The configuration of some lifecycle actions.',
        keys: {
          actions: {
            type: 'list', default: ['CREATE', 'UPDATE'], constraints: [{ length: { min: 1 } }],
            description: 'Lifecycle actions the configuration applies to: CREATE, DELETE, UPDATE, SUSPEND, RESUME.',
          },
          config: { type: 'string', default: '', description: 'The configuration script.' },
          tool: { type: 'string', required: true, description: 'The tool that applies the config: "script" runs it as a program.' },
        },
      },
    },
    inputs: configProperties.inputs,
    outputs: configProperties.outputs,
    options: configProperties.options,
  },
  attributes: {
    configs: { description: 'The list of configurations, one per set of actions.', type: 'list' },
    config: { description: 'The config value: {configs: [...]}, as Heat stores it.' },
  },
  validate: (properties) => {
    // As Heat: with two configs for one action, which runs first would be undefined.
    const seen = new Set<string>();
    const configs = Array.isArray(properties.configs) && !isDeferred(properties.configs) ? properties.configs : [];
    for (const [i, config] of configs.entries()) {
      const actions = isObject(config) && Array.isArray(config.actions) ? config.actions.map(String) : [];
      const twice = actions.find((action) => seen.has(action));
      if (twice) return [{ path: `.configs[${i}].actions`, message: `more than one configuration for the action ${twice} is not allowed` }];
      actions.forEach((action) => seen.add(action));
    }
    return [];
  },
};

export const structuredConfig: ResourceType = {
  name: 'OS::Heat::StructuredConfig',
  runs: { where: 'activity', needs: ['siblings'] },
  supportStatus: ICEHOUSE,
  handler: { create: async (req) => (await software()).createStructuredConfig(req) },
  description: 'A configuration as a mapping, whose {get_input: NAME} values a StructuredDeployment fills in.',
  properties: { ...configProperties, config: { type: 'map', default: {}, description: 'The configuration as a mapping.' } },
  attributes: { config: { description: 'The config value.' } },
};

/** As Heat's: a change of config or input_values runs the config again in place (UPDATE); a new server or transport replaces the deployment. */
export const deploymentProperties = {
  config: { type: 'string', updateAllowed: true, description: 'The config resource to deploy.' },
  server: { type: 'string', required: true, description: 'The server to deploy it on.' },
  input_values: { type: 'map', default: {}, updateAllowed: true, description: 'Input values, by input name.' },
  actions: {
    type: 'list', default: ['CREATE', 'UPDATE'], updateAllowed: true,
    description: 'Stack actions the config runs on: CREATE, UPDATE, DELETE, SUSPEND, RESUME.',
  },
  name: { type: 'string', updateAllowed: true, description: 'Name of the deployment (default: the resource name).' },
  signal_transport: {
    type: 'string', default: 'CFN_SIGNAL',
    allowedValues: ['CFN_SIGNAL', 'TEMP_URL_SIGNAL', 'HEAT_SIGNAL', 'NO_SIGNAL', 'ZAQAR_SIGNAL'],
    description: 'How Heat hears the result. The docker driver reads it straight from the exec; NO_SIGNAL completes without waiting.',
  },
} as const;

const deploymentAttributes = {
  deploy_stdout: { description: 'Standard output of the config.' },
  deploy_stderr: { description: 'Standard error of the config.' },
  deploy_status_code: { description: 'Exit status of the config.' },
} as const;

export const softwareDeployment: ResourceType = {
  name: 'OS::Heat::SoftwareDeployment',
  runs: { where: 'activity', heartbeat: true, needs: ['siblings'] },
  supportStatus: ICEHOUSE,
  handler: deploymentHandler,
  description: 'Runs a config on a server (docker exec) with its inputs as environment variables; fails on a non-zero exit.',
  properties: deploymentProperties,
  attributes: deploymentAttributes,
  dynamicAttributes: true,
};

export const structuredDeployment: ResourceType = {
  name: 'OS::Heat::StructuredDeployment',
  runs: { where: 'activity', heartbeat: true, needs: ['siblings'] },
  supportStatus: ICEHOUSE,
  handler: deploymentHandler,
  description: 'Deploys a StructuredConfig: its get_input values replaced by input values, written on the server as JSON.',
  properties: {
    ...deploymentProperties,
    input_key: { type: 'string', default: 'get_input', description: 'Name of the key that marks an input in the config.' },
    input_values_validate: { type: 'string', default: 'LAX', allowedValues: ['LAX', 'STRICT'], description: 'STRICT fails on inputs with no value.' },
  },
  attributes: deploymentAttributes,
  dynamicAttributes: true,
};

export const cloudConfig: ResourceType = {
  name: 'OS::Heat::CloudConfig',
  runs: { where: 'activity', needs: ['siblings'] },
  supportStatus: ICEHOUSE,
  handler: { create: async (req) => (await software()).createCloudConfig(req) },
  description: 'A #cloud-config document, to use as a server\'s user_data.',
  properties: { cloud_config: { type: 'map', default: {}, description: 'The cloud-config mapping.' } },
  attributes: { config: { description: 'The #cloud-config text.' } },
};

export const multipartMime: ResourceType = {
  name: 'OS::Heat::MultipartMime',
  runs: { where: 'activity', needs: ['siblings'] },
  supportStatus: ICEHOUSE,
  handler: { create: async (req) => (await software()).createMultipartMime(req) },
  description: 'Several configs as one MIME multipart user_data.',
  properties: {
    parts: { type: 'list', default: [], description: 'Parts: [{config, filename, type: text|multipart, subtype}].' },
  },
  attributes: { config: { description: 'The MIME multipart text.' } },
};

export const SERVER_TYPES = [novaServer, ec2Instance, softwareConfig, softwareComponent, structuredConfig, softwareDeployment, structuredDeployment, cloudConfig, multipartMime];
