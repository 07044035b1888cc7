/**
 * Software configs and deployments through the compute driver. A config's content lives in the stack's
 * own state (its resolved properties and `config` attribute), which the workflow hands over with the
 * request as the deployment's siblings, so nothing is stored outside Temporal.
 */
import * as crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { stringify } from 'yaml';
import { DockerComputeDriver, type ComputeDriver } from '../../../activities/compute';
import type { Json, JsonObject } from '../../template/types';
import { changedProperties } from '../../../workflows/update-plan';
import type { CreatedResource, CreateResourceRequest, DeleteResourceRequest, HandlerContext, UpdateResourceRequest } from '../plugin';
import { siblingLookup, type SiblingLookup } from '../siblings';
import { multipartMime } from './user-data';

const SOFTWARE_COMPONENT = 'OS::Heat::SoftwareComponent';
export const CONFIG_TYPES = ['OS::Heat::SoftwareConfig', SOFTWARE_COMPONENT, 'OS::Heat::StructuredConfig', 'OS::Heat::CloudConfig', 'OS::Heat::MultipartMime'];

export function invalid(req: { resource: string }, property: string, message: string): never {
  throw ApplicationFailure.nonRetryable(`resources.${req.resource}.properties.${property}: ${message}`, 'InvalidProperty');
}

export const str = (value: Json | undefined): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/** A config resource's text when `value` is one's id, else `value` itself: Heat's rule for user_data and parts. */
export function configText(value: string, lookup: SiblingLookup): string {
  if (value === '') return value;
  const found = lookup(value);
  return found && CONFIG_TYPES.includes(found.type) ? str(found.attributes.config) : value;
}

// ---------------------------------------------------------------------------------------------- configs

/** A config resource: a fresh id, and its text (or mapping) as the `config` attribute deployments and servers read. */
const configResource = (config: Json): CreatedResource => ({ physicalId: crypto.randomUUID(), attributes: { config } });

export const createSoftwareConfig = (req: CreateResourceRequest) => configResource(str(req.properties.config));
export const createStructuredConfig = (req: CreateResourceRequest) => configResource(req.properties.config ?? {});
/** Heat stores a component's configs as a config of group 'component' whose value is {configs}. */
export function createSoftwareComponent(req: CreateResourceRequest): CreatedResource {
  const configs = req.properties.configs ?? [];
  return { physicalId: crypto.randomUUID(), attributes: { config: { configs }, configs } };
}
export const createCloudConfig = (req: CreateResourceRequest) => configResource(`#cloud-config\n${stringify(req.properties.cloud_config ?? {})}`);

/** Parts that name a config resource of the stack (one of the MultipartMime's siblings) take its text. */
export function createMultipartMime(req: CreateResourceRequest): CreatedResource {
  const p = req.properties;
  const lookup = siblingLookup(req);
  const physicalId = crypto.randomUUID();
  const parts = [];
  for (const [i, part] of (Array.isArray(p.parts) ? p.parts : []).entries()) {
    if (typeof part !== 'object' || part === null || Array.isArray(part)) invalid(req, `parts[${i}]`, 'a part must be a mapping with a config');
    const type = part.type === 'multipart' ? 'multipart' : 'text';
    parts.push({ config: configText(str(part.config), lookup), type, subtype: str(part.subtype) || undefined, filename: str(part.filename) || undefined } as const);
  }
  const boundary = `===============${crypto.createHash('sha256').update(physicalId).digest('hex').slice(0, 19)}==`;
  return { physicalId, attributes: { config: multipartMime(parts, boundary) } };
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

/** A run's id: `run` tells one run of an action from another (an update's), where the action alone does not. */
function deploymentId(req: { stackId: string; resource: string }, action: string, run?: string): string {
  const hash = crypto.createHash('sha256').update(`${req.stackId}/${req.resource}/${action}${run === undefined ? '' : `/${run}`}`).digest('hex');
  return `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
}

/**
 * The entry of a component's configs that applies to `action`, as Heat's component hook picks it: the one
 * whose actions (by default CREATE and UPDATE) hold it; none, and the deployment has nothing to run.
 */
export function componentEntry(configs: Json | undefined, action: string): { tool: string; config: string } | undefined {
  const entry = (Array.isArray(configs) ? configs : []).find((c) =>
    c !== null && typeof c === 'object' && !Array.isArray(c) && (Array.isArray(c.actions) ? c.actions.map(String) : ['CREATE', 'UPDATE']).includes(action)) as JsonObject | undefined;
  return entry && { tool: str(entry.tool), config: str(entry.config) };
}

interface Deployment {
  server: string;
  group: string;
  script: string;
  inputs: Record<string, string>;
  outputs: { name: string; errorOutput: boolean }[];
}

function deployment(req: CreateResourceRequest | DeleteResourceRequest | UpdateResourceRequest, action: string): Deployment | undefined {
  const p = req.properties;
  const actions = (Array.isArray(p.actions) ? p.actions : ['CREATE', 'UPDATE']).map(String);
  const configId = str(p.config);
  const config = configId ? siblingLookup(req)(configId) : undefined;
  // A component's own configs say which actions run anything: Heat reads them instead of the deployment's actions.
  const component = config?.type === SOFTWARE_COMPONENT ? componentEntry(config.properties.configs, action) : undefined;
  if (config?.type === SOFTWARE_COMPONENT ? !component : !actions.includes(action)) return undefined;
  if (configId && (!config || !CONFIG_TYPES.includes(config.type))) invalid(req, 'config', `'${configId}' is not a config resource of this stack`);
  const cp = config?.properties ?? {};
  const group = component?.tool ?? (str(cp.group) || 'Heat::Ungrouped');
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
      throw ApplicationFailure.nonRetryable(`${component ? 'component tool' : 'config group'} '${group}' has no hook on stoke's servers (only 'script' runs)`, 'UnsupportedConfigGroup');
    }
    script = component?.config ?? str(config?.attributes.config);
    if (!script.startsWith('#!')) script = `#!/bin/sh\n${script}`;
  }
  const inputs = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, str(v)]));
  return { server: str(p.server), group, script, inputs: { ...inputs, ...builtins }, outputs };
}

function tail(text: string, lines = 10): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function runDeployment(req: CreateResourceRequest | DeleteResourceRequest, action: string, d: Deployment, driver: ComputeDriver, run?: string): Promise<JsonObject> {
  const id = deploymentId(req, action, run);
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

export async function createDeployment(req: CreateResourceRequest, ctx: HandlerContext): Promise<CreatedResource> {
  const physicalId = deploymentId(req, 'resource');
  const d = deployment(req, 'CREATE');
  if (!d) return { physicalId, attributes: { deploy_stdout: '', deploy_stderr: '', deploy_status_code: 0 } };
  return { physicalId, attributes: await runDeployment(req, 'CREATE', d, new DockerComputeDriver(ctx.dockerEndpoint)) };
}

/**
 * Heat's deployment update: the config runs again, with deploy_action UPDATE, when the config or its input
 * values changed and the actions ask for UPDATE; otherwise the last run's results stand (no attributes
 * returned). Each update is a run of its own, and retries of one update's activity share it.
 */
export async function updateDeployment(req: UpdateResourceRequest, ctx: HandlerContext): Promise<CreatedResource> {
  const rerun = changedProperties(req.previous, req.properties).some((name) => name === 'config' || name === 'input_values');
  const d = rerun ? deployment(req, 'UPDATE') : undefined;
  if (!d) return { physicalId: req.physicalId, attributes: {} };
  const { Context } = await import('@temporalio/activity');
  const { workflowExecution, activityId } = Context.current().info;
  const run = `${workflowExecution?.runId}/${activityId}`;
  return { physicalId: req.physicalId, attributes: await runDeployment(req, 'UPDATE', d, new DockerComputeDriver(ctx.dockerEndpoint), run) };
}

/** Runs the config with deploy_action DELETE when its actions ask for it and the server still runs. */
export async function deleteDeployment(req: DeleteResourceRequest, ctx: HandlerContext): Promise<void> {
  if (!req.physicalId) return;
  const d = deployment(req, 'DELETE');
  const driver = new DockerComputeDriver(ctx.dockerEndpoint);
  if (!d || !(await driver.exists(d.server))) return;
  await runDeployment(req, 'DELETE', d, driver);
}
