/**
 * stoke's one error root. `code` is a stable string (`TemplateInvalid`, `StackExists`, …) that callers and
 * tests match on instead of message text; the CLI prints the message, never a stack trace.
 *
 * Activities and workflows throw Temporal's `ApplicationFailure` instead, since only that crosses the
 * server with its retry decision (`nonRetryable`) intact: its `type` is the code (`InvalidFunction`,
 * `UnknownResourceType`, …), in the same vocabulary. Plain and free of Node modules, so workflow code
 * may import errors that extend it.
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
