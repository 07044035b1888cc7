import * as fs from 'node:fs';
import * as path from 'node:path';
import { StokeError } from '../errors';
import type { FileText } from './functions';
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

/** The most get_file reads of one file: Heat's API takes no request over 1 MiB (its max_json_body_size). */
export const MAX_FILE_BYTES = 1_048_576;
/** The most get_file and template-file types read for one template, all files together. */
export const MAX_TEMPLATE_FILES_BYTES = 10 * MAX_FILE_BYTES;

function kindOf(stats: fs.Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/** An open file's bytes until its end, or `limit + 1` of them: the one byte more tells a file that grew since its stat. */
function readUpTo(fd: number, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length <= limit) {
    const chunk = Buffer.alloc(Math.min(65_536, limit + 1 - length));
    const n = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    length += n;
  }
  return Buffer.concat(chunks);
}

/**
 * A regular file's text (a symlink to one too), refused if it is anything else or larger than `limit`.
 * Devices and FIFOs are never read: one could block forever or never end.
 */
function readRegularFile(file: string, name: string, limit: number, budget: string): FileText {
  const refuse = (stats: fs.Stats) => {
    if (!stats.isFile()) return { refused: `'${name}' is ${kindOf(stats)}, not a regular file` };
    if (stats.size > limit) return { refused: `'${name}' has ${stats.size} bytes, more than ${budget}` };
    return undefined;
  };
  let fd: number;
  try {
    const refused = refuse(fs.statSync(file));
    if (refused) return refused;
    // Non-blocking, so that a path swapped for a FIFO after the stat cannot hang the open.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const opened = fs.fstatSync(fd);
    const refused = refuse(opened);
    if (refused) return refused;
    const bytes = readUpTo(fd, limit);
    return bytes.length > limit ? { refused: `'${name}' has more than ${budget}` } : bytes.toString('utf8');
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * get_file and template-file types name files relative to the template's folder, as Heat's client does;
 * like it, any local path is read (absolute, `..`, `file://`). Each file is read once, within
 * {@link MAX_FILE_BYTES}, and all of them within {@link MAX_TEMPLATE_FILES_BYTES}. A name the disk does not
 * give is read from `stored` (a stack's source, as Heat's PATCH update merges new files over the stack's),
 * and without a template file only from there; `read` records every text read, by name.
 */
export function templateFiles(templateFile: string | undefined, stored: Readonly<Record<string, string>> = {}): Pick<PlanInput, 'readFile' | 'parseFile'> & { readonly read: Record<string, string> } {
  const dir = templateFile === undefined ? undefined : path.dirname(templateFile);
  const cache = new Map<string, FileText>();
  const read: Record<string, string> = {};
  let total = 0;
  const fromDisk = (name: string): FileText => {
    if (dir === undefined) return undefined;
    const file = path.resolve(dir, name);
    if (cache.has(file)) return cache.get(file);
    const left = MAX_TEMPLATE_FILES_BYTES - total;
    const text = left < MAX_FILE_BYTES
      ? readRegularFile(file, name, left, `the ${left} bytes left of the ${MAX_TEMPLATE_FILES_BYTES} all files of one template may take`)
      : readRegularFile(file, name, MAX_FILE_BYTES, `the ${MAX_FILE_BYTES} bytes get_file reads of one file`);
    if (typeof text === 'string') total += Buffer.byteLength(text);
    cache.set(file, text);
    return text;
  };
  const readFile = (name: string): FileText => {
    const text = fromDisk(name) ?? stored[name];
    if (typeof text === 'string') read[name] = text;
    return text;
  };
  return {
    readFile,
    parseFile: (name) => {
      const text = readFile(name);
      return typeof text === 'string' ? parseFile(text, dir === undefined ? name : path.join(dir, name)) : undefined;
    },
    read,
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
