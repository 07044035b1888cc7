/**
 * Servers, software configs and deployments through the compute driver. A config's content lives in
 * the stack's own state (its resolved properties and `config` attribute), which activities read by
 * querying the stack's workflow, so nothing is stored outside Temporal.
 */
import * as crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { stringify } from 'yaml';
import type { Catalog } from '../src/runtime/catalog';
import { DOCKER_HOST_IMAGE } from '../src/runtime/catalog';
import type { Json, JsonObject, ResourceState } from '../src/template/types';
import { bootScript, multipartMime, UserDataError } from '../src/user-data';
import type { ComputeDriver, NetworkAttachment, ServerAddress } from './compute';
import { serverContainerName } from './compute';
import type { CreatedResource, CreateResourceRequest, DeleteResourceRequest } from './types';

/** A resource of the running stack, found by its physical id. */
export type ResourceLookup = (physicalId: string) => Promise<(ResourceState & { name: string }) | undefined>;

export interface ServerContext {
  readonly driver: ComputeDriver;
  readonly catalog: Catalog;
  readonly lookup: ResourceLookup;
  /** Makes sure a catalog image exists (stoke's own server images: built, with their registry running; the bootstrap builds them). */
  readonly prepareImage: (image: string) => Promise<void>;
  /** The registry servers' engines use as their mirror, listening at this gateway address of the host. */
  readonly registryFor: (gateway: string) => string | undefined;
  readonly networkGateway: (network: string) => Promise<string>;
  /** A network's name as templates know it (a stack Net's `name`), for the networks attribute. */
  readonly networkLabel: (network: string) => Promise<string>;
}

export const CONFIG_TYPES = ['OS::Heat::SoftwareConfig', 'OS::Heat::StructuredConfig', 'OS::Heat::CloudConfig', 'OS::Heat::MultipartMime'];

/** Nova's name for the network a server joins when the template names none. */
export const DEFAULT_NETWORK_LABEL = 'private';

function invalid(req: { resource: string }, property: string, message: string): never {
  throw ApplicationFailure.nonRetryable(`resources.${req.resource}.properties.${property}: ${message}`, 'InvalidProperty');
}

const str = (value: Json | undefined): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/** A config resource's text when `value` is one's id, else `value` itself: Heat's rule for user_data and parts. */
async function configText(value: string, lookup: ResourceLookup): Promise<string> {
  if (value === '') return value;
  const found = await lookup(value);
  return found && CONFIG_TYPES.includes(found.type) ? str(found.attributes.config) : value;
}

// ---------------------------------------------------------------------------------------------- configs

export async function createConfig(req: CreateResourceRequest, lookup: ResourceLookup): Promise<CreatedResource> {
  const p = req.properties;
  const physicalId = crypto.randomUUID();
  switch (req.type) {
    case 'OS::Heat::SoftwareConfig':
      return { physicalId, attributes: { config: str(p.config) } };
    case 'OS::Heat::StructuredConfig':
      return { physicalId, attributes: { config: p.config ?? {} } };
    case 'OS::Heat::CloudConfig':
      return { physicalId, attributes: { config: `#cloud-config\n${stringify(p.cloud_config ?? {})}` } };
    default: {
      const parts = [];
      for (const [i, part] of (Array.isArray(p.parts) ? p.parts : []).entries()) {
        if (typeof part !== 'object' || part === null || Array.isArray(part)) invalid(req, `parts[${i}]`, 'a part must be a mapping with a config');
        const type = part.type === 'multipart' ? 'multipart' : 'text';
        parts.push({ config: await configText(str(part.config), lookup), type, subtype: str(part.subtype) || undefined, filename: str(part.filename) || undefined } as const);
      }
      const boundary = `===============${crypto.createHash('sha256').update(physicalId).digest('hex').slice(0, 19)}==`;
      return { physicalId, attributes: { config: multipartMime(parts, boundary) } };
    }
  }
}

// ---------------------------------------------------------------------------------------------- servers

interface ServerProperties {
  image: string;
  flavor: string;
  name: string;
  userData: string;
  networks: Json[];
  securityGroups: Json[];
  metadata: JsonObject;
  keyName: string;
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
      metadata, keyName: str(p.KeyName), zone: str(p.AvailabilityZone), subnet: str(p.SubnetId), fixedIp: str(p.PrivateIpAddress),
    };
  }
  return {
    image: str(p.image), flavor: str(p.flavor), name: str(p.name), userData: str(p.user_data),
    networks: Array.isArray(p.networks) ? p.networks : [], securityGroups: Array.isArray(p.security_groups) ? p.security_groups : [],
    metadata: p.metadata && typeof p.metadata === 'object' && !Array.isArray(p.metadata) ? p.metadata : {},
    keyName: str(p.key_name), zone: str(p.availability_zone), subnet: '', fixedIp: '',
  };
}

/** The networks a server joins: stack Nets and Ports by their ids, an engine network by name, else the default. */
async function attachments(req: CreateResourceRequest, props: ServerProperties, ctx: ServerContext): Promise<NetworkAttachment[]> {
  const where = req.type === 'AWS::EC2::Instance' ? 'SubnetId' : 'networks';
  if (props.subnet) {
    const subnet = await ctx.lookup(props.subnet);
    if (!subnet || subnet.type !== 'OS::Neutron::Subnet') invalid(req, where, `'${props.subnet}' is not a subnet of this stack`);
    return [{ network: str(subnet.attributes.network_id), ip: props.fixedIp || undefined }];
  }
  if (props.networks.length === 0) return [{ network: 'bridge' }];
  const out: NetworkAttachment[] = [];
  for (const [i, entry] of props.networks.entries()) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) invalid(req, `${where}[${i}]`, 'expected a mapping with network, uuid or port');
    if (entry.port) {
      const port = await ctx.lookup(str(entry.port));
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
 * The server's own engine pulls through the local registry, and keeps its bridges in the benchmarking
 * range 198.18.0.0/15: left to itself it would take 172.17.0.1 on a server outside the host's default
 * bridge, and hide the host's address there (the signal gateway's, the registry's) from the server.
 */
function nestedEngineFlags(registry: string | undefined): string {
  const pull = registry ? `--registry-mirror http://${registry} --insecure-registry ${registry}` : '';
  return `--bip 198.18.0.1/24 --default-address-pool base=198.18.0.0/15,size=24 ${pull}`.trim();
}

export async function createServer(req: CreateResourceRequest, ctx: ServerContext): Promise<CreatedResource> {
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
    script = bootScript(await configText(props.userData, ctx.lookup));
  } catch (err) {
    if (err instanceof UserDataError) invalid(req, req.type === 'AWS::EC2::Instance' ? 'UserData' : 'user_data', err.message);
    throw err;
  }
  const networks = await attachments(req, props, ctx);
  // The registry listens on the default bridge's gateway only; a server on another network reaches it through its own.
  const registry = ctx.registryFor(await ctx.networkGateway('bridge'));
  const hostname = (props.name || serverContainerName(req.stack, req.resource)).replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 63);
  const id = await ctx.driver.boot({
    stack: req.stack, stackId: req.stackId, resource: req.resource, hostname, image, flavor,
    bootScript: script, networks, dns: [], env: image === DOCKER_HOST_IMAGE ? { STOKE_DOCKERD_FLAGS: nestedEngineFlags(registry) } : {},
    metadata: Object.fromEntries(Object.entries(props.metadata).map(([k, v]) => [k, str(v)])),
  });
  await ctx.driver.waitRunning(id);
  const addresses = await ctx.driver.addresses(id);
  return { physicalId: id, attributes: await serverAttributes(req, props, hostname, image, addresses, ctx) };
}

async function serverAttributes(req: CreateResourceRequest, props: ServerProperties, hostname: string, image: string,
  addresses: ServerAddress[], ctx: ServerContext): Promise<JsonObject> {
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
    not_enforced: 'security groups and key_name are recorded only: the docker driver has no firewall per server and no SSH',
  };
  if (req.type === 'AWS::EC2::Instance') {
    return { PublicIp: first, PrivateIp: first, PublicDnsName: first, PrivateDnsName: first, AvailabilityZone: props.zone || 'nova', show };
  }
  return {
    name: hostname, instance_name: serverContainerName(req.stack, req.resource), networks, addresses: detailed, first_address: first,
    accessIPv4: first, accessIPv6: addresses.find((a) => a.ipv6)?.ipv6 ?? '', console_urls: {}, show,
  };
}

export async function deleteServer(req: DeleteResourceRequest, driver: ComputeDriver): Promise<void> {
  await driver.delete(req.stackId, req.resource, req.physicalId);
}

// ---------------------------------------------------------------------------------------------- deployments

/** Heat's structured config: every {get_input: NAME} (or the deployment's input_key) replaced by the input's value. */
export function fillInputs(config: Json, inputs: Readonly<Record<string, Json>>, key: string, strict: boolean): Json {
  if (Array.isArray(config)) return config.map((item) => fillInputs(item, inputs, key, strict));
  if (config === null || typeof config !== 'object') return config;
  const keys = Object.keys(config);
  if (keys.length === 1 && keys[0] === key) {
    const name = str(config[key]);
    if (name in inputs) return inputs[name]!;
    if (strict) throw ApplicationFailure.nonRetryable(`input '${name}' has no value (input_values_validate is STRICT)`, 'InvalidProperty');
    return config;
  }
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, fillInputs(v, inputs, key, strict)]));
}

/**
 * Runs a config on the server once per deployment id: the results are kept on the server, so a retry
 * after a lost worker reads them instead of running the config again, and waits if it still runs.
 */
function deployCommand(id: string, script: string, env: Readonly<Record<string, string>>, background: boolean): string[] {
  const q = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`).join('\n');
  const run = `
d=/var/lib/heat-config/deployed; s=/var/lib/heat-config/heat-config-script; o=/var/run/heat-config/heat-config-script
mkdir -p "$d" "$s" "$o"
if mkdir "$d/${id}.lock" 2>/dev/null; then
  echo ${q(Buffer.from(script).toString('base64'))} | base64 -d > "$s/${id}"
  chmod 700 "$s/${id}"
  (
    ${exports}
    export heat_outputs_path="$o/${id}"
    exec "$s/${id}"
  ) > "$d/${id}.stdout" 2> "$d/${id}.stderr"
  echo $? > "$d/${id}.rc.tmp" && mv "$d/${id}.rc.tmp" "$d/${id}.rc"
fi
while [ ! -e "$d/${id}.rc" ]; do sleep 1; done
cat "$d/${id}.stdout"; cat "$d/${id}.stderr" >&2
exit "$(cat "$d/${id}.rc")"
`;
  return background ? ['/bin/sh', '-c', `( ${run} ) >/dev/null 2>&1 </dev/null &`] : ['/bin/sh', '-c', run];
}

function deploymentId(req: { stackId: string; resource: string }, action: string): string {
  const hash = crypto.createHash('sha256').update(`${req.stackId}/${req.resource}/${action}`).digest('hex');
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
}

interface Deployment {
  server: string;
  group: string;
  script: string;
  inputs: Record<string, string>;
  outputs: { name: string; errorOutput: boolean }[];
}

async function deployment(req: CreateResourceRequest | DeleteResourceRequest, action: string, lookup: ResourceLookup): Promise<Deployment | undefined> {
  const p = req.properties;
  const actions = (Array.isArray(p.actions) ? p.actions : ['CREATE', 'UPDATE']).map(String);
  if (!actions.includes(action)) return undefined;
  const configId = str(p.config);
  const config = configId ? await lookup(configId) : undefined;
  if (configId && (!config || !CONFIG_TYPES.includes(config.type))) invalid(req, 'config', `'${configId}' is not a config resource of this stack`);
  const cp = config?.properties ?? {};
  const group = str(cp.group) || 'Heat::Ungrouped';
  const values: Record<string, Json> = {};
  for (const input of Array.isArray(cp.inputs) ? cp.inputs : []) {
    if (input && typeof input === 'object' && !Array.isArray(input) && input.default !== undefined) values[str(input.name)] = input.default;
  }
  Object.assign(values, p.input_values && typeof p.input_values === 'object' && !Array.isArray(p.input_values) ? p.input_values : {});
  const builtins: Record<string, string> = {
    deploy_server_id: str(p.server), deploy_action: action, deploy_stack_id: `${req.stack}/${req.stackId}`,
    deploy_resource_name: req.resource, deploy_signal_transport: str(p.signal_transport) || 'CFN_SIGNAL',
  };
  const outputs = (Array.isArray(cp.outputs) ? cp.outputs : []).flatMap((o) =>
    o && typeof o === 'object' && !Array.isArray(o) ? [{ name: str(o.name), errorOutput: o.error_output === true || o.error_output === 'true' }] : []);
  let script: string;
  if (config?.type === 'OS::Heat::StructuredConfig' || req.type === 'OS::Heat::StructuredDeployment') {
    // No hook interprets a structured config here: it is written on the server as JSON, inputs filled in.
    const filled = fillInputs(config?.attributes.config ?? {}, values, str(p.input_key) || 'get_input', str(p.input_values_validate) === 'STRICT');
    script = `#!/bin/sh\nmkdir -p /var/lib/heat-config/structured\ncat > /var/lib/heat-config/structured/${req.resource}.json <<'STOKE_JSON'\n${JSON.stringify(filled, null, 2)}\nSTOKE_JSON\ncat /var/lib/heat-config/structured/${req.resource}.json\n`;
  } else {
    if (!['script', 'Heat::Ungrouped'].includes(group)) {
      throw ApplicationFailure.nonRetryable(`config group '${group}' has no hook on stoke's servers (only 'script' runs)`, 'UnsupportedConfigGroup');
    }
    script = str(config?.attributes.config);
    if (!script.startsWith('#!')) script = `#!/bin/sh\n${script}`;
  }
  const inputs = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, str(v)]));
  return { server: str(p.server), group, script, inputs: { ...inputs, ...builtins }, outputs };
}

function tail(text: string, lines = 10): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function runDeployment(req: CreateResourceRequest | DeleteResourceRequest, action: string, d: Deployment, driver: ComputeDriver): Promise<JsonObject> {
  const id = deploymentId(req, action);
  const background = str(req.properties.signal_transport) === 'NO_SIGNAL';
  if (!(await driver.exists(d.server))) {
    throw ApplicationFailure.nonRetryable(`server '${d.server}' of resources.${req.resource}.properties.server is not running`, 'ServerNotFound');
  }
  const result = await driver.exec(d.server, deployCommand(id, d.script, d.inputs, background));
  if (background) return {};
  const attributes: JsonObject = { deploy_stdout: result.stdout, deploy_stderr: result.stderr, deploy_status_code: result.exitCode };
  if (result.exitCode !== 0) {
    throw ApplicationFailure.nonRetryable(`Deployment to server failed: deploy_status_code: Deployment exited with non-zero status code: ${result.exitCode}; stderr:\n${tail(result.stderr)}`, 'DeploymentFailed');
  }
  if (d.outputs.length > 0) {
    const read = await driver.exec(d.server, ['/bin/sh', '-c', d.outputs.map((o) => `cat "/var/run/heat-config/heat-config-script/${id}.${o.name}" 2>/dev/null; printf '\\0'`).join('; ')]);
    const values = read.stdout.split('\0');
    for (const [i, o] of d.outputs.entries()) {
      const value = values[i] ?? '';
      attributes[o.name] = value;
      if (o.errorOutput && value !== '') throw ApplicationFailure.nonRetryable(`Deployment to server failed: ${o.name}: ${tail(value)}`, 'DeploymentFailed');
    }
  }
  return attributes;
}

export async function createDeployment(req: CreateResourceRequest, driver: ComputeDriver, lookup: ResourceLookup): Promise<CreatedResource> {
  const physicalId = deploymentId(req, 'resource');
  const d = await deployment(req, 'CREATE', lookup);
  if (!d) return { physicalId, attributes: { deploy_stdout: '', deploy_stderr: '', deploy_status_code: 0 } };
  return { physicalId, attributes: await runDeployment(req, 'CREATE', d, driver) };
}

/** Runs the config with deploy_action DELETE when its actions ask for it and the server still runs. */
export async function deleteDeployment(req: DeleteResourceRequest, driver: ComputeDriver, lookup: ResourceLookup): Promise<void> {
  if (!req.physicalId) return;
  const d = await deployment(req, 'DELETE', lookup);
  if (!d || !(await driver.exists(d.server))) return;
  await runDeployment(req, 'DELETE', d, driver);
}
