/**
 * The output options of every list and show command, as cliff gives them to the openstack client: `-f` picks
 * the formatter, `-c` the columns (repeatable), `--noindent` and `--max-width` tune JSON and tables, lists sort
 * with `--sort-column` and `--sort-ascending|--sort-descending`. Lists format as table, json, yaml, value or
 * csv; shows as table, json, yaml, value or shell, as cliff's Lister and ShowOne do.
 */
import { Command, Option } from 'commander';
import { StokeError } from '../errors';

type Yaml = (data: unknown) => string;
/** YAML's module loads only for output that needs it: every command's start pays for this file. */
const loadYaml = async (): Promise<Yaml> => {
  const { stringify } = await import('yaml');
  return (data) => stringify(data).trimEnd();
};
const needsYaml = (opts: FormatOptions, tableComplex = false) => opts.format === 'yaml' || (tableComplex && opts.format === 'table');

export const LIST_FORMATS = ['table', 'json', 'yaml', 'value', 'csv'] as const;
export const SHOW_FORMATS = ['table', 'json', 'yaml', 'value', 'shell'] as const;

export interface FormatOptions {
  readonly format: string;
  readonly column: string[];
  readonly noindent?: boolean;
  readonly maxWidth?: string;
  readonly prefix?: string;
  readonly sortColumn?: string[];
  readonly sortDescending?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function commonOptions(command: Command, formats: readonly string[], defaultFormat: string): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'output format').choices(formats).default(defaultFormat))
    .option('-c, --column <column>', 'only this column (repeatable, in the order given)', collect, [])
    .option('--noindent', 'json: print on one line')
    .option('--max-width <integer>', 'table: wrap cells so that a line is at most this wide (0: no limit)');
}

/** Adds a list's output options to `command`. */
export function listOptions(command: Command, defaultFormat = 'table'): Command {
  return commonOptions(command, LIST_FORMATS, defaultFormat)
    .option('--sort-column <column>', 'sort by this column (repeatable: later ones break ties)', collect, [])
    .option('--sort-ascending', 'sort ascending (the default)')
    .addOption(new Option('--sort-descending', 'sort descending').conflicts('sortAscending'));
}

/** Adds a show's output options to `command`. */
export function showOptions(command: Command, defaultFormat = 'table'): Command {
  return commonOptions(command, SHOW_FORMATS, defaultFormat)
    .option('--prefix <prefix>', 'shell: a prefix for every variable name', '');
}

/** A cell as text: strings as they are, structures as one line of JSON, or as YAML where a table has room. */
function cell(value: unknown, yaml?: Yaml): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (yaml && typeof value === 'object' && value !== null) return yaml(value);
  return JSON.stringify(value);
}

/** The columns `-c` asked for, in its order; a name that is not a column fails, naming the ones there are. */
function selected(columns: readonly string[], wanted: readonly string[]): number[] {
  if (wanted.length === 0) return columns.map((_, i) => i);
  return wanted.map((name) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new StokeError('UnknownColumn', `unknown column '${name}' (the columns are: ${columns.join(', ')})`);
    return index;
  });
}

function maxWidthOf(opts: FormatOptions): number {
  if (opts.maxWidth === undefined) return 0;
  const width = Number(opts.maxWidth);
  if (!Number.isInteger(width) || width < 0) throw new StokeError('InvalidOption', `--max-width '${opts.maxWidth}' must be a whole number of characters (0: no limit)`);
  return width;
}

/** Words of `text` in lines of at most `width` characters; a word longer than a line is cut. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/(?<= )/)) {
      for (let rest = word; rest.length > 0;) {
        const room = width - line.length;
        if (rest.length <= room) {
          line += rest;
          rest = '';
        } else if (line.trim().length > 0 && rest.trimEnd().length <= width) {
          lines.push(line.trimEnd());
          line = '';
        } else {
          line += rest.slice(0, room);
          rest = rest.slice(room);
          lines.push(line.trimEnd());
          line = '';
        }
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

const GAP = 2;
const NARROWEST = 4;

/** Column widths that fit `maxWidth`: the widest column gives up a character at a time, none below a few. */
function fitted(widths: number[], maxWidth: number): number[] {
  const fit = [...widths];
  const total = () => fit.reduce((sum, w) => sum + w, 0) + GAP * (fit.length - 1);
  while (maxWidth > 0 && total() > maxWidth) {
    const widest = fit.indexOf(Math.max(...fit));
    if (fit[widest]! <= NARROWEST) break;
    fit[widest]!--;
  }
  return fit;
}

/** Headers, a rule, and a line (or several, for cells with line breaks or wrapped) per row. */
export function table(headers: readonly string[], rows: readonly string[][], maxWidth = 0): string {
  const natural = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.max(...(r[i] ?? '').split('\n').map((l) => l.length)))));
  const widths = fitted(natural, maxWidth);
  const lines = (cells: readonly string[]) => {
    const wrapped = widths.map((w, i) => wrap(cells[i] ?? '', w));
    const height = Math.max(...wrapped.map((c) => c.length));
    return Array.from({ length: height }, (_, n) => wrapped.map((c, i) => (c[n] ?? '').padEnd(widths[i]!)).join(' '.repeat(GAP)).trimEnd());
  };
  return [...lines(headers), widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)), ...rows.flatMap(lines)].join('\n');
}

function json(opts: FormatOptions, data: unknown): string {
  return opts.noindent ? JSON.stringify(data) : JSON.stringify(data, null, 2);
}

/** CSV as cliff writes it: every non-numeric value quoted, quotes doubled. */
function csvLine(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'number' ? String(v) : `"${cell(v).replace(/"/g, '""')}"`)).join(',');
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return cell(a).localeCompare(cell(b));
}

function sorted(columns: readonly string[], rows: readonly unknown[][], opts: FormatOptions): readonly unknown[][] {
  if (!opts.sortColumn || opts.sortColumn.length === 0) return rows;
  const by = selected(columns, opts.sortColumn);
  const direction = opts.sortDescending ? -1 : 1;
  return [...rows].sort((a, b) => {
    for (const i of by) {
      const order = compare(a[i], b[i]);
      if (order !== 0) return order * direction;
    }
    return 0;
  });
}

/** A list: `rows` hold raw values in the order of `columns`; JSON and YAML give an object per row, keyed by column. */
export async function renderList(opts: FormatOptions, columns: readonly string[], rows: readonly unknown[][]): Promise<string> {
  const wanted = selected(columns, opts.column);
  const picked = sorted(columns, rows, opts).map((row) => wanted.map((i) => row[i]));
  const names = wanted.map((i) => columns[i]!);
  const yaml = needsYaml(opts) ? await loadYaml() : undefined;
  const objects = () => picked.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i] ?? null])));
  switch (opts.format) {
    case 'json': return json(opts, objects());
    case 'yaml': return picked.length === 0 ? '[]' : yaml!(objects());
    case 'value': return picked.map((row) => row.map((v) => cell(v)).join(' ')).join('\n');
    case 'csv': return [csvLine(names), ...picked.map(csvLine)].join('\n');
    default: return table(names, picked.map((row) => row.map((v) => cell(v))), maxWidthOf(opts));
  }
}

/** A shell variable of cliff's naming: lower case, spaces, colons and dashes as underscores. */
const variable = (name: string) => name.toLowerCase().replace(/[ :-]/g, '_');

/** A double-quoted shell word holds anything once these are escaped. */
const shellQuoted = (text: string) => `"${text.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;

/**
 * One item, field by field in the order of `record`'s keys; `complex` is how a table shows structured values
 * (the openstack client's stack show uses YAML, most others one line of JSON).
 */
export async function renderShow(opts: FormatOptions, record: Readonly<Record<string, unknown>>, complex: 'json' | 'yaml' = 'json'): Promise<string> {
  const fields = Object.keys(record);
  const picked = selected(fields, opts.column).map((i) => fields[i]!);
  const data = Object.fromEntries(picked.map((field) => [field, record[field] ?? null]));
  const yaml = needsYaml(opts, complex === 'yaml') ? await loadYaml() : undefined;
  switch (opts.format) {
    case 'json': return json(opts, data);
    case 'yaml': return yaml!(data);
    case 'value': return picked.map((field) => cell(data[field])).join('\n');
    case 'shell': return picked.map((field) => `${opts.prefix ?? ''}${variable(field)}=${shellQuoted(cell(data[field]))}`).join('\n');
    default: return table(['Field', 'Value'], picked.map((field) => [field, cell(data[field], yaml)]), maxWidthOf(opts));
  }
}
