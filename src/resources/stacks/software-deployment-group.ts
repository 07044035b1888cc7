/**
 * Heat's OS::Heat::SoftwareDeploymentGroup: one OS::Heat::SoftwareDeployment per entry of `servers`, named by
 * the entry's key, in a stack of their own, as ResourceGroup's members are. Every attribute the parent reads
 * is a map of those names to the members' attribute of that name (deploy_stdouts to their deploy_stdout…).
 *
 * A deployment reads its config from the resources of its own stack, and the config lives in the parent's:
 * the child holds a copy of it (same type, same resolved properties), which the members name.
 */
import { isObject } from '../../template/parse';
import type { Json, JsonObject } from '../../template/types';
import type { NestedChild, NestedChildRequest, ResourceType } from '../plugin';
import { deploymentProperties } from '../servers';

const TEMPLATE_VERSION = '2016-10-14';
const DEPLOYMENT = 'OS::Heat::SoftwareDeployment';

/** The group's own attributes, named after the members' they gather. */
const GATHERED: Readonly<Record<string, string>> = { deploy_stdouts: 'deploy_stdout', deploy_stderrs: 'deploy_stderr', deploy_status_codes: 'deploy_status_code' };

/** A name for the config's copy that no member has. */
function configName(wanted: string, members: readonly string[]): string {
  let name = wanted;
  while (members.includes(name)) name = `_${name}`;
  return name;
}

function child(req: NestedChildRequest): NestedChild {
  const servers = isObject(req.properties.servers) ? req.properties.servers : {};
  const members = Object.keys(servers);
  const shared: JsonObject = Object.fromEntries(Object.entries(req.properties).filter(([key]) => key !== 'servers'));
  const resources: JsonObject = {};
  const configId = req.properties.config;
  const config = Object.entries(req.siblings ?? {}).find(([, s]) => configId !== undefined && (s.physicalId === configId || s.refId === configId));
  if (config) {
    const [name, sibling] = config;
    const copy = configName(name, members);
    resources[copy] = { type: sibling.type, properties: sibling.properties };
    shared.config = { get_resource: copy };
  }
  for (const member of members) resources[member] = { type: DEPLOYMENT, properties: { ...shared, server: servers[member] ?? null } };
  const outputs = Object.fromEntries(req.attributes.map((attribute): [string, Json] => {
    const each = GATHERED[attribute] ?? attribute;
    return [attribute, { value: Object.fromEntries(members.map((member) => [member, { get_attr: [member, each] }])) }];
  }));
  return {
    template: { heat_template_version: TEMPLATE_VERSION, resources, outputs },
    parameters: {},
    attributes: Object.fromEntries(req.attributes.map((name) => [name, name])),
  };
}

export const softwareDeploymentGroup: ResourceType = {
  name: 'OS::Heat::SoftwareDeploymentGroup',
  description:
    'Deploys one config to several servers: a SoftwareDeployment per entry of `servers`, named by its key, in a stack of their own. '
    + 'Any attribute of a deployment (an output of the config too) is read as a map of those names to its values.',
  supportStatus: { status: 'SUPPORTED', version: '5.0.0' },
  // The config the members run is one of the group's siblings: the child gets a copy of it.
  runs: { where: 'stack', copies: true, needs: ['siblings'] },
  properties: {
    servers: {
      type: 'map', required: true, updateAllowed: true,
      description: 'A map of names and server IDs to apply configuration to; each name is the resource name of its deployment.',
    },
    config: deploymentProperties.config,
    input_values: deploymentProperties.input_values,
    actions: deploymentProperties.actions,
    name: deploymentProperties.name,
    signal_transport: deploymentProperties.signal_transport,
  },
  attributes: {
    deploy_stdouts: { type: 'map', description: 'A map of the names of `servers` to the stdout of the config on each.' },
    deploy_stderrs: { type: 'map', description: 'A map of the names of `servers` to the stderr of the config on each.' },
    deploy_status_codes: { type: 'map', description: 'A map of the names of `servers` to the exit status of the config on each.' },
  },
  dynamicAttributes: true,
  nested: { child },
};
