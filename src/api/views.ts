/** Stacks in the JSON shapes of Heat's API (its engine's format_stack and the API's stacks view). */
import type { StackSummary } from '../client/stacks';
import type { StackInputs } from '../client/client';
import { parseFile } from '../template/parse';
import type { StackState } from '../template/types';

type StackOutput = StackState['outputs'][string];

/** Heat's isotime: seconds, 'Z', or null. */
export function isotime(time: Date | string | undefined): string | null {
  if (!time) return null;
  const date = typeof time === 'string' ? new Date(time) : time;
  return Number.isNaN(date.getTime()) ? null : `${date.toISOString().slice(0, 19)}Z`;
}

export const stackPath = (base: string, name: string, id: string) => `${base}/stacks/${encodeURIComponent(name)}/${encodeURIComponent(id)}`;

const selfLinks = (href: string) => [{ href, rel: 'self' }];

/** What Heat reports of a stack, besides its status, that stoke does not keep: no owners or tags. */
const UNKEPT = { deletion_time: null, stack_owner: null, parent: null, stack_user_project_id: null, tags: null };

/** An item of `GET /stacks`: Heat's list never carries a description; visibility holds no status reason. `parentId`: a nested stack's parent's id. */
export function listItem(base: string, stack: StackSummary, id: string | null, parentId: string | null = null) {
  return {
    id, links: id ? selfLinks(stackPath(base, stack.name, id)) : [], stack_name: stack.name, description: '',
    stack_status: stack.status, stack_status_reason: '',
    creation_time: isotime(stack.createdAt), updated_time: isotime(stack.updatedAt), ...UNKEPT,
    // A deleted stack's newest action is its delete.
    deletion_time: stack.status === 'DELETE_COMPLETE' ? isotime(stack.updatedAt) : null,
    parent: parentId,
  };
}

type Data = Record<string, unknown>;

/** The stack's template as data; absent for stacks of a stoke that kept no source. */
export function templateOf(inputs: StackInputs | undefined): Data | undefined {
  if (!inputs?.source) return undefined;
  const data = parseFile(inputs.source.template.text, inputs.source.template.name).data;
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? data as Data : undefined;
}

function description(template: Data | undefined): string {
  const text = template?.description ?? template?.Description;
  return typeof text === 'string' ? text : '';
}

/** HOT's `hidden: true`, CFN's `NoEcho: 'true'`. */
function hidden(template: Data | undefined, name: string): boolean {
  const declared = (template?.parameters ?? template?.Parameters) as Record<string, Data | undefined> | undefined;
  const parameter = declared?.[name];
  return parameter?.hidden === true || String(parameter?.NoEcho).toLowerCase() === 'true';
}

/** Given parameter values, hidden ones masked as Heat masks them, and HOT's pseudo parameters. */
function parameters(state: StackState, inputs: StackInputs | undefined, template: Data | undefined): Record<string, string> {
  const given = Object.entries(inputs?.source?.parameters ?? {}).map(([key, value]) => [key, hidden(template, key) ? '******' : value]);
  return { ...Object.fromEntries(given), 'OS::stack_id': state.id, 'OS::stack_name': state.name };
}

/** Heat's format_stack_output: the value resolved, or only the key and description as `GET {stack}/outputs` lists them. */
export function outputView(key: string, output: StackOutput, withValue = true) {
  const description = output.description ?? 'No description given';
  if (!withValue) return { output_key: key, description };
  return { output_key: key, output_value: output.value, description, ...(output.error ? { output_error: output.error } : {}) };
}

/**
 * `GET {stack}/environment`: the stored environments merged in order (a later one's parameters, defaults and
 * registry entries over an earlier one's), the given parameter values last, hidden ones masked as Heat masks them.
 */
export function environmentView(inputs: StackInputs) {
  const template = templateOf(inputs);
  const merged = { parameters: {} as Data, parameter_defaults: {} as Data, resource_registry: { resources: {} } as Data, event_sinks: [] as unknown[] };
  for (const file of inputs.source?.environments ?? []) {
    const env = parseFile(file.text, file.name).data as Data | null;
    if (!env || typeof env !== 'object') continue;
    const registry = (env.resource_registry ?? {}) as Data;
    Object.assign(merged.parameters, env.parameters);
    Object.assign(merged.parameter_defaults, env.parameter_defaults);
    merged.resource_registry = { ...merged.resource_registry, ...registry, resources: { ...merged.resource_registry.resources as Data, ...registry.resources as Data } };
    if (Array.isArray(env.event_sinks)) merged.event_sinks.push(...env.event_sinks);
  }
  Object.assign(merged.parameters, inputs.source?.parameters);
  const masked = (values: Data) => Object.fromEntries(Object.entries(values).map(([key, value]) => [key, hidden(template, key) ? '******' : value]));
  return { ...merged, parameters: masked(merged.parameters), parameter_defaults: masked(merged.parameter_defaults), encrypted_param_names: [] };
}

/** `GET /stacks/{name}/{id}`: `state` as shown to people (hidden values masked), `inputs` what it was made from. */
export function stackView(base: string, state: StackState, inputs: StackInputs | undefined) {
  const template = templateOf(inputs);
  const text = description(template);
  return {
    id: state.id, links: selfLinks(stackPath(base, state.name, state.id)), stack_name: state.name,
    description: text, template_description: text,
    creation_time: isotime(state.createdAt), updated_time: state.updatedAt && state.updatedAt !== state.createdAt ? isotime(state.updatedAt) : null,
    stack_status: state.status, stack_status_reason: state.statusReason,
    timeout_mins: inputs?.plan.timeoutMinutes ?? null, disable_rollback: inputs?.plan.disableRollback ?? false,
    capabilities: [], notification_topics: [], parameters: parameters(state, inputs, template),
    ...(state.status === 'DELETE_COMPLETE' ? {} : {
      outputs: Object.entries(state.outputs).map(([key, output]) => outputView(key, output)),
    }),
    ...UNKEPT,
    parent: state.parent?.id ?? null,
  };
}
