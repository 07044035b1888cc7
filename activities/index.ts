/**
 * Every side effect of a stack, behind two activities the workflows call: create one resource, delete
 * one resource. Each dispatches on the resource type.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createContainer, deleteContainer, pauseContainer, unpauseContainer } from './docker';
import { createInfrastructure, isInfrastructureType, type InfrastructureDependencies } from './infrastructure';
import { createRandomString } from './random';
import type { CreatedResource, CreateResourceRequest, DeleteResourceRequest, SuspendResourceRequest } from './types';
import { createWaitHandle, type SignalIssuer } from './wait-condition';

export type { CreatedResource, CreateResourceRequest, DeleteResourceRequest, SuspendResourceRequest } from './types';

export interface ActivityDependencies {
  /** The engine used by containers that name no docker_endpoint. */
  readonly dockerEndpoint: string;
  /** Servers, configs, deployments and networks; without it those types are refused. */
  readonly infrastructure?: Omit<InfrastructureDependencies, 'dockerEndpoint'>;
  /** Issues wait condition handle credentials the signal gateway accepts. */
  readonly signals: SignalIssuer;
}

/**
 * Heartbeats while `work` runs, so a worker that dies is noticed within the heartbeat timeout (20 s).
 * Every heartbeat is a write on the server: the first comes after half that timeout, so the usual
 * container, created in a few seconds, sends none.
 */
async function withHeartbeat<T>(work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => Context.current().heartbeat(), 10_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createActivities(deps: ActivityDependencies) {
  const infrastructure = deps.infrastructure && createInfrastructure({ ...deps.infrastructure, dockerEndpoint: deps.dockerEndpoint }, withHeartbeat);
  return {
    async createResource(req: CreateResourceRequest): Promise<CreatedResource> {
      if (infrastructure && isInfrastructureType(req.type)) return infrastructure.create(req);
      switch (req.type) {
        case 'DockerInc::Docker::Container':
        case 'OS::Heat::Docker':
          return withHeartbeat(() => createContainer(req, deps.dockerEndpoint, deps.infrastructure?.catalog.standins));
        case 'OS::Heat::RandomString':
          return createRandomString(req);
        case 'AWS::CloudFormation::WaitConditionHandle':
        case 'OS::Heat::WaitConditionHandle':
          return createWaitHandle(req, deps.signals);
        case 'OS::Heat::None':
          return { physicalId: `${req.stack}-${req.resource}`, attributes: {} };
        default:
          throw ApplicationFailure.nonRetryable(`no handler for resource type ${req.type}`, 'UnknownResourceType');
      }
    },

    async deleteResource(req: DeleteResourceRequest): Promise<void> {
      if (infrastructure && isInfrastructureType(req.type)) return infrastructure.delete(req);
      if (req.type === 'DockerInc::Docker::Container' || req.type === 'OS::Heat::Docker') await withHeartbeat(() => deleteContainer(req, deps.dockerEndpoint));
    },

    /** Heat's suspend: containers are paused; other types have nothing to suspend. */
    async suspendResource(req: SuspendResourceRequest): Promise<void> {
      if (req.type === 'DockerInc::Docker::Container' || req.type === 'OS::Heat::Docker') await pauseContainer(req, deps.dockerEndpoint);
    },

    async resumeResource(req: SuspendResourceRequest): Promise<void> {
      if (req.type === 'DockerInc::Docker::Container' || req.type === 'OS::Heat::Docker') await unpauseContainer(req, deps.dockerEndpoint);
    },
  };
}
