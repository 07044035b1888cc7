/**
 * The one Docker helper: an endpoint's client, one reading of Docker's errors, the labels that tie what
 * stoke makes on an engine to its stack and resource, and the sweep of what a stack left behind.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import Docker from 'dockerode';
import { dockerOptions, endpointKey, endpointListed, type EndpointPolicy } from '../src/runtime/docker-endpoint';
import { StokeError } from '../src/errors';

export const LABEL_STACK = 'org.stoke.stack';
export const LABEL_STACK_ID = 'org.stoke.stack-id';
export const LABEL_RESOURCE = 'org.stoke.resource';
export const LABEL_STANDIN_FOR = 'org.stoke.standin-for';
/** Which copy of its resource an object is, when a stack update made it beside an older one. */
export const LABEL_COPY = 'org.stoke.copy';
/** The root stack of the stack an object belongs to (the stack itself when it is not nested): a stack's whole tree by one label. */
export const LABEL_ROOT_STACK = 'org.stoke.root-stack';
export const LABEL_ROOT_STACK_ID = 'org.stoke.root-stack-id';

/** On a container: the engine it was made on, as the worker reached it (its own, a placed stack's, or docker_endpoint). */
export const LABEL_ENGINE = 'org.stoke.engine';

/** What stoke makes on an engine carries these labels, so a retry or the sweep finds it again. */
export function identityLabels(req: { stack: string; stackId: string; resource: string; copy?: string; root?: { name: string; id: string } }): Record<string, string> {
  const root = req.root ?? { name: req.stack, id: req.stackId };
  return {
    [LABEL_STACK]: req.stack, [LABEL_STACK_ID]: req.stackId, [LABEL_RESOURCE]: req.resource, ...(req.copy ? { [LABEL_COPY]: req.copy } : {}),
    [LABEL_ROOT_STACK]: root.name, [LABEL_ROOT_STACK_ID]: root.id,
  };
}

/** Whether labels name this copy of the resource: a request without a copy is the copy without the label, made by a create. */
export function isCopy(labels: Readonly<Record<string, string>> | undefined, req: { stackId: string; resource: string; copy?: string }): boolean {
  return labels?.[LABEL_STACK_ID] === req.stackId && labels[LABEL_RESOURCE] === req.resource && labels[LABEL_COPY] === req.copy;
}

/** What is left to remove once a stack's resources were deleted: anything else that carries its id. */
export interface SweepRequest {
  readonly stack: string;
  readonly stackId: string;
  /** The docker_endpoints the stack's resources named; the worker's own engine is always swept. */
  readonly endpoints: readonly string[];
  /** Resources kept by deletion_policy Retain: they carry the stack's labels too. */
  readonly retained: readonly string[];
}

export interface DockerError {
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
  message: string;
  code?: string;
}

/** Engine answers that no retry can change, though Docker reports them as 500. */
const PERMANENT_SERVER_ERRORS = /port is already allocated|address already in use|invalid|no such|not found|conflict|executable file not found|permission denied|operation not permitted|OCI runtime create failed/i;

/**
 * Answers of an engine that has just restarted: its network store is still being reloaded, so a
 * retry succeeds, though the words ("no such file") read like a permanent cause.
 */
const RESTARTING_ENGINE_ERRORS = /failed to update store for object type/i;

/** A certificate the endpoint or stoke rejects stays rejected; a closed port may open later. */
const TLS_ERROR_CODES = /CERT|SSL|TLS|VERIFY|ISSUER|SELF_SIGNED/;

/**
 * Throws the attempt's cancellation before a Docker mutation. An attempt that was cancelled or timed out
 * (it learns either from a heartbeat's answer) must not create what a rollback may already have looked
 * for and not found.
 */
export function stopIfCancelled(): void {
  const signal = Context.current().cancellationSignal;
  if (signal.aborted) throw signal.reason instanceof CancelledFailure ? signal.reason : new CancelledFailure('activity cancelled');
}

/** Request options that abandon a read the engine is slow to answer once the attempt is cancelled. */
export const abandonOnCancel = () => ({ abortSignal: Context.current().cancellationSignal });

/** Docker's own words: the body's message, whether the modem parsed it as JSON or left it as text. */
export function dockerMessage(err: unknown): string {
  const e = err as DockerError;
  if (e.json && typeof e.json === 'object' && e.json.message) return e.json.message;
  if (typeof e.json === 'string' && (e.json as string).trim()) return (e.json as string).trim();
  return String(e.message ?? '').replace(/^\(HTTP code \d+\) [^-]*- /, '').trim() || e.reason || String(e.message ?? err);
}

/**
 * What a failed Docker request means: `gone` (404: what was asked for does not exist), `conflict` (409:
 * it exists, or is busy, in a way the request did not expect), `permanent` (rejected: any other 4xx, a
 * 500 naming a cause no retry changes, a certificate refused) or `retryable` (an engine restarting,
 * refusing connections or not reachable yet, as a server still booting is).
 */
export function classifyDockerError(err: unknown): 'retryable' | 'permanent' | 'gone' | 'conflict' {
  const e = err as DockerError;
  if (e.statusCode === 404) return 'gone';
  if (e.statusCode === 409) return 'conflict';
  if (e.statusCode === undefined) return typeof e.code === 'string' && TLS_ERROR_CODES.test(e.code) ? 'permanent' : 'retryable';
  if (e.statusCode >= 400 && e.statusCode < 500) return 'permanent';
  const said = dockerMessage(e);
  return PERMANENT_SERVER_ERRORS.test(said) && !RESTARTING_ENGINE_ERRORS.test(said) ? 'permanent' : 'retryable';
}

/**
 * Rethrows a Docker error so Temporal does the right thing: rejected requests fail the resource at once
 * with Docker's own message; an endpoint that refuses or cannot be reached yet is retried with backoff
 * until the stack times out.
 */
export function rethrowDockerError(err: unknown, what: string): never {
  // Whatever failed after a cancel (an abandoned read, most often), the attempt ends as cancelled.
  stopIfCancelled();
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) throw err;
  const e = err as DockerError;
  const message = `${what}: ${dockerMessage(e)}`;
  if (classifyDockerError(e) !== 'retryable') {
    if (e.statusCode === undefined) throw ApplicationFailure.nonRetryable(`${message} (${e.code})`, 'DockerTlsRejected');
    throw ApplicationFailure.nonRetryable(message, 'DockerRequestRejected');
  }
  throw new StokeError('DockerRequestFailed', e.code && !message.includes(e.code) ? `${message} (${e.code})` : message);
}

/** What a check throws for something that is not as its stack expects it (gone, stopped, another image): no retry changes that. */
export const drifted = (message: string) => ApplicationFailure.nonRetryable(message, 'ResourceDrifted');

/** Ignores the error when what the request would have removed is gone already or being removed. */
export function unlessGone(err: unknown): void {
  const kind = classifyDockerError(err);
  if (kind !== 'gone' && kind !== 'conflict') throw err;
}

const clients = new Map<string, Docker>();

/** The engine's client, made once per endpoint. */
export function dockerFor(endpoint: string): Docker {
  let client = clients.get(endpoint);
  if (!client) {
    try {
      client = new Docker(dockerOptions(endpoint));
    } catch (err) {
      // A malformed endpoint or missing certificate file stays so on every attempt.
      throw ApplicationFailure.nonRetryable((err as Error).message, 'DockerEndpointInvalid');
    }
    clients.set(endpoint, client);
  }
  return client;
}

/** How long the sweep waits for an engine's answer: one that went away with the stack (a server's own engine) is skipped. */
const SWEEP_ENGINE_TIMEOUT_MS = 15_000;

/**
 * Removes what still carries the stack's id once its resources were deleted, on the worker's engine and
 * every docker_endpoint the stack named: containers (servers too), networks and volumes that an attempt created
 * after the workflow had stopped waiting for it. Retained resources stay.
 */
export async function sweepStack(req: SweepRequest, defaultEndpoint: string, policy: EndpointPolicy = {}): Promise<void> {
  const endpoints = new Map<string, string>();
  for (const endpoint of [defaultEndpoint, ...req.endpoints]) {
    // Nothing was made on an engine the operator does not allow.
    if (policy.allowed && !endpointListed(endpoint, defaultEndpoint, policy.allowed)) continue;
    if (!endpoints.has(endpointKey(endpoint))) endpoints.set(endpointKey(endpoint), endpoint);
  }
  const byStack = { label: [`${LABEL_STACK_ID}=${req.stackId}`] };
  const left = (labels: Record<string, string> | undefined) => !req.retained.includes(labels?.[LABEL_RESOURCE] ?? '');
  for (const endpoint of endpoints.values()) {
    const docker = dockerFor(endpoint);
    const abortSignal = AbortSignal.any([Context.current().cancellationSignal, AbortSignal.timeout(SWEEP_ENGINE_TIMEOUT_MS)]);
    let containers: Docker.ContainerInfo[];
    let networks: Docker.NetworkInspectInfo[];
    let volumes: Docker.VolumeInspectInfo[];
    try {
      containers = (await docker.listContainers({ all: true, filters: byStack, abortSignal })).filter((c) => left(c.Labels));
      networks = (await docker.listNetworks({ filters: byStack, abortSignal })).filter((n) => left(n.Labels));
      volumes = ((await docker.listVolumes({ filters: byStack, abortSignal })).Volumes ?? []).filter((v) => left(v.Labels ?? undefined));
    } catch (err) {
      // The resources' own deletes succeeded; an engine that cannot be asked (gone, or refusing this
      // client as it refused the create) leaves nothing to sweep that the action could fix.
      stopIfCancelled();
      log.warn('not swept: the engine did not answer the listing', { stack: req.stack, endpoint, reason: dockerMessage(err) });
      continue;
    }
    try {
      for (const c of containers) {
        log.warn('removing a container of the stack that its state did not know', { stack: req.stack, endpoint, id: c.Id, resource: c.Labels[LABEL_RESOURCE] });
        await docker.getContainer(c.Id).remove({ v: true, force: true }).catch(unlessGone);
      }
      for (const n of networks) {
        log.warn('removing a network of the stack that its state did not know', { stack: req.stack, endpoint, network: n.Name, resource: n.Labels?.[LABEL_RESOURCE] });
        await docker.getNetwork(n.Id).remove().catch((err: DockerError) => {
          if (classifyDockerError(err) === 'gone') return;
          // A retained server still on it keeps it, as it would have kept it from the net's own delete.
          if (err.statusCode === 403) log.warn('network kept: it is in use', { network: n.Name, reason: dockerMessage(err) });
          else throw err;
        });
      }
      for (const v of volumes) {
        log.warn('removing a volume of the stack that its state did not know', { stack: req.stack, endpoint, volume: v.Name, resource: v.Labels?.[LABEL_RESOURCE] });
        await docker.getVolume(v.Name).remove().catch((err: DockerError) => {
          if (classifyDockerError(err) === 'gone') return;
          // A retained server still mounts it, as it would have kept it from the volume's own delete.
          if (classifyDockerError(err) === 'conflict') log.warn('volume kept: it is in use', { volume: v.Name, reason: dockerMessage(err) });
          else throw err;
        });
      }
    } catch (err) {
      rethrowDockerError(err, `removing what is left of stack ${req.stack} on ${endpoint}`);
    }
  }
}

/** Which engine a stack goes to: pinned by its creator or parent, or chosen among the worker's engines. */
export interface PlaceRequest {
  readonly stack: string;
  readonly pinned?: string;
  /** How many resources the stack plans: the most containers it can add to its engine. */
  readonly weight?: number;
}

/**
 * The engine with the least load among those that answered (a load of undefined). Equal loads are split by the
 * stack's name, so a burst of creates that all read the same loads spreads over the engines instead of piling on the first.
 */
export function leastLoaded(engines: readonly string[], loads: readonly (number | undefined)[], stack = ''): string | undefined {
  const answered = loads.filter((load): load is number => load !== undefined);
  if (answered.length === 0) return undefined;
  const least = Math.min(...answered);
  const tied = engines.filter((_, i) => loads[i] === least);
  let hash = 0;
  for (const ch of stack) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  return tied[hash % tied.length];
}

/**
 * What this worker placed in the last minute, by engine: a stack's containers appear on its engine only as its
 * create goes on, so without this every create of a burst sees the engines as they were before the burst.
 */
export class RecentPlacements {
  private readonly placed: { engine: string; weight: number; at: number }[] = [];
  constructor(private readonly windowMs = 60_000, private readonly clock = () => Date.now()) {}

  add(engine: string, weight: number): void {
    this.placed.push({ engine: endpointKey(engine), weight, at: this.clock() });
  }

  load(engine: string): number {
    const since = this.clock() - this.windowMs;
    while (this.placed.length > 0 && this.placed[0]!.at < since) this.placed.shift();
    return this.placed.filter((p) => p.engine === endpointKey(engine)).reduce((sum, p) => sum + p.weight, 0);
  }
}

/** Whether `engine` is one the worker may put a stack on: its own, one of its engines, or one the operator allowed. */
export function mayPlaceOn(engine: string, own: string, engines: readonly string[], policy: EndpointPolicy): boolean {
  return endpointListed(engine, own, [...engines, ...(policy.allowed ?? [])]);
}

/**
 * Places a stack on one engine (Heat has one cloud; stoke's operator may give the workers several): a pinned
 * engine if the worker may use it, else, when the worker has more than one, the least loaded by stoke's own
 * containers and the stacks this worker placed lately. With one engine there is nothing to choose and the
 * stack keeps the worker's, as before placement.
 */
export async function placeStack(req: PlaceRequest, own: string, engines: readonly string[], policy: EndpointPolicy, recent: RecentPlacements): Promise<{ engine?: string }> {
  const candidates = [...new Map([own, ...engines].map((e) => [endpointKey(e), e])).values()];
  if (req.pinned) {
    if (!mayPlaceOn(req.pinned, own, engines, policy)) {
      throw ApplicationFailure.nonRetryable(`stack ${req.stack}: engine '${req.pinned}' is not one this worker may use (STOKE_DOCKER_ENGINES: ${candidates.join(', ')})`, 'EndpointNotAllowed');
    }
    return { engine: req.pinned };
  }
  if (candidates.length < 2) return {};
  const loads = await Promise.all(candidates.map((engine) => dockerFor(engine).listContainers({ all: true, filters: { label: [LABEL_STACK] } })
    .then((found) => found.length + recent.load(engine), (err: unknown) => {
      log.warn('engine left out of placement: it does not answer', { engine, error: dockerMessage(err) });
      return undefined;
    })));
  const engine = leastLoaded(candidates, loads, req.stack);
  if (!engine) throw new StokeError('DockerUnreachable', `no engine answers to place stack ${req.stack} on (${candidates.join(', ')})`);
  recent.add(engine, req.weight ?? 1);
  log.info('stack placed', { stack: req.stack, engine, loads: Object.fromEntries(candidates.map((e, i) => [e, loads[i] ?? 'no answer'])) });
  return { engine };
}
