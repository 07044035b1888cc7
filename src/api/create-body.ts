/**
 * A create or update request's body, as heatclient sends it (Heat's InstantiationData), turned into what `stack
 * create` and `stack update` plan from: the template and environments as source files, `files` as the files
 * get_file and template resources read (heatclient rewrites each reference to the key it stores the content under).
 */
import type { AbandonData } from '../client/abandon';
import { adoptionsOf, parseAdoptData } from '../client/adopt';
import type { UpdateRequest } from '../client/update-request';
import type { SourceInput } from '../template/source';
import type { SourceFile, StackPlan } from '../template/types';
import { ApiError } from './faults';

export interface CreateRequest {
  readonly name: string;
  readonly source: SourceInput;
  readonly timeoutMinutes: number;
  readonly disableRollback: boolean;
  /** `adopt_stack_data`: the stack takes the objects this abandon data names, and its template. */
  readonly adopt?: AbandonData;
}

type Body = Record<string, unknown>;

const bad = (message: string) => new ApiError(400, 'HTTPBadRequest', message);

/** A template or environment given as an object (JSON is YAML) or as text. */
function sourceFile(value: unknown, name: string): SourceFile {
  if (typeof value === 'string') return { name, text: value };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { name, text: JSON.stringify(value) };
  throw bad(`'${name}' must be an object or a string`);
}

function filesOf(body: Body): Record<string, string> {
  const files = body.files ?? {};
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw bad(`'files' must be an object of file names to contents`);
  return Object.fromEntries(Object.entries(files).map(([name, text]) => {
    if (typeof text !== 'string') throw bad(`'files' entry '${name}' must be a string`);
    return [name, text];
  }));
}

/** Heat merges `environment_files` from `files`, in order, and then ignores `environment`. */
function environmentsOf(body: Body, files: Record<string, string>): SourceFile[] {
  const named = body.environment_files;
  if (Array.isArray(named) && named.length > 0) {
    return named.map((name) => {
      if (typeof name !== 'string' || !Object.hasOwn(files, name)) throw bad(`environment file '${String(name)}' is not among 'files'`);
      return { name, text: files[name]! };
    });
  }
  const given = body.environment;
  // heatclient always sends one, empty when no -e was given.
  const empty = given === undefined || given === null || (typeof given === 'object' && !Array.isArray(given) && Object.keys(given).length === 0);
  return empty ? [] : [sourceFile(given, 'environment')];
}

/** Parameter values arrive as JSON; templates read them as text, as from the CLI. */
function parametersOf(body: Body): Record<string, string> {
  const given = body.parameters ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw bad(`'parameters' must be an object of names to values`);
  return Object.fromEntries(Object.entries(given).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
}

/** Absent when not given: a create then takes 60, an update the stack's. */
function timeoutOf(body: Body): number | undefined {
  const value = body.timeout_mins;
  if (value === undefined || value === null) return undefined;
  const minutes = Number(value);
  if (!Number.isInteger(minutes) || minutes < 1) throw bad(`'timeout_mins' must be a whole number of minutes, got ${JSON.stringify(value)}`);
  return minutes;
}

/** Heat takes booleans or their words ("true", "False"…); absent when not given. */
function flag(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw bad(`'${key}' must be true or false, got ${JSON.stringify(value)}`);
}

function refuseRemote(body: Body): void {
  if (body.template_url !== undefined && body.template_url !== null && (body.template === undefined || body.template === null)) {
    throw bad(`'template_url' is not supported: stoke fetches nothing from remote hosts; send the template itself in 'template'`);
  }
  if (body.files_container !== undefined) throw bad(`'files_container' is not supported by stoke's API yet`);
  if (body.tags !== undefined && body.tags !== null && body.tags !== '') throw bad(`'tags' are not supported: stoke keeps no tags on a stack`);
}

/** `files` with `file:///x` keys as `/x`: get_file reads them so, as it reads a file named on the command line. */
function readableFiles(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([key, text]) => [key.replace(/^file:\/\//, ''), text]));
}

/** Heat's adopt data comes as a JSON string, and its template is the stack's. */
function adoptDataOf(body: Body): { data: AbandonData; template: SourceFile } | undefined {
  const text = body.adopt_stack_data;
  if (text === undefined || text === null) return undefined;
  if (typeof text !== 'string') throw bad(`Invalid adopt data: 'adopt_stack_data' must be a string of JSON, as \`stack abandon\` returns it`);
  const data = parseAdoptData(text, 'adopt_stack_data');
  const template = (data as { template?: unknown }).template;
  if (typeof template !== 'object' || template === null || Array.isArray(template) || Object.keys(template).length === 0) {
    throw bad(`Invalid adopt data: 'adopt_stack_data' has no template`);
  }
  return { data, template: sourceFile(template, 'adopt_stack_data.template') };
}

/** An adopt's resources, checked against the plan as `stack adopt` checks its file; the stack keeps the abandoned one's id. */
export function adoptionOf(plan: StackPlan, data: AbandonData) {
  return { stackId: data.id, adopted: adoptionsOf(plan, data, 'adopt_stack_data').adopted };
}

/** The template, environments, parameters and files of a create body, as validate also reads them. */
export function sourceOf(body: Body): SourceInput {
  refuseRemote(body);
  if (body.template === undefined || body.template === null) throw bad('No template specified');
  const files = filesOf(body);
  return { template: sourceFile(body.template, 'template'), environments: environmentsOf(body, files), parameters: parametersOf(body), files: readableFiles(files) };
}

export function createRequest(body: Body): CreateRequest {
  const name = body.stack_name;
  if (typeof name !== 'string' || name === '') throw bad(`'stack_name' is missing`);
  const adopt = adoptDataOf(body);
  const files = filesOf(body);
  return {
    name,
    source: adopt
      ? { template: adopt.template, environments: environmentsOf(body, files), parameters: parametersOf(body), files: readableFiles(files) }
      : sourceOf(body),
    timeoutMinutes: timeoutOf(body) ?? 60,
    disableRollback: flag(body, 'disable_rollback') ?? false,
    ...(adopt ? { adopt: adopt.data } : {}),
  };
}

function clearedOf(body: Body, existing: boolean): string[] {
  const cleared = body.clear_parameters ?? [];
  if (!Array.isArray(cleared) || cleared.some((name) => typeof name !== 'string')) throw bad(`'clear_parameters' must be a list of parameter names`);
  if (cleared.length > 0 && !existing) throw bad(`'clear_parameters' forgets stored parameter values: it needs a PATCH update (--existing), which keeps them`);
  return cleared as string[];
}

/**
 * PUT (`existing` false) brings the stack to the template given; PATCH (`existing`) keeps the stack's template,
 * environments, files and parameter values where the body gives none, as Heat does.
 */
export function updateRequest(body: Body, existing: boolean): UpdateRequest {
  refuseRemote(body);
  if (body.adopt_stack_data !== undefined) throw bad(`'adopt_stack_data' belongs to a create, not an update`);
  const given = body.template !== undefined && body.template !== null;
  if (!given && !existing) throw bad('No template specified');
  const files = filesOf(body);
  const timeoutMinutes = timeoutOf(body);
  const disableRollback = flag(body, 'disable_rollback');
  return {
    existing,
    ...(given ? { template: sourceFile(body.template, 'template') } : {}),
    environments: environmentsOf(body, files),
    parameters: parametersOf(body),
    files: readableFiles(files),
    clear: clearedOf(body, existing),
    ...(timeoutMinutes === undefined ? {} : { timeoutMinutes }),
    ...(disableRollback === undefined ? {} : { disableRollback }),
  };
}
