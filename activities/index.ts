/**
 * Every side effect of a stack, behind the activities the workflows call: create, delete, suspend,
 * resume or check one resource, each dispatched to its type's handler in the registry, and sweep what
 * a stack left. Nothing here names a type: the request says which handler runs, the registry how.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { StackClient } from '../src/client/client';
import type { Catalog } from '../src/runtime/catalog';
import type { EndpointPolicy } from '../src/runtime/docker-endpoint';
import type {
  AdoptResourceRequest, CreatedResource, CreateResourceRequest, ExistingResourceRequest, UpdateResourceRequest, HandlerContext, ResourceRequest, ResourceType, SignalIssuer,
} from '../src/resources/plugin';
import { implementationOf, resourceType, unalias } from '../src/resources/registry';
import { maskText } from '../src/template/redact';
import type { JsonObject, StackState } from '../src/template/types';
import { mayPlaceOn, placeStack, RecentPlacements, sweepStack, type PlaceRequest, type SweepRequest } from './docker';
import { nestedStackState, planNestedStack, type PlanNestedRequest, type PlannedChild } from './stacks';

export type { CreatedResource, CreateResourceRequest, DeleteResourceRequest, SuspendResourceRequest } from '../src/resources/plugin';
export type { SweepRequest } from './docker';

export interface ActivityDependencies {
  /** The engine used by resources that name no docker_endpoint. */
  readonly dockerEndpoint: string;
  /** The engines stacks are placed on (STOKE_DOCKER_ENGINES), besides the worker's own. */
  readonly engines?: readonly string[];
  /** Which other engines templates may name, and which of them receive registry logins. */
  readonly endpointPolicy?: EndpointPolicy;
  /** Image names and flavors servers boot with; stand-ins for images no registry here serves. */
  readonly catalog: Catalog;
  /** Issues wait condition handle credentials the signal gateway accepts. */
  readonly signals: SignalIssuer;
  /** A client of the worker's Temporal, connected on first use: a nested stack's delete reads the child's state with it. */
  readonly stacks?: () => Promise<StackClient>;
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
function masked<R extends ResourceRequest & { physicalId?: string }, T>(work: (req: R) => Promise<T>) {
  return async (req: R): Promise<T> => {
    try {
      return await work(req);
    } catch (err) {
      if (req.hiddenValues?.length) maskError(err, req.hiddenValues, [req.stack, req.stackId, req.resource, req.physicalId ?? '']);
      throw err;
    }
  };
}

/** The type whose handler runs the request: the plan names it; workflows older than that field send the template's type only. */
const implementation = (req: ResourceRequest): ResourceType | undefined => resourceType(req.handler ?? implementationOf(req.type).handler);

/** The request in the names of the type whose handler runs it, when the template used an alias of that type. */
function unaliased<R extends ResourceRequest>(req: R, attributes: readonly string[] = []) {
  const alias = unalias(req.type, req.properties, attributes);
  if (!alias) return { req, attributes, renameBack: (computed: JsonObject) => computed };
  return { req: { ...req, type: alias.type, properties: alias.properties as JsonObject }, attributes: alias.attributes, renameBack: alias.renameBack };
}

export function createActivities(deps: ActivityDependencies) {
  const ctx: HandlerContext = {
    dockerEndpoint: deps.dockerEndpoint,
    endpointPolicy: deps.endpointPolicy ?? {},
    catalog: deps.catalog,
    signals: deps.signals,
    heartbeat: (details) => {
      if (!Context.current().info.isLocal) Context.current().heartbeat(details);
    },
  };
  const engines = deps.engines ?? [];
  const placed = new RecentPlacements();
  /** The handler context of one request: a placed stack's resources use its engine as the worker's own. */
  const ctxFor = (req: ResourceRequest): HandlerContext => {
    if (!req.engine) return ctx;
    if (!mayPlaceOn(req.engine, deps.dockerEndpoint, engines, ctx.endpointPolicy)) {
      throw ApplicationFailure.nonRetryable(`stack ${req.stack} was placed on '${req.engine}', which this worker may not use: give it that engine in STOKE_DOCKER_ENGINES`, 'EndpointNotAllowed');
    }
    return { ...ctx, dockerEndpoint: req.engine };
  };
  // Heartbeats carry a cancel or a timeout to the attempt, which must then change nothing more.
  const running = <T>(type: ResourceType, work: () => Promise<T>): Promise<T> => (type.runs?.heartbeat ? withHeartbeat(work) : work());

  /** Delete, suspend, resume: a type without the hook has nothing to do, as in Heat. */
  const act = (hook: 'delete' | 'suspend' | 'resume') => masked(async (request: ExistingResourceRequest): Promise<void> => {
    const type = implementation(request);
    const handler = type?.handler;
    if (!type || !handler?.[hook]) return;
    const { req } = unaliased(request);
    await running(type, () => handler[hook]!(req, ctxFor(req)));
  });

  return {
    createResource: masked(async (request: CreateResourceRequest): Promise<CreatedResource> => {
      const type = implementation(request);
      const handler = type?.handler;
      if (!type || !handler) throw ApplicationFailure.nonRetryable(`no handler for resource type ${request.type}`, 'UnknownResourceType');
      const { req, attributes, renameBack } = unaliased(request, request.attributes);
      const created = await running(type, async () => handler.create({ ...req, attributes }, ctxFor(req)));
      return { ...created, attributes: renameBack(created.attributes) };
    }),

    deleteResource: act('delete'),

    /** Heat's adopt: the handler checks the abandoned stack's object exists and reads it, changing nothing. */
    adoptResource: masked(async (request: AdoptResourceRequest): Promise<CreatedResource> => {
      const type = implementation(request);
      const handler = type?.handler;
      if (!type || !handler?.adopt) throw ApplicationFailure.nonRetryable(`resource type ${request.type} cannot be adopted: it has no adopt hook`, 'AdoptNotSupported');
      const { req, attributes, renameBack } = unaliased(request, request.attributes);
      const adopted = await running(type, async () => handler.adopt!({ ...req, attributes }, ctxFor(req)));
      return { ...adopted, attributes: renameBack(adopted.attributes) };
    }),

    /** A stack update's change in place; the workflow asks only types whose plan says they have the hook. */
    updateResource: masked(async (request: UpdateResourceRequest): Promise<CreatedResource> => {
      const type = implementation(request);
      const handler = type?.handler;
      if (!type || !handler?.update) throw ApplicationFailure.nonRetryable(`resource type ${request.type} cannot be updated in place`, 'UpdateNotSupported');
      const { req, attributes, renameBack } = unaliased(request, request.attributes);
      const previous = (unalias(request.type, request.previous, [])?.properties ?? request.previous) as JsonObject;
      const updated = await running(type, async () => handler.update!({ ...req, previous, attributes }, ctxFor(req)));
      return { ...updated, attributes: renameBack(updated.attributes) };
    }),

    /** The last step of a delete or rollback: removes what carries the stack's id and no resource accounted for. */
    async sweepStack(req: SweepRequest): Promise<void> {
      await withHeartbeat(() => sweepStack(req, deps.dockerEndpoint, ctx.endpointPolicy));
    },

    /** A create's first step: the engine its resources go to (a local activity, one listing per engine). */
    placeStack: async (req: PlaceRequest): Promise<{ engine?: string }> => placeStack(req, deps.dockerEndpoint, engines, ctx.endpointPolicy, placed),

    /** A nested stack planned from its resource's properties: a local activity, it reads only what the plan carries. */
    planNestedStack: masked(async (req: PlanNestedRequest): Promise<PlannedChild> => planNestedStack(req)),

    /** A nested stack's state, for its delete. */
    async nestedStackState({ name }: { name: string }): Promise<StackState | null> {
      if (!deps.stacks) throw ApplicationFailure.nonRetryable('this worker has no Temporal client to read nested stacks with', 'NestedStackUnsupported');
      return nestedStackState(deps.stacks, name);
    },

    /** Heat's suspend: containers are paused; types without the hook have nothing to suspend. */
    suspendResource: act('suspend'),

    resumeResource: act('resume'),

    /**
     * Heat's check: the handler throws ResourceDrifted when the resource is not as the stack expects it.
     * `checked` is false for a type without the hook, which passes, as in Heat.
     */
    checkResource: masked(async (request: ExistingResourceRequest): Promise<{ checked: boolean }> => {
      const type = implementation(request);
      const handler = type?.handler;
      if (!type || !handler?.check) return { checked: false };
      const { req } = unaliased(request);
      await running(type, () => handler.check!(req, ctxFor(req)));
      return { checked: true };
    }),
  };
}
