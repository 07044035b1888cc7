/**
 * Payloads the worker must not open: unencrypted ones while it has a key (whoever reaches Temporal's
 * frontend could otherwise start a stack of their own plan), and ones sealed with a key it lacks. Its
 * codec puts this marker in their place instead of throwing, since a codec that throws fails the
 * workflow task and Temporal retries it forever; the workflow then fails at once, saying why.
 */
export const REFUSED_PAYLOAD = '$stokeRefusedPayload';

/** The ApplicationFailure type of an action whose input was refused; its message names only key ids. */
export const PAYLOAD_REFUSED = 'PayloadRefused';

/** Why a decoded value is a refused payload, or undefined when it is a real value. */
export function refusedReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const reason = (value as Record<string, unknown>)[REFUSED_PAYLOAD];
  return typeof reason === 'string' ? reason : undefined;
}
