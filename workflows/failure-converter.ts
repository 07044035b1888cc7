/**
 * Loaded by the worker into the workflow sandbox and by the client: failure messages and stack traces
 * travel as a payload, which the encryption codec seals like any other. A refused input's failure stays
 * readable: it names key ids only, and its reader is often the very client whose key the worker lacks.
 */
import { ApplicationFailure, DefaultFailureConverter, type FailureConverter } from '@temporalio/common';
import { PAYLOAD_REFUSED } from './refused';

const sealed = new DefaultFailureConverter({ encodeCommonAttributes: true });
const plain = new DefaultFailureConverter();

export const failureConverter: FailureConverter = {
  errorToFailure: (err, payloadConverter, context) =>
    (err instanceof ApplicationFailure && err.type === PAYLOAD_REFUSED ? plain : sealed).errorToFailure(err, payloadConverter, context),
  failureToError: (failure, payloadConverter, context) => sealed.failureToError(failure, payloadConverter, context),
};
