import type { JsonObject } from '../src/template/types';

/** What the workflow asks of an activity to create one resource; properties are fully resolved. */
export interface CreateResourceRequest {
  readonly stack: string;
  readonly stackId: string;
  readonly resource: string;
  readonly type: string;
  readonly properties: JsonObject;
  /** Attributes the template reads from this resource: only these are computed and returned. */
  readonly attributes: readonly string[];
  /** The stack's hidden parameter values, masked in failure messages (which quote container output). */
  readonly hiddenValues?: readonly string[];
}

export interface CreatedResource {
  readonly physicalId: string;
  /** What get_resource/Ref returns, when it is not the physical id. */
  readonly refId?: string;
  readonly attributes: JsonObject;
}

/** What suspend and resume act on: a resource that exists, with the properties it was created with. */
export type SuspendResourceRequest = DeleteResourceRequest;

/** What is left to remove once a stack's resources were deleted: anything else that carries its id. */
export interface SweepRequest {
  readonly stack: string;
  readonly stackId: string;
  /** The docker_endpoints the stack's resources named; the worker's own engine is always swept. */
  readonly endpoints: readonly string[];
  /** Resources kept by deletion_policy Retain: they carry the stack's labels too. */
  readonly retained: readonly string[];
}

export interface DeleteResourceRequest {
  readonly stack: string;
  readonly stackId: string;
  readonly resource: string;
  readonly type: string;
  /** '' when the create never finished: the resource is then found by its labels. */
  readonly physicalId: string;
  readonly properties: JsonObject;
  /** As in CreateResourceRequest. */
  readonly hiddenValues?: readonly string[];
}
