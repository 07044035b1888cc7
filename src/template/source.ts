/**
 * A stack's source (template, environments, files read, parameters given): read from disk for a create or an
 * update, and merged with the stored one for `stack update --existing`, by the rules of Heat's PATCH update.
 */
import * as fs from 'node:fs';
import { StokeError } from '../errors';
import { isObject, parseFile } from './parse';
import { planStack, type PlanInput, type PlanResult } from './plan';
import { TemplateInvalidError, templateFiles } from './load';
import type { JsonObject, SourceFile, StackPlan, StackSource } from './types';

export function readSourceFile(file: string, what: string): SourceFile {
  try {
    return { name: file, text: fs.readFileSync(file, 'utf8') };
  } catch (err) {
    throw new StokeError('FileUnreadable', `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** What a source is planned from: `templateFile` names the template on disk, whose folder get_file reads first. */
export interface SourceInput extends Omit<StackSource, 'files'> {
  readonly templateFile?: string;
  /** Files known already (a stored source's), read where the disk has no such file. */
  readonly files?: Readonly<Record<string, string>>;
}

export type PlanOptions = Omit<PlanInput, 'template' | 'environments' | 'parameters' | 'readFile' | 'parseFile'>;

/** Validates and plans a source, as `loadPlan` does files; throws {@link TemplateInvalidError} listing every error. */
export function planSource(input: SourceInput, options: PlanOptions): Omit<PlanResult, 'plan'> & { plan: StackPlan; source: StackSource } {
  const files = templateFiles(input.templateFile, input.files);
  const result = planStack({
    ...options,
    readFile: files.readFile,
    parseFile: files.parseFile,
    template: parseFile(input.template.text, input.template.name),
    environments: input.environments.map((env) => parseFile(env.text, env.name)),
    parameters: input.parameters,
  });
  if (!result.plan || result.errors.length > 0) throw new TemplateInvalidError(result.errors, result.warnings);
  const { template, environments, parameters } = input;
  return { ...result, plan: result.plan, source: { template, environments, parameters, files: files.read } };
}

/** What `stack update --existing` is given besides the stack's stored source. */
export interface ExistingUpdate {
  readonly template?: SourceFile;
  /** The new template's file on disk, whose folder get_file reads first; absent for a template sent over the API. */
  readonly templateFile?: string;
  readonly environments: readonly SourceFile[];
  readonly parameters: Readonly<Record<string, string>>;
  /** `--clear-parameter`: back to the template's default (or what a new environment gives). */
  readonly clear: readonly string[];
  /** Files sent along (Heat's `files`), over the stored ones of the same name. */
  readonly files?: Readonly<Record<string, string>>;
}

/** Names of the parameters a template declares; none when it cannot be read (planning then reports why). */
function declaredParameters(template: SourceFile): Set<string> {
  const data = parseFile(template.text, template.name).data;
  const declared = isObject(data) ? data.parameters ?? data.Parameters : undefined;
  return new Set(isObject(declared) ? Object.keys(declared) : []);
}

/** A stored environment without the parameter values `dropped` names; unchanged when it sets none of them. */
function withoutParameters(env: SourceFile, dropped: (name: string) => boolean): SourceFile {
  const data = parseFile(env.text, env.name).data;
  const parameters = isObject(data) ? data.parameters : undefined;
  if (!isObject(parameters) || !Object.keys(parameters).some(dropped)) return env;
  const kept: JsonObject = Object.fromEntries(Object.entries(parameters).filter(([name]) => !dropped(name)));
  // JSON is YAML: the environment is stored rewritten, so later updates find the value cleared too.
  return { name: env.name, text: JSON.stringify({ ...(data as JsonObject), parameters: kept }, null, 2) };
}

/**
 * Heat's PATCH update: the given template, or the stored one; the stored environments with the given ones
 * merged after them; the stored parameter values with the given ones over them. Stored values of cleared
 * parameters, and of parameters the template no longer declares, are dropped, from the stored environments too.
 */
export function mergeSource(stored: StackSource, given: ExistingUpdate): SourceInput {
  const template = given.template ?? stored.template;
  const declared = declaredParameters(template);
  const dropped = (name: string) => given.clear.includes(name) || !declared.has(name);
  const retained = Object.fromEntries(Object.entries(stored.parameters).filter(([name]) => !dropped(name)));
  return {
    template,
    ...(given.template && given.templateFile !== undefined ? { templateFile: given.templateFile } : {}),
    environments: [...stored.environments.map((env) => withoutParameters(env, dropped)), ...given.environments],
    parameters: { ...retained, ...given.parameters },
    files: { ...stored.files, ...given.files },
  };
}
