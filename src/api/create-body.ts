/**
 * A create request's body, as heatclient sends it (Heat's InstantiationData), turned into what `stack create`
 * plans from: the template and environments as source files, `files` as the files get_file and template
 * resources read (heatclient rewrites each reference to the key it stores the content under).
 */
import type { SourceInput } from '../template/source';
import type { SourceFile } from '../template/types';
import { ApiError } from './faults';

export interface CreateRequest {
  readonly name: string;
  readonly source: SourceInput;
  readonly timeoutMinutes: number;
  readonly disableRollback: boolean;
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
  return body.environment === undefined || body.environment === null ? [] : [sourceFile(body.environment, 'environment')];
}

/** Parameter values arrive as JSON; templates read them as text, as from the CLI. */
function parametersOf(body: Body): Record<string, string> {
  const given = body.parameters ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw bad(`'parameters' must be an object of names to values`);
  return Object.fromEntries(Object.entries(given).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
}

function timeoutOf(body: Body): number {
  const value = body.timeout_mins;
  if (value === undefined || value === null) return 60;
  const minutes = Number(value);
  if (!Number.isInteger(minutes) || minutes < 1) throw bad(`'timeout_mins' must be a whole number of minutes, got ${JSON.stringify(value)}`);
  return minutes;
}

/** Heat takes booleans or their words ("true", "False"…). */
function flag(body: Body, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw bad(`'${key}' must be true or false, got ${JSON.stringify(value)}`);
}

/** The template, environments, parameters and files of a create body, as validate also reads them. */
export function sourceOf(body: Body): SourceInput {
  if (body.template_url !== undefined && body.template === undefined) {
    throw bad(`'template_url' is not supported: stoke fetches nothing from remote hosts; send the template itself in 'template'`);
  }
  if (body.template === undefined || body.template === null) throw bad('No template specified');
  for (const key of ['adopt_stack_data', 'files_container']) {
    if (body[key] !== undefined) throw bad(`'${key}' is not supported by stoke's API yet`);
  }
  const files = filesOf(body);
  // get_file reads `file:///x` as `/x`, as it reads a file named on the command line.
  const readable = Object.fromEntries(Object.entries(files).map(([key, text]) => [key.replace(/^file:\/\//, ''), text]));
  return { template: sourceFile(body.template, 'template'), environments: environmentsOf(body, files), parameters: parametersOf(body), files: readable };
}

export function createRequest(body: Body): CreateRequest {
  const name = body.stack_name;
  if (typeof name !== 'string' || name === '') throw bad(`'stack_name' is missing`);
  return {
    name,
    source: sourceOf(body),
    timeoutMinutes: timeoutOf(body),
    disableRollback: flag(body, 'disable_rollback'),
  };
}
