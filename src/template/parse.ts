/**
 * Reads template and environment files into plain JSON, remembering where every value stands so that
 * errors can name file, line and column as well as the Heat-style path.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Json, JsonObject } from './types';

/** Heat's own limit (max_template_size) for a template or environment file. */
export const MAX_TEMPLATE_BYTES = 524_288;

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

export interface ParsedFile {
  readonly file: string;
  readonly data: Json;
  /** Path → position of the value (for a mapping entry, of its key). */
  readonly positions: ReadonlyMap<string, { line: number; column: number }>;
  readonly errors: TemplateIssue[];
  readonly warnings: TemplateIssue[];
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Parses YAML (or JSON, which is YAML) and collects every syntax error with its position. */
export function parseFile(text: string, file: string): ParsedFile {
  const errors: TemplateIssue[] = [];
  const warnings: TemplateIssue[] = [];
  const positions = new Map<string, { line: number; column: number }>();
  if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES) {
    errors.push({ code: 'TooLarge', path: '', file, message: `file is larger than ${MAX_TEMPLATE_BYTES} bytes` });
    return { file, data: null, positions, errors, warnings };
  }
  const lineCounter = new LineCounter();
  // The core schema keeps `2013-05-23` a string, as Heat's loader does; duplicate keys are reported below.
  const doc = parseDocument(text, { lineCounter, schema: 'core', uniqueKeys: false, prettyErrors: false });
  const at = (offset: number) => lineCounter.linePos(offset);
  for (const err of doc.errors) {
    const { line, col } = at(err.pos[0]);
    errors.push({ code: 'YamlSyntax', path: '', file, line, column: col, message: err.message.split('\n')[0]! });
  }
  if (errors.length > 0) return { file, data: null, positions, errors, warnings };

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
            warnings.push({ code: 'DuplicateKey', path: here, file, line: pos.line, column: pos.col,
              message: `duplicate key '${key}' (first at line ${earlier}); the later value wins, as in Heat` });
          }
          seen.set(key, pos.line);
          positions.set(here, { line: pos.line, column: pos.col });
        }
        walk(pair.value, here);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const itemNode = item as YamlNode | null;
        if (itemNode?.range) {
          const pos = at(itemNode.range[0]);
          positions.set(childPath(path, i), { line: pos.line, column: pos.col });
        }
        walk(item, childPath(path, i));
      });
    }
  };
  walk(doc.contents, '');

  let data: Json;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) as Json;
  } catch (err) {
    errors.push({ code: 'YamlSyntax', path: '', file, message: (err as Error).message });
    return { file, data: null, positions, errors, warnings };
  }
  return { file, data: data ?? null, positions, errors, warnings };
}

export function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}
