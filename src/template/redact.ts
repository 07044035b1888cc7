/**
 * Hidden parameters: their values are masked wherever a stack's state is shown or logged. Pure; the
 * workflow uses it for its state query and its log lines, so `stack show`, `resource list`,
 * `output show` and worker logs never print them.
 */
import type { Json, StackState } from './types';

export const MASK = '******';

/** Hidden values per stack state object, so code that only has the state (status logging) can mask too. */
const hiddenByState = new WeakMap<object, readonly string[]>();

/** Values shorter than 3 characters are not masked: they would mask too much of everything else. */
export function hideValues(state: StackState, hiddenValues: readonly string[] | undefined): void {
  hiddenByState.set(state, (hiddenValues ?? []).filter((v) => v.length >= 3));
}

function mask(value: Json, hidden: readonly string[]): Json {
  if (typeof value === 'string') return hidden.reduce((text, secret) => text.split(secret).join(MASK), value);
  if (Array.isArray(value)) return value.map((item) => mask(item, hidden));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, hidden)]));
  return value;
}

/** `text` with every hidden value of the stack masked. */
export function redactText(state: StackState, text: string): string {
  return mask(text, hiddenByState.get(state) ?? []) as string;
}

/** A copy of `state` with every occurrence of a hidden value masked. */
export function redactState(state: StackState): StackState {
  const hidden = hiddenByState.get(state) ?? [];
  if (hidden.length === 0) return state;
  return mask(state as unknown as Json, hidden) as unknown as StackState;
}
