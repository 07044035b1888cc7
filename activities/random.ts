import { randomInt } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { RANDOM_SEQUENCES } from '../src/resources/heat';
import type { CreatedResource, CreateResourceRequest } from './types';

/** OS::Heat::RandomString from a CSPRNG; a retry simply draws a new value, only the recorded one counts. */
export function createRandomString(req: CreateResourceRequest): CreatedResource {
  const length = Number(req.properties.length ?? 32);
  const alphabet = RANDOM_SEQUENCES[String(req.properties.sequence ?? 'lettersdigits')];
  if (!alphabet || !Number.isInteger(length) || length < 1 || length > 512) {
    throw ApplicationFailure.nonRetryable(`resources.${req.resource}.properties: invalid length or sequence`, 'InvalidProperty');
  }
  let value = '';
  for (let i = 0; i < length; i++) value += alphabet[randomInt(alphabet.length)];
  return { physicalId: `${req.stack}-${req.resource}`, attributes: { value } };
}
