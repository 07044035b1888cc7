/**
 * Every side effect of a stack, behind the activities the workflows call: create one resource, delete
 * one resource (each dispatches on the resource type), and sweep what a stack left.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { maskText } from '../src/template/redact';
import { loadCatalog } from '../src/runtime/catalog';
import type { EndpointPolicy } from '../src/runtime/docker-endpoint';
import { RESOURCE_TYPES } from '../src/resources';
import type { HandlerContext, ResourceHandler, ResourceType } from '../src/resources/plugin';
import { createContainer, deleteContainer, pauseContainer, sweepStack, unpauseContainer } from './docker';
import { createInfrastructure, isInfrastructureType, type InfrastructureDependencies } from './infrastructure';
import { createRandomString } from './random';
import type { CreatedResource, CreateResourceRequest, DeleteResourceRequest, SuspendResourceRequest, SweepRequest } from './types';
import { createWaitHandle, type SignalIssuer } from './wait-condition';

export type { CreatedResource, CreateResourceRequest, DeleteResourceRequest, SuspendResourceRequest, SweepRequest } from './types';

export interface ActivityDependencies {
  /** The engine used by containers that name no docker_endpoint. */
  readonly dockerEndpoint: string;
  /** Which other engines templates may name, and which of them receive registry logins. */
  readonly endpointPolicy?: EndpointPolicy;
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

/** Masks hidden values in an error and its causes, message and stack alike: the worker logs both. */
function maskError(err: unknown, hidden: readonly string[], identifiers: readonly string[]): void {
  for (let e = err; e instanceof Error; e = e.cause) {
    e.message = maskText(e.message, hidden, identifiers);
    if (e.stack) e.stack = maskText(e.stack, hidden, identifiers);
  }
}

/**
 * Runs one activity, masking the stack's hidden values in its failure before the worker logs it and
 * the workflow quotes it: failures quote container and deployment output, which may print them.
 */
function masked<R, T>(work: (req: R) => Promise<T>) {
  return async (req: R & Pick<CreateResourceRequest, 'stack' | 'stackId' | 'resource' | 'hiddenValues'> & { physicalId?: string }): Promise<T> => {
    try {
      return await work(req);
    } catch (err) {
      if (req.hiddenValues?.length) maskError(err, req.hiddenValues, [req.stack, req.stackId, req.resource, req.physicalId ?? '']);
      throw err;
    }
  };
}

/** The handler of a type that brings its own (the plugin path); the types dispatched by name here predate it. */
const pluginHandler = (type: string): ResourceHandler | undefined => (RESOURCE_TYPES[type] as ResourceType | undefined)?.handler;

export function createActivities(deps: ActivityDependencies) {
  const policy = deps.endpointPolicy ?? {};
  const infrastructure = deps.infrastructure && createInfrastructure({ ...deps.infrastructure, dockerEndpoint: deps.dockerEndpoint }, withHeartbeat);
  const handlerContext = (): HandlerContext => ({
    dockerEndpoint: deps.dockerEndpoint, endpointPolicy: policy, catalog: deps.infrastructure?.catalog ?? loadCatalog(), signals: deps.signals,
    heartbeat: (details) => Context.current().heartbeat(details),
  });
  return {
    createResource: masked(async (req: CreateResourceRequest): Promise<CreatedResource> => {
      if (infrastructure && isInfrastructureType(req.type)) return infrastructure.create(req);
      switch (req.type) {
        case 'DockerInc::Docker::Container':
        case 'OS::Heat::Docker':
          return withHeartbeat(() => createContainer(req, deps.dockerEndpoint, policy, deps.infrastructure?.catalog.standins));
        case 'OS::Heat::RandomString':
          return createRandomString(req);
        case 'AWS::CloudFormation::WaitConditionHandle':
        case 'OS::Heat::WaitConditionHandle':
          return createWaitHandle(req, deps.signals);
        case 'OS::Heat::None':
          return { physicalId: `${req.stack}-${req.resource}`, attributes: {} };
        default: {
          const handler = pluginHandler(req.type);
          if (handler) return handler.create(req, handlerContext());
          throw ApplicationFailure.nonRetryable(`no handler for resource type ${req.type}`, 'UnknownResourceType');
        }
      }
    }),

    deleteResource: masked(async (req: DeleteResourceRequest): Promise<void> => {
      if (infrastructure && isInfrastructureType(req.type)) return infrastructure.delete(req);
      if (req.type === 'DockerInc::Docker::Container' || req.type === 'OS::Heat::Docker') await withHeartbeat(() => deleteContainer(req, deps.dockerEndpoint, policy));
      else await pluginHandler(req.type)?.delete?.(req, handlerContext());
    }),

    /** The last step of a delete or rollback: removes what carries the stack's id and no resource accounted for. */
    async sweepStack(req: SweepRequest): Promise<void> {
      await withHeartbeat(() => sweepStack(req, deps.dockerEndpoint, policy));
    },

    /** Heat's suspend: containers are paused, plugin types run their hook; other types have nothing to suspend. */
    suspendResource: masked(async (req: SuspendResourceRequest): Promise<void> => {
      if (req.type === 'DockerInc::Docker::Container' || req.type === 'OS::Heat::Docker') await pauseContainer(req, deps.dockerEndpoint, policy);
      else await pluginHandler(req.type)?.suspend?.(req, handlerContext());
    }),

    resumeResource: masked(async (req: SuspendResourceRequest): Promise<void> => {
      if (req.type === 'DockerInc::Docker::Container' || req.type === 'OS::Heat::Docker') await unpauseContainer(req, deps.dockerEndpoint, policy);
      else await pluginHandler(req.type)?.resume?.(req, handlerContext());
    }),
  };
}
