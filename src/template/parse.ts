/**
 * Reads template and environment files into plain JSON the way Heat does (JSON when the text starts
 * with `{`, otherwise YAML 1.1 with timestamps kept as strings, like PyYAML under Heat's loader),
 * remembering where every value stands so that errors can name file, line and column as well as the
 * Heat-style path.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import type { Json, JsonObject } from './types';

/** Heat's own limit (max_template_size) for a template or environment file. */
export const MAX_TEMPLATE_BYTES = 524_288;

/** Aliases expanded per file: real templates use a handful; a "billion laughs" file needs thousands. */
const MAX_ALIASES = 100;

/** Collections nested deeper than this are refused before parsing: real templates stay under 30, and the YAML parser recurses per level. */
export const MAX_DEPTH = 200;

/**
 * How deeply collections nest: indentation levels plus open flow brackets. Approximate (brackets
 * inside strings count too), which only matters for text far past any real template.
 */
function nestingDepth(text: string): number {
  const indents: number[] = [];
  let flow = 0;
  let deepest = 0;
  for (const line of text.split('\n')) {
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const indent = line.length - content.length;
    if (flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    for (const ch of content) {
      if (ch === '[' || ch === '{') deepest = Math.max(deepest, indents.length + ++flow);
      else if ((ch === ']' || ch === '}') && flow > 0) flow--;
    }
    // `- - - x` opens one sequence per dash on a single line.
    const dashes = (/^(?:-\s+)*/.exec(content)![0].match(/-/g) ?? []).length;
    deepest = Math.max(deepest, indents.length + flow + dashes);
  }
  return deepest;
}

export interface TemplateIssue {
  /** Stable code, e.g. `YamlSyntax`, `UnknownProperty`. */
  readonly code: string;
  /** Heat-style path: `resources.web.properties.image`; '' for the whole file. */
  readonly path: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface ParsedFile {
  readonly file: string;
  readonly data: Json;
  /** Path → position of the value (for a mapping entry, of its key). */
  readonly positions: ReadonlyMap<string, Position>;
  readonly errors: TemplateIssue[];
  readonly warnings: TemplateIssue[];
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/**
 * Where the `yaml` package's YAML 1.1 resolvers are looser than PyYAML's (which Heat uses), PyYAML's
 * patterns, keyed by the package's own: no y/n booleans, no `.` or `1e3` floats, no `09` integers.
 */
const PYYAML_PATTERNS: ReadonlyMap<string, RegExp> = new Map([
  ['^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$', /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/],
  ['^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$', /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/],
  ['^[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+$', /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*[eE][-+][0-9]+|\.[0-9_]+[eE][-+][0-9]+)$/],
  ['^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*$', /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)$/],
  ['^[-+]?[0-9][0-9_]*$', /^[-+]?(?:0|[1-9][0-9_]*)$/],
]);

/** PyYAML's resolvers (YAML 1.1: yes/no, octal 0777, merge keys) except timestamps, which Heat keeps as text. */
function yamlDocument(text: string, lineCounter: LineCounter): Document.Parsed {
  return parseDocument(text, {
    lineCounter,
    version: '1.1',
    customTags: (tags) => tags
      .filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp')
      .map((tag) => {
        const stricter = typeof tag !== 'string' && 'test' in tag && tag.test ? PYYAML_PATTERNS.get(tag.test.source) : undefined;
        return stricter ? ({ ...(tag as object), test: stricter } as typeof tag) : tag;
      }),
    uniqueKeys: false,
    prettyErrors: false,
  });
}

/**
 * PyYAML accepts continuation lines of quoted scalars and flow collections indented no deeper than
 * the key that opened them; the `yaml` package does not. Indenting such lines one column past the
 * opening line changes no value (YAML folds that whitespace away) and lets the strict parser read
 * them. Returns the new text and the spaces added per line, or undefined when nothing needed it.
 */
export function relaxIndentation(text: string): { text: string; added: number[] } | undefined {
  const lines = text.split('\n');
  const added = lines.map(() => 0);
  let quote: '"' | "'" | undefined;
  let depth = 0;
  let openIndent = 0;
  let blockParent: number | undefined;
  let changed = false;
  lines.forEach((original, index) => {
    const indent = original.length - original.trimStart().length;
    const blank = original.trim() === '';
    if (blockParent !== undefined) {
      if (blank || indent > blockParent) return;
      blockParent = undefined;
    }
    let line = original;
    if ((quote || depth > 0) && !blank && indent <= openIndent) {
      const pad = openIndent + 1 - indent;
      line = ' '.repeat(pad) + original;
      added[index] = pad;
      lines[index] = line;
      changed = true;
    }
    const wasOpen = quote !== undefined || depth > 0;
    let previous = '';
    for (let i = line.length - original.trimStart().length; i < line.length; i++) {
      const ch = line[i]!;
      if (quote === '"') {
        if (ch === '\\') i++;
        else if (ch === '"') quote = undefined;
        continue;
      }
      if (quote === "'") {
        if (ch === "'" && line[i + 1] === "'") i++;
        else if (ch === "'") quote = undefined;
        continue;
      }
      const atStart = previous === '' || ((/[-:?,[{]/.test(previous)) && (i === 0 || /[\s[{,]/.test(line[i - 1]!)));
      if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break;
      if ((ch === '"' || ch === "'") && atStart) quote = ch;
      else if ((ch === '[' || ch === '{') && (atStart || depth > 0)) depth++;
      else if ((ch === ']' || ch === '}') && depth > 0) depth--;
      else if ((ch === '|' || ch === '>') && atStart && depth === 0) {
        blockParent = indent;
        break;
      }
      if (!/\s/.test(ch)) previous = ch;
    }
    if (!wasOpen && (quote !== undefined || depth > 0)) openIndent = indent;
  });
  return changed ? { text: lines.join('\n'), added } : undefined;
}

/** Position in the text of a JSON.parse error, which V8 reports as "… at position N". */
function jsonErrorOffset(message: string): number | undefined {
  const match = /position (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** Parses a template or environment (YAML, or JSON when it starts with `{`) and collects every syntax error with its position. */
export function parseFile(rawText: string, file: string): ParsedFile {
  const errors: TemplateIssue[] = [];
  const warnings: TemplateIssue[] = [];
  const positions = new Map<string, Position>();
  const failed = (): ParsedFile => ({ file, data: null, positions, errors, warnings });
  if (Buffer.byteLength(rawText) > MAX_TEMPLATE_BYTES) {
    errors.push({ code: 'TooLarge', path: '', file, message: `file is larger than ${MAX_TEMPLATE_BYTES} bytes (Heat's max_template_size)` });
    return failed();
  }
  const text = rawText.startsWith('\uFEFF') ? rawText.slice(1) : rawText;
  if (nestingDepth(text) > MAX_DEPTH) {
    errors.push({ code: 'TooDeep', path: '', file, line: 1, column: 1, message: `collections nest more than ${MAX_DEPTH} levels deep` });
    return failed();
  }
  const isJson = text.startsWith('{');

  let lineCounter = new LineCounter();
  let doc = yamlDocument(text, lineCounter);
  let added: number[] = [];
  if (!isJson && doc.errors.length > 0) {
    const relaxed = relaxIndentation(text);
    const retryCounter = new LineCounter();
    const retry = relaxed && yamlDocument(relaxed.text, retryCounter);
    if (relaxed && retry && retry.errors.length === 0) {
      const first = relaxed.added.findIndex((n) => n > 0);
      warnings.push({ code: 'LaxIndentation', path: '', file, line: first + 1, column: 1,
        message: 'a quoted string or flow collection continues on lines indented no deeper than its key; accepted as Heat (PyYAML) does' });
      doc = retry;
      lineCounter = retryCounter;
      added = relaxed.added;
    }
  }
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: Math.max(1, col - (added[line - 1] ?? 0)) };
  };

  let data: Json = null;
  if (isJson) {
    // Heat hands such text to json.loads: JSON's own rules (and its last-wins duplicate keys) decide.
    try {
      data = JSON.parse(text) as Json;
    } catch (err) {
      // V8 names the offset for most errors; otherwise the YAML reading of the same text locates it.
      const offset = jsonErrorOffset((err as Error).message) ?? doc.errors[0]?.pos[0] ?? 0;
      const pos = at(offset);
      errors.push({ code: 'JsonSyntax', path: '', file, ...pos, message: `invalid JSON: ${(err as Error).message}` });
      return failed();
    }
  } else {
    for (const err of doc.errors) {
      errors.push({ code: 'YamlSyntax', path: '', file, ...at(err.pos[0]), message: err.message.split('\n')[0]! });
    }
    if (errors.length > 0) return failed();
  }

  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyNode = pair.key as YamlNode | null;
        const pos = keyNode?.range ? at(keyNode.range[0]) : undefined;
        const here = childPath(path, key);
        if (pos) {
          const earlier = seen.get(key);
          if (earlier !== undefined) {
            warnings.push({ code: 'DuplicateKey', path: here, file, line: pos.line, column: pos.column,
              message: `duplicate key '${key}' (first at line ${earlier}, again at line ${pos.line}); the later value wins, as in Heat` });
          }
          seen.set(key, pos.line);
          positions.set(here, pos);
        }
        walk(pair.value, here);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const itemNode = item as YamlNode | null;
        if (itemNode?.range) positions.set(childPath(path, i), at(itemNode.range[0]));
        walk(item, childPath(path, i));
      });
    }
  };
  walk(doc.contents, '');

  if (!isJson) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIASES }) as Json;
    } catch (err) {
      // Only aliases fail here: an undefined anchor, or too many expansions (an alias bomb).
      let where: Position = { line: 1, column: 1 };
      visit(doc, { Alias: (_, node) => {
        if (node.range) where = at(node.range[0]);
        return visit.BREAK;
      } });
      const bomb = /excessive alias count/i.test((err as Error).message);
      errors.push({ code: bomb ? 'YamlAliases' : 'YamlSyntax', path: '', file, ...where,
        message: bomb ? `refused: aliases expand more than ${MAX_ALIASES} times (an alias bomb?)` : (err as Error).message });
      return failed();
    }
  }
  return { file, data: data ?? null, positions, errors, warnings };
}

/** A template or environment given as data (over the API, or made by the engine): nothing to locate, nothing wrong. */
export function parsedData(file: string, data: Json): ParsedFile {
  return { file, data, positions: new Map(), errors: [], warnings: [] };
}

export function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}
