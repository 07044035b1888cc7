/**
 * Loaded by the worker into the workflow sandbox and by the client: failure messages and stack traces
 * travel as a payload, which the encryption codec seals like any other.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
