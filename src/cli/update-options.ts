/**
 * The options of `stoke stack update` made into a plan and its source, as `openstack stack update` treats
 * them: `--existing` reuses the stack's stored source (Heat's PATCH), and what is not given (rollback,
 * timeout) stays as the stack has it.
 */
import type { StackInputs } from '../client/client';
import { StokeError } from '../errors';
import { formatIssue } from '../template/load';
import { readSourceFile } from '../template/source';
import { planUpdateRequest } from '../client/update-request';
import type { StackPlan, StackSource } from '../template/types';

export interface UpdateOptions {
  readonly template?: string;
  readonly environment: string[];
  readonly clearParameter: string[];
  readonly existing?: boolean;
  readonly rollback?: string;
  readonly disableRollback?: boolean;
  readonly timeout?: string;
}

export function timeoutMinutes(text: string): number {
  const minutes = Number(text);
  if (!Number.isInteger(minutes) || minutes < 1) throw new StokeError('InvalidOption', `--timeout must be a whole number of minutes, got '${text}'`);
  return minutes;
}

/** `--rollback enabled|disabled|keep` (keep when absent), `--disable-rollback` its alias: disableRollback, or undefined to keep the stack's. */
export function disableRollbackOf(opts: Pick<UpdateOptions, 'rollback' | 'disableRollback'>): boolean | undefined {
  const rollback = opts.rollback?.trim().toLowerCase();
  if (rollback !== undefined && !['enabled', 'disabled', 'keep'].includes(rollback)) {
    throw new StokeError('InvalidOption', `--rollback must be enabled, disabled or keep, got '${opts.rollback}'`);
  }
  if (opts.disableRollback && rollback !== undefined && rollback !== 'disabled') {
    throw new StokeError('InvalidOption', `--disable-rollback contradicts --rollback ${opts.rollback}`);
  }
  if (opts.disableRollback || rollback === 'disabled') return true;
  return rollback === 'enabled' ? false : undefined;
}

/** Refuses combinations that make no update, before anything is read or asked of Temporal. */
export function checkUpdateOptions(opts: UpdateOptions): void {
  disableRollbackOf(opts);
  if (opts.timeout !== undefined) timeoutMinutes(opts.timeout);
  if (!opts.existing && opts.template === undefined) {
    throw new StokeError('InvalidOption', 'stack update needs the new template (-t FILE), or --existing to reuse the stack\'s own');
  }
  if (!opts.existing && opts.clearParameter.length > 0) {
    throw new StokeError('InvalidOption', '--clear-parameter clears a stored parameter value: it needs --existing');
  }
}

/**
 * The plan of the update and its source (see planUpdateRequest, which Heat's PUT and PATCH share); warnings printed.
 * The files named are read here.
 */
export function planUpdate(name: string, opts: UpdateOptions, parameters: Record<string, string>, current: StackInputs | undefined): { plan: StackPlan; source: StackSource } {
  const disableRollback = disableRollbackOf(opts);
  const { plan, source, warnings } = planUpdateRequest(name, {
    existing: Boolean(opts.existing),
    ...(opts.template === undefined ? {} : { template: readSourceFile(opts.template, 'template'), templateFile: opts.template }),
    environments: opts.environment.map((file) => readSourceFile(file, 'environment')),
    parameters,
    clear: opts.clearParameter,
    ...(opts.timeout === undefined ? {} : { timeoutMinutes: timeoutMinutes(opts.timeout) }),
    ...(disableRollback === undefined ? {} : { disableRollback }),
  }, current);
  for (const warning of warnings) console.error(`warning: ${formatIssue(warning)}`);
  return { plan, source };
}
