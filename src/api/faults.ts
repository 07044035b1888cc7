/**
 * Heat's error body (its FaultWrapper middleware): `{"explanation", "code", "error": {"message", "traceback",
 * "type"}, "title"}`, which heatclient reads `error.message` from. stoke's error codes map to Heat's statuses.
 */
import { StokeError } from '../errors';

/** webob's title and explanation per status, as Heat's bodies carry them. */
const STATUS_TEXT: Readonly<Record<number, readonly [string, string]>> = {
  400: ['Bad Request', 'The server could not comply with the request since it is either malformed or otherwise incorrect.'],
  401: ['Unauthorized', 'This server could not verify that you are authorized to access the document you requested.'],
  403: ['Forbidden', 'Access was denied to this resource.'],
  404: ['Not Found', 'The resource could not be found.'],
  405: ['Method Not Allowed', 'The method is not allowed for this resource.'],
  409: ['Conflict', 'There was a conflict when trying to complete your request.'],
  413: ['Request Entity Too Large', 'The body of your request was too large for this server.'],
  500: ['Internal Server Error', 'The server has either erred or is incapable of performing the requested operation.'],
  501: ['Not Implemented', 'The server has not implemented the requested method.'],
  503: ['Service Unavailable', 'The server is currently unavailable. Please try again at a later time.'],
};

export interface HeatFault {
  readonly explanation: string;
  readonly code: number;
  readonly error: { readonly message: string; readonly traceback: null; readonly type: string };
  readonly title: string;
}

/** An answer the API gives on purpose: its status, Heat's exception name, a message for the user, headers it needs. */
export class ApiError extends StokeError {
  constructor(readonly status: number, readonly type: string, message: string, readonly headers: Readonly<Record<string, string>> = {}) {
    super(type, message);
  }
}

/** stoke's codes whose status is not 400, with the name Heat gives the same failure. */
const BY_CODE: Readonly<Record<string, readonly [number, string]>> = {
  StackNotFound: [404, 'EntityNotFound'],
  ResourceNotFound: [404, 'ResourceNotFound'],
  StackExists: [409, 'StackExists'],
  StackBusy: [409, 'ActionInProgress'],
  StackStateInvalid: [409, 'ActionInProgress'],
  TemplateInvalid: [400, 'StackValidationFailed'],
  TemporalUnreachable: [503, 'ServiceUnavailable'],
};

export function fault(status: number, type: string, message: string): HeatFault {
  const [title, explanation] = STATUS_TEXT[status] ?? STATUS_TEXT[500]!;
  return { explanation, code: status, error: { message, traceback: null, type }, title };
}

/** Any error as Heat would answer it; an unexpected one says only that it happened, never its stack. */
export function faultOf(err: unknown): HeatFault {
  if (err instanceof ApiError) return fault(err.status, err.type, err.message);
  if (StokeError.isStokeError(err)) {
    const [status, type] = BY_CODE[err.code] ?? [400, err.code];
    return fault(status, type, err.message);
  }
  return fault(500, 'InternalError', `internal error: ${(err as Error)?.message ?? String(err)}`);
}
