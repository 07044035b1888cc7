/**
 * The requests handed to activities and the values resolved at run time: what a handler receives
 * is decided by the resource's run profile alone (siblings, addresses), never by its type.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { ResourceRequest, Sibling } from '../src/resources/plugin';
import { FunctionError, isDeferred, resolve, type ResolveContext } from '../src/template/functions';
import type { Json, JsonObject, ResourceState, StackPlan, StackState, StackStatus } from '../src/template/types';
import { handlerOf, runsOf } from './legacy';

/** A resource made by a create or taken by an adopt, or kept or remade by an update (after a check or resume of the stack, too). */
export const READABLE: ReadonlySet<StackStatus> = new Set(['CREATE_COMPLETE', 'ADOPT_COMPLETE', 'UPDATE_COMPLETE', 'CHECK_COMPLETE', 'RESUME_COMPLETE']);

/** Resolves what the client had to leave for later: functions over resources that now exist. */
export function runtimeContext(plan: StackPlan, state: StackState): ResolveContext {
  const created = (name: string) => {
    const r = state.resources[name];
    return r && READABLE.has(r.status) ? r : undefined;
  };
  return {
    format: plan.format,
    version: plan.version,
    stackName: state.name,
    stackId: state.id,
    parameters: {},
    resourceNames: new Set(Object.keys(plan.resources)),
    physicalId: (name) => {
      const r = created(name);
      return r && (r.refId ?? r.physicalId);
    },
    attribute: (name, attribute) => {
      const r = created(name);
      return r ? (r.attributes[attribute] ?? null) : undefined;
    },
    allAttributes: (name) => created(name)?.attributes,
  };
}

export function resolveNow(value: Json, ctx: ResolveContext, path: string): Json {
  try {
    const resolved = resolve(value, ctx, path);
    if (isDeferred(resolved)) throw new FunctionError(path, 'refers to a resource that was not created');
    return resolved;
  } catch (err) {
    if (err instanceof FunctionError) throw ApplicationFailure.nonRetryable(`${err.path}: ${err.message}`, 'InvalidFunction');
    throw err;
  }
}

/** The stack's hidden values for an activity request, so its failure messages come back masked. */
export function hiddenOf(state: StackState): { hiddenValues?: string[] } {
  return state.hiddenValues ? { hiddenValues: state.hiddenValues } : {};
}

/** Made and not yet deleted: what a handler may find on an engine. */
function exists(resource: ResourceState | undefined): resource is ResourceState {
  return resource !== undefined && resource.physicalId !== '' && resource.status !== 'DELETE_COMPLETE';
}

/** The resources `resource` requires that exist, as its handler reads them. */
function siblingsOf(state: StackState, resource: ResourceState): Record<string, Sibling> {
  return Object.fromEntries(resource.requires.flatMap((name) => {
    const r = state.resources[name];
    if (!exists(r)) return [];
    const sibling: Sibling = {
      type: r.type, physicalId: r.physicalId, ...(r.refId !== undefined ? { refId: r.refId } : {}), attributes: r.attributes, properties: r.properties,
    };
    return [[name, sibling]];
  }));
}

/** Every fixed IP the stack's resources hold (`name` as `resource`): addresses a new port must not take. */
function addressesOf(state: StackState, name: string, resource: ResourceState): string[] {
  return Object.entries(state.resources).map(([n, r]) => (n === name ? resource : r)).filter(exists).flatMap((r) => {
    const fixed = Array.isArray(r.attributes.fixed_ips) ? r.attributes.fixed_ips : [];
    return fixed.map((f) => (f as JsonObject | null)?.ip_address).filter((ip): ip is string => typeof ip === 'string');
  });
}

/**
 * What every lifecycle request of a resource carries: its handler, properties, and what its run profile needs.
 * `resource` is another copy of it than the state holds (an update's old one).
 */
export function requestOf(state: StackState, name: string, resource: ResourceState = state.resources[name]!): ResourceRequest {
  const needs = runsOf(resource).needs ?? [];
  return {
    stack: state.name, stackId: state.id, resource: name, type: resource.type, handler: handlerOf(resource),
    ...(resource.copy ? { copy: resource.copy } : {}), ...(state.parent ? { root: state.parent.root } : {}), ...(state.engine ? { engine: state.engine } : {}),
    properties: resource.properties, ...hiddenOf(state),
    ...(needs.includes('siblings') ? { siblings: siblingsOf(state, resource) } : {}),
    ...(needs.includes('addresses') ? { addresses: addressesOf(state, name, resource) } : {}),
    ...(resource.mounts ? { mounts: resource.mounts } : {}),
  };
}
