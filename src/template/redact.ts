/**
 * Hidden parameters: their values are masked wherever a stack's state is shown. Pure; the workflow's
 * query handler uses it, so `stack show`, `resource list` and `output show` never print them.
 */
import type { Json, StackState } from './types';

export const MASK = '******';

function mask(value: Json, hidden: readonly string[]): Json {
  if (typeof value === 'string') return hidden.reduce((text, secret) => text.split(secret).join(MASK), value);
  if (Array.isArray(value)) return value.map((item) => mask(item, hidden));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, hidden)]));
  return value;
}

/** A copy of `state` with every occurrence of a hidden value masked (values shorter than 3 characters would mask too much). */
export function redactState(state: StackState, hiddenValues: readonly string[] | undefined): StackState {
  const hidden = (hiddenValues ?? []).filter((v) => v.length >= 3);
  if (hidden.length === 0) return state;
  return mask(state as unknown as Json, hidden) as unknown as StackState;
}
