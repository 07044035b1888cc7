/**
 * Dispatch for the compute and network resource types (servers, configs, deployments, Neutron and
 * Nova networking), so that activities/index.ts only hands them over.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DOCKER_HOST_IMAGE, type Catalog } from '../src/runtime/catalog';
import type { StokeConfig } from '../src/config';
import { registryPort, serverImagesMissing } from '../src/runtime/images';
import { stackStateQuery } from '../workflows/definitions';
import { DockerComputeDriver } from './compute';
import { dockerFor } from './docker';
import { createNeutronFloatingIp, createNet, createPort, createRecordOnly, createSubnet, deleteNet, networkGateway, networkLabel } from './networks';
import { CONFIG_TYPES, createConfig, createDeployment, createServer, deleteDeployment, deleteServer, type ResourceLookup, type ServerContext } from './servers';
import type { CreatedResource, CreateResourceRequest, DeleteResourceRequest } from './types';

export interface InfrastructureDependencies {
  /** The engine the docker compute driver boots servers on and makes networks in. */
  readonly dockerEndpoint: string;
  readonly config: StokeConfig;
  readonly catalog: Catalog;
  /** Reads the stack's state (config contents, ports' addresses) from its workflow. */
  readonly client: Client;
}

const SERVER_TYPES = ['OS::Nova::Server', 'AWS::EC2::Instance'];
const DEPLOYMENT_TYPES = ['OS::Heat::SoftwareDeployment', 'OS::Heat::StructuredDeployment'];
const NETWORK_TYPES = ['OS::Neutron::Net', 'OS::Neutron::Subnet', 'OS::Neutron::Port', 'OS::Neutron::FloatingIP'];
const RECORD_ONLY_TYPES = ['OS::Neutron::Router', 'OS::Neutron::RouterInterface', 'OS::Neutron::SecurityGroup',
  'OS::Neutron::FloatingIPAssociation', 'OS::Nova::FloatingIP', 'OS::Nova::FloatingIPAssociation'];

export function isInfrastructureType(type: string): boolean {
  return [SERVER_TYPES, DEPLOYMENT_TYPES, CONFIG_TYPES, NETWORK_TYPES, RECORD_ONLY_TYPES].some((types) => types.includes(type));
}

/** The stack's state as its workflow holds it now: the activity's own workflow answers the query. */
async function stackState(client: Client) {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw ApplicationFailure.nonRetryable('this activity runs outside a stack workflow', 'NoStack');
  return client.workflow.getHandle(execution.workflowId, execution.runId).query(stackStateQuery);
}

export function createInfrastructure(deps: InfrastructureDependencies, withHeartbeat: <T>(work: () => Promise<T>) => Promise<T>) {
  const docker = dockerFor(deps.dockerEndpoint);
  const driver = new DockerComputeDriver(deps.dockerEndpoint);
  const lookup: ResourceLookup = async (physicalId) => {
    const state = await stackState(deps.client);
    const found = Object.entries(state.resources).find(([, r]) => r.physicalId === physicalId);
    return found ? { ...found[1], name: found[0] } : undefined;
  };
  const portAddresses = async () => Object.values((await stackState(deps.client)).resources)
    .flatMap((r) => (r.type === 'OS::Neutron::Port' ? ((r.attributes.fixed_ips ?? []) as { ip_address: string }[]).map((f) => f.ip_address) : []));
  const ctx: ServerContext = {
    driver,
    catalog: deps.catalog,
    lookup,
    prepareImage: async (image) => {
      if (image === DOCKER_HOST_IMAGE) {
        // Building takes minutes and installs packages: the bootstrap's job, never an activity's.
        const missing = await serverImagesMissing(deps.dockerEndpoint);
        if (missing) throw ApplicationFailure.nonRetryable(missing, 'ImageNotBuilt');
        return;
      }
      await docker.getImage(image).inspect().catch((err: { statusCode?: number; message: string }) => {
        throw err.statusCode === 404 ? new Error('not on the engine and not an image stoke builds') : err;
      });
    },
    registryFor: (gateway) => (gateway ? `${gateway}:${registryPort()}` : undefined),
    networkGateway: (network) => networkGateway(docker, network),
    networkLabel: (network) => networkLabel(docker, network),
  };

  return {
    async create(req: CreateResourceRequest): Promise<CreatedResource> {
      if (SERVER_TYPES.includes(req.type)) return withHeartbeat(() => createServer(req, ctx));
      if (CONFIG_TYPES.includes(req.type)) return createConfig(req, lookup);
      if (DEPLOYMENT_TYPES.includes(req.type)) return withHeartbeat(() => createDeployment(req, driver, lookup));
      if (RECORD_ONLY_TYPES.includes(req.type)) return createRecordOnly(req);
      switch (req.type) {
        // Heartbeats carry a cancel or a timeout to the attempt, which must then make no network.
        case 'OS::Neutron::Net':
          return withHeartbeat(() => createNet(req, docker));
        case 'OS::Neutron::Subnet':
          return withHeartbeat(() => createSubnet(req, docker));
        case 'OS::Neutron::Port':
          return createPort(req, docker, lookup, portAddresses);
        case 'OS::Neutron::FloatingIP':
          return createNeutronFloatingIp(req, lookup);
        default:
          throw ApplicationFailure.nonRetryable(`no handler for resource type ${req.type}`, 'UnknownResourceType');
      }
    },

    async delete(req: DeleteResourceRequest): Promise<void> {
      if (SERVER_TYPES.includes(req.type)) await withHeartbeat(() => deleteServer(req, driver));
      else if (DEPLOYMENT_TYPES.includes(req.type)) await withHeartbeat(() => deleteDeployment(req, driver, lookup));
      else if (req.type === 'OS::Neutron::Net') await deleteNet(req, docker);
    },
  };
}
