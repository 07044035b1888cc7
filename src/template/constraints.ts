/**
 * Heat's value constraints (length, range, modulo, allowed_values, allowed_pattern, custom_constraint),
 * shared by template parameters and resource properties. Messages never quote the value itself: the
 * caller adds it only when the value is not hidden.
 */
import type { PropertyConstraint } from '../resources/schema';
import type { Json } from './types';

export type Constraint = PropertyConstraint & { readonly modulo?: { readonly step: number; readonly offset: number } };

/** Heat's allowed_pattern: Python's re.match, which must consume the whole value. */
function matchesWhole(pattern: string, value: string): boolean | undefined {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})`);
  } catch {
    return undefined;
  }
  const match = re.exec(value);
  return match !== null && match[0].length === value.length;
}

function sizeOf(value: Json): number | undefined {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

const bounds = (b: { min?: number; max?: number }) => `${b.min ?? '-∞'}..${b.max ?? '∞'}`;

/** The problem with `value` under `constraint`, or undefined when it holds. Custom constraints always hold (unchecked). */
export function violation(constraint: Constraint, value: Json): string | undefined {
  const why = (text: string) => constraint.description ?? text;
  if (constraint.length) {
    const size = sizeOf(value);
    const { min, max } = constraint.length;
    if (size !== undefined && ((min !== undefined && size < min) || (max !== undefined && size > max))) {
      return why(`length ${size} is outside ${bounds(constraint.length)}`);
    }
  }
  if (constraint.range) {
    const n = typeof value === 'number' ? value : Number(value);
    const { min, max } = constraint.range;
    if (!Number.isNaN(n) && ((min !== undefined && n < min) || (max !== undefined && n > max))) return why(`the value is outside ${bounds(constraint.range)}`);
  }
  if (constraint.modulo) {
    const n = Number(value);
    const { step, offset } = constraint.modulo;
    if (!Number.isNaN(n) && step !== 0 && ((n - offset) % step + step) % step !== 0) return why(`the value is not ${offset} modulo ${step}`);
  }
  if (constraint.allowedValues) {
    const items = Array.isArray(value) ? value : [value];
    const allowed = constraint.allowedValues.map(String);
    if (items.some((item) => !allowed.includes(String(item)))) return why(`allowed values are ${allowed.join(', ')}`);
  }
  if (constraint.allowedPattern !== undefined && typeof value === 'string') {
    const ok = matchesWhole(constraint.allowedPattern, value);
    if (ok === undefined) return `allowed_pattern '${constraint.allowedPattern}' is not a valid regular expression`;
    if (!ok) return why(`the value does not match the pattern '${constraint.allowedPattern}'`);
  }
  return undefined;
}

/**
 * The same check phrased for a resource property, naming the value, as Heat's property errors do
 * (`'FLY' is not one of …`, `700 is out of range (1..512)`). Property values are never hidden.
 */
export function propertyViolation(constraint: Constraint, value: Json): string | undefined {
  const why = violation(constraint, value);
  if (why === undefined || constraint.description !== undefined) return why;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const firstKind = (Object.keys(constraint) as (keyof Constraint)[]).find((kind) => kind !== 'description' && violation({ [kind]: constraint[kind] }, value));
  switch (firstKind) {
    case 'allowedValues':
      return `'${text}' is not one of ${constraint.allowedValues!.join(', ')}`;
    case 'range':
      return `${text} is out of range (${bounds(constraint.range!)})`;
    case 'allowedPattern':
      return why.startsWith('allowed_pattern') ? why : `'${text}' does not match the pattern ${constraint.allowedPattern}`;
    case 'length':
      return constraint.length!.min === undefined ? `'${text}' is longer than ${constraint.length!.max} characters` : `'${text}' has a length outside ${bounds(constraint.length!)}`;
    default:
      return why;
  }
}
