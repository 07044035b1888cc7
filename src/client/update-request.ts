/**
 * An update as `stoke stack update` and Heat's PUT / PATCH ask for it, made into the plan and source the stack
 * is brought to: with `existing` (Heat's PATCH) the stack's stored source with what is given merged in; rollback
 * and timeout not given stay as the stack has them (Heat's rule), else its create's defaults.
 */
import { StokeError } from '../errors';
import { mergeSource, planSource, type SourceInput } from '../template/source';
import type { SourceFile } from '../template/types';
import type { StackInputs } from './client';

export interface UpdateRequest {
  readonly existing: boolean;
  /** Absent only with `existing`: the stack's own is kept. */
  readonly template?: SourceFile;
  /** The template's file on disk, whose folder get_file reads first; absent for a template sent over the API. */
  readonly templateFile?: string;
  readonly environments: readonly SourceFile[];
  readonly parameters: Readonly<Record<string, string>>;
  /** Files get_file and template resources read, as sent over the API. */
  readonly files?: Readonly<Record<string, string>>;
  /** With `existing`: stored parameter values to forget, back to the template's default. */
  readonly clear: readonly string[];
  /** Absent: the stack's. */
  readonly timeoutMinutes?: number;
  /** Absent: the stack's. */
  readonly disableRollback?: boolean;
}

function sourceOf(name: string, request: UpdateRequest, current: StackInputs | undefined): SourceInput {
  const { template, templateFile, environments, parameters, files } = request;
  if (!request.existing) {
    if (!template) throw new StokeError('InvalidOption', `the update of stack '${name}' gives no template, and does not reuse the stack's`);
    return { template, ...(templateFile === undefined ? {} : { templateFile }), environments: [...environments], parameters, ...(files ? { files } : {}) };
  }
  if (!current) throw new StokeError('StackNotFound', `stack '${name}' not found`);
  if (!current.source) {
    throw new StokeError('SourceMissing', `stack '${name}' was made by an older stoke, which kept no template to reuse: `
      + 'update it without --existing, giving its template with -t (and its -e and --parameter values)');
  }
  return mergeSource(current.source, { ...(template ? { template, templateFile } : {}), environments, parameters, clear: request.clear, ...(files ? { files } : {}) });
}

/** The plan of the update and its source, with the planner's warnings; an invalid result throws as a create's does. */
export function planUpdateRequest(name: string, request: UpdateRequest, current: StackInputs | undefined) {
  const disableRollback = request.disableRollback ?? current?.plan.disableRollback ?? false;
  const timeoutMinutes = request.timeoutMinutes ?? current?.plan.timeoutMinutes ?? 60;
  return planSource(sourceOf(name, request, current), { stackName: name, disableRollback, timeoutMinutes });
}
