/**
 * stoke's one error root. `code` is a stable string (`TemplateInvalid`, `StackExists`, …) that callers and
 * tests match on instead of message text; the CLI prints the message, never a stack trace.
 */
export class StokeError extends Error {
  readonly code: string;
  readonly brand = Symbol.for('stoke.StokeError');

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StokeError';
    this.code = code;
  }

  /** Works across module copies and realms, unlike a bare `instanceof`. */
  static isStokeError(err: unknown): err is StokeError {
    return typeof err === 'object' && err !== null && (err as { brand?: symbol }).brand === Symbol.for('stoke.StokeError');
  }
}
