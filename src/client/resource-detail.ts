/**
 * One resource of a stack's (masked) state, as `openstack stack resource show` lays it out: what `stoke stack
 * resource show` prints and Heat's API answers.
 */
import { StokeError } from '../errors';
import type { JsonObject, StackState } from '../template/types';
import { nestedStackOf } from './nested';

export interface ResourceDetail {
  readonly resource_name: string;
  readonly resource_type: string;
  readonly resource_status: string;
  readonly resource_status_reason: string;
  readonly physical_resource_id: string;
  readonly updated_time: string;
  readonly depends_on: string[];
  readonly required_by: string[];
  readonly attributes: JsonObject;
  readonly properties: JsonObject;
  /** The stack a nested stack's resource runs, by name (Heat links it as `nested`). */
  readonly nested_stack?: string;
  /** The Docker engine the resource lives on: its docker_endpoint, else the engine the stack was placed on (absent: the worker's own). */
  readonly engine?: string;
}

function engineOf(state: StackState, properties: JsonObject): { engine?: string } {
  const named = properties.docker_endpoint ?? properties.DockerEndpoint;
  const engine = typeof named === 'string' && named !== '' ? named : state.engine;
  return engine ? { engine } : {};
}

/**
 * The resource's detail; who requires it is read off the other resources, since a state records only what each
 * requires. A nested stack's resource names its stack once it is made.
 */
export function resourceDetail(state: StackState, name: string): ResourceDetail {
  const r = state.resources[name];
  if (!r) {
    const names = Object.keys(state.resources).sort();
    throw new StokeError('ResourceNotFound', `stack '${state.name}' has no resource '${name}' (it has: ${names.join(', ') || 'none'})`);
  }
  const nested = nestedStackOf(state, name);
  return {
    resource_name: name,
    resource_type: r.type,
    resource_status: r.status,
    resource_status_reason: r.statusReason,
    physical_resource_id: r.physicalId,
    updated_time: r.updatedAt,
    depends_on: [...r.requires].sort(),
    required_by: Object.entries(state.resources).filter(([, other]) => other.requires.includes(name)).map(([other]) => other).sort(),
    attributes: r.attributes,
    properties: r.properties,
    ...(nested?.id ? { nested_stack: nested.name } : {}),
    ...engineOf(state, r.properties),
  };
}
