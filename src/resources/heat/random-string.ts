/** OS::Heat::RandomString's character pools, read and checked as Heat reads them; pure, so validation uses it too. */
import { isDeferred } from '../../template/functions';
import type { Json, JsonObject } from '../../template/types';

/** The character sets Heat's `sequence` and `character_classes` name (Heat's hexdigits are upper case only). */
export const RANDOM_SEQUENCES: Readonly<Record<string, string>> = {
  lettersdigits: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  letters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789ABCDEF',
  octdigits: '01234567',
};

/** One pool a random string draws from, with the least number of its characters the string must hold. */
export interface CharacterPool {
  readonly characters: string;
  readonly min: number;
}

type Issue = { path: string; message: string };

const isWhole = (n: Json | undefined, min: number, max: number) => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

/**
 * Reads character_sequences and character_classes as Heat does (defaults: class lettersdigits, min 1),
 * collecting what is wrong with them.
 */
export function characterPools(properties: JsonObject): { sequences: CharacterPool[]; classes: CharacterPool[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const read = (key: 'character_sequences' | 'character_classes', field: 'sequence' | 'class'): CharacterPool[] => {
    const list = properties[key];
    if (list === undefined || list === null || isDeferred(list)) return [];
    if (!Array.isArray(list)) return [];
    const pools: CharacterPool[] = [];
    list.forEach((entry, i) => {
      const path = `.${key}[${i}]`;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        issues.push({ path, message: `expected a mapping with '${field}' and 'min'` });
        return;
      }
      for (const unknown of Object.keys(entry).filter((k) => k !== field && k !== 'min')) {
        issues.push({ path: `${path}.${unknown}`, message: `unknown key '${unknown}' (allowed: ${field}, min)` });
      }
      const min = entry.min === undefined ? 1 : typeof entry.min === 'string' && entry.min.trim() !== '' ? Number(entry.min) : entry.min;
      if (!isWhole(min, 1, 512)) issues.push({ path: `${path}.min`, message: `min must be an integer in 1..512, got ${JSON.stringify(entry.min)}` });
      const value = entry[field] ?? (field === 'class' ? 'lettersdigits' : undefined);
      let characters: string | undefined;
      if (field === 'class') {
        characters = typeof value === 'string' ? RANDOM_SEQUENCES[value] : undefined;
        if (!characters) issues.push({ path: `${path}.class`, message: `'${String(value)}' is not one of ${Object.keys(RANDOM_SEQUENCES).join(', ')}` });
      } else {
        characters = typeof value === 'string' && value !== '' ? value : undefined;
        if (!characters) issues.push({ path, message: 'a character sequence requires a non-empty \'sequence\'' });
      }
      if (characters && isWhole(min, 1, 512)) pools.push({ characters, min: min as number });
    });
    return pools;
  };
  return { sequences: read('character_sequences', 'sequence'), classes: read('character_classes', 'class'), issues };
}

/** Heat's checks across RandomString's properties: the deprecated sequence beside the pools, and minimums over the length. */
export function randomStringIssues(properties: JsonObject): Issue[] {
  const { sequences, classes, issues } = characterPools(properties);
  const has = (key: string) => Array.isArray(properties[key]) && (properties[key] as Json[]).length > 0;
  if (properties.sequence !== undefined && (has('character_sequences') || has('character_classes'))) {
    issues.push({ path: '.sequence', message: 'cannot use the deprecated \'sequence\' property along with \'character_sequences\' or \'character_classes\'' });
  }
  const minimum = [...sequences, ...classes].reduce((sum, pool) => sum + pool.min, 0);
  const length = properties.length ?? 32;
  if (typeof length === 'number' && minimum > length) {
    issues.push({ path: '.length', message: `length ${length} is smaller than the combined character class and character sequence minimums (${minimum})` });
  }
  return issues;
}
