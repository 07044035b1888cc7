import * as fs from 'node:fs';
import * as path from 'node:path';
import { StokeError } from '../errors';
import { parseFile, type ParsedFile, type TemplateIssue } from './parse';
import { planStack, type PlanInput, type PlanResult } from './plan';

function readFile(file: string, what: string): ParsedFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new StokeError('FileUnreadable', `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseFile(text, file);
}

/** `file:line:col: path: message`, the form compilers and cfn-lint print. */
export function formatIssue(issue: TemplateIssue): string {
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(':');
  return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** An invalid template: every issue found, in one error. */
export class TemplateInvalidError extends StokeError {
  constructor(readonly issues: TemplateIssue[], readonly warnings: TemplateIssue[] = []) {
    super('TemplateInvalid', [
      `template is invalid (${issues.length} error${issues.length === 1 ? '' : 's'}):`,
      ...issues.map((i) => `  ${formatIssue(i)}`),
      ...warnings.map((w) => `  warning: ${formatIssue(w)}`),
    ].join('\n'));
  }
}

/** get_file and template-file types name files relative to the template's folder, as Heat's client does. */
export function templateFiles(templateFile: string): Pick<PlanInput, 'readFile' | 'parseFile'> {
  const dir = path.dirname(templateFile);
  const readFile = (name: string): string | undefined => {
    try {
      return fs.readFileSync(path.resolve(dir, name), 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    readFile,
    parseFile: (name) => {
      const text = readFile(name);
      return text === undefined ? undefined : parseFile(text, path.join(dir, name));
    },
  };
}

export interface LoadOptions extends Omit<PlanInput, 'template' | 'environments' | 'readFile' | 'parseFile'> {
  readonly templateFile: string;
  readonly environmentFiles?: readonly string[];
}

/** Reads and validates a template with its environments; throws {@link TemplateInvalidError} listing every error. */
export function loadPlan(options: LoadOptions): PlanResult & { plan: NonNullable<PlanResult['plan']> } {
  const result = planStack({
    ...options,
    ...templateFiles(options.templateFile),
    template: readFile(options.templateFile, 'template'),
    environments: (options.environmentFiles ?? []).map((file) => readFile(file, 'environment')),
  });
  if (!result.plan || result.errors.length > 0) throw new TemplateInvalidError(result.errors, result.warnings);
  return result as PlanResult & { plan: NonNullable<PlanResult['plan']> };
}
