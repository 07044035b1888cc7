/**
 * Heat's abandon data: what `stoke stack abandon` prints and `stoke stack adopt --adopt-file` reads back.
 * The shape is Heat's (name, id, template, environment, action, status, and per resource its resource_id,
 * type, action, status, metadata and resource_data); stoke's resource_data is the attributes the stack held.
 */
import type { Json, JsonObject, ResourceState, StackPlan, StackState } from '../template/types';

export interface AbandonedResource {
  readonly name: string;
  /** The object's id on its engine (a container id…); null for a resource that was never made. */
  readonly resource_id: string | null;
  readonly type: string;
  readonly action: string;
  readonly status: string;
  readonly metadata: JsonObject;
  /** The attributes the stack held: what an adopt takes back for types whose value lives only in the stack (a random string). */
  readonly resource_data: JsonObject;
}

export interface AbandonData {
  readonly name: string;
  /** The stack id the objects' labels carry: an adopt keeps it, so handlers and the sweep still find them. */
  readonly id: string;
  readonly action: string;
  readonly status: string;
  /** The template the stack was last brought to, its parameters already substituted (so `environment` is empty). */
  readonly template: JsonObject;
  readonly environment: JsonObject;
  readonly resources: Record<string, AbandonedResource>;
}

/** Heat keeps action and status apart: CREATE_COMPLETE is action CREATE, status COMPLETE. */
function split(status: string): { action: string; status: string } {
  const match = /^(.*)_(IN_PROGRESS|COMPLETE|FAILED)$/.exec(status);
  return match ? { action: match[1]!, status: match[2]! } : { action: status, status: '' };
}

const made = (r: ResourceState) => r.physicalId !== '' && r.status !== 'INIT_COMPLETE' && r.status !== 'DELETE_COMPLETE';

/** The plan as a template again: parameters are already in its values, references to resources are kept. */
export function templateOf(plan: StackPlan): JsonObject {
  const date = plan.version?.split(':')[1];
  const optional = (key: string, value: Json | undefined, keep: boolean) => (keep && value !== undefined ? { [key]: value } : {});
  if (plan.format === 'cfn') {
    return {
      ...(date === '2012-12-12' ? { HeatTemplateFormatVersion: date } : { AWSTemplateFormatVersion: date ?? '2010-09-09' }),
      Resources: Object.fromEntries(Object.entries(plan.resources).map(([name, r]) => [name, {
        Type: r.type, Properties: r.properties, ...optional('DependsOn', r.requires, r.requires.length > 0),
        ...optional('DeletionPolicy', r.deletionPolicy, r.deletionPolicy !== 'Delete'), ...optional('Metadata', r.metadata, true),
      }])),
      Outputs: Object.fromEntries(Object.entries(plan.outputs).map(([name, o]) => [name, { Value: o.value, ...optional('Description', o.description, true) }])),
    };
  }
  return {
    heat_template_version: date ?? '2013-05-23',
    resources: Object.fromEntries(Object.entries(plan.resources).map(([name, r]) => [name, {
      type: r.type, properties: r.properties, ...optional('depends_on', r.requires, r.requires.length > 0),
      ...optional('deletion_policy', r.deletionPolicy, r.deletionPolicy !== 'Delete'), ...optional('metadata', r.metadata, true),
    }])),
    outputs: Object.fromEntries(Object.entries(plan.outputs).map(([name, o]) => [name, { value: o.value, ...optional('description', o.description, true) }])),
  };
}

/** The data to adopt the stack's resources with, from its state (real values: it is the user's to keep) and its plan. */
export function abandonData(state: StackState, plan: StackPlan | undefined): AbandonData {
  return {
    name: state.name,
    id: state.id,
    ...split(state.status),
    template: plan ? templateOf(plan) : {},
    environment: {},
    resources: Object.fromEntries(Object.entries(state.resources).map(([name, r]) => [name, {
      name, resource_id: made(r) ? r.physicalId : null, type: r.type, ...split(r.status),
      metadata: plan?.resources[name]?.metadata ?? {}, resource_data: made(r) ? r.attributes : {},
    }])),
  };
}
