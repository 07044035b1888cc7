/**
 * Hidden parameters: the engine keeps their real values (the payload codec seals them at rest) and
 * masks them only where a person reads: the CLI's output, the workflow's log lines, failure messages.
 * Pure; the workflow sandbox loads it.
 *
 * A value equal to a hidden value is masked whatever its length. Within longer text, occurrences of
 * hidden values of 3 characters or more are masked, except inside the stack's identifiers (its name and
 * id, resource names and types, physical and ref ids), which stay whole: `admin-site` is a stack name
 * even when `admin` is a password. Identifiers themselves are never masked.
 */
import type { Json, StackState } from './types';

export const MASK = '******';

/** Shorter hidden values are masked only where they are the whole value: within text they would mask too much else. */
const MIN_MASKED_IN_TEXT = 3;

function occurrences(text: string, part: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) found.push(at);
  return found;
}

/** `text` with hidden values masked; `identifiers` are names whose occurrences in it stay whole. */
export function maskText(text: string, hidden: readonly string[], identifiers: readonly string[] = []): string {
  if (hidden.includes(text)) return MASK;
  const masked: [number, number][] = [];
  for (const secret of hidden) {
    if (secret.length < MIN_MASKED_IN_TEXT) continue;
    // An identifier that merely equals the secret protects nothing: the text may be quoting the secret.
    const kept = identifiers.filter((id) => id.length > secret.length && id.includes(secret))
      .flatMap((id) => occurrences(text, id).map((at) => [at, at + id.length] as const));
    for (const at of occurrences(text, secret)) {
      const end = at + secret.length;
      if (!kept.some(([from, to]) => from <= at && end <= to)) masked.push([at, end]);
    }
  }
  if (masked.length === 0) return text;
  masked.sort((a, b) => a[0] - b[0]);
  let out = '';
  let done = 0;
  for (const [from, to] of masked) {
    if (to <= done) continue;
    if (from >= done) out += `${text.slice(done, from)}${MASK}`;
    done = to;
  }
  return out + text.slice(done);
}

/** A JSON value with hidden values masked in its strings and numbers; map keys are names and stay. */
export function maskJson(value: Json, hidden: readonly string[], identifiers: readonly string[] = []): Json {
  if (typeof value === 'string') return maskText(value, hidden, identifiers);
  if (typeof value === 'number') return hidden.includes(String(value)) ? MASK : value;
  if (Array.isArray(value)) return value.map((item) => maskJson(item, hidden, identifiers));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskJson(v, hidden, identifiers)]));
  return value;
}

/** Names of the stack and its parts, which masking leaves whole. */
export function identifiersOf(state: StackState): string[] {
  const names = [state.name, state.id];
  for (const [name, r] of Object.entries(state.resources)) names.push(name, r.type, r.physicalId, r.refId ?? '');
  return names.filter((name) => name !== '');
}

/** `text` about the stack (a status reason, a log line), with its hidden values masked. */
export function redactText(state: StackState, text: string): string {
  return state.hiddenValues?.length ? maskText(text, state.hiddenValues, identifiersOf(state)) : text;
}

/** The stack as a person may see it: hidden values masked, identifiers and statuses whole, the hidden list gone. */
export function redactState(state: StackState): StackState {
  const { hiddenValues: hidden, ...shown } = state;
  if (!hidden?.length) return shown;
  const ids = identifiersOf(state);
  const text = (value: string) => maskText(value, hidden, ids);
  const json = (value: Json) => maskJson(value, hidden, ids);
  return {
    ...shown,
    statusReason: text(state.statusReason),
    resources: Object.fromEntries(Object.entries(state.resources).map(([name, r]) => [name, {
      ...r,
      statusReason: text(r.statusReason),
      attributes: json(r.attributes) as typeof r.attributes,
      properties: json(r.properties) as typeof r.properties,
      ...(r.signals ? {
        signals: Object.fromEntries(Object.entries(r.signals).map(([id, s]) => [id, { ...s, reason: text(s.reason), data: json(s.data) }])),
      } : {}),
    }])),
    outputs: Object.fromEntries(Object.entries(state.outputs).map(([name, o]) => [name, {
      ...o, value: json(o.value), ...(o.error === undefined ? {} : { error: text(o.error) }),
    }])),
  };
}
