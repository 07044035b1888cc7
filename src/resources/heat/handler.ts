import { randomInt } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { AdoptResourceRequest, CreatedResource, CreateResourceRequest } from '../plugin';
import { characterPools, RANDOM_SEQUENCES, randomStringIssues, type CharacterPool } from './random-string';

const pick = (characters: string) => characters[randomInt(characters.length)]!;

/**
 * Heat's algorithm with a CSPRNG throughout: each pool's minimum first, then characters from a random
 * pool (classes and sequences weighted by their number), then a shuffle so the minimums are not in front.
 */
export function generateRandomString(length: number, sequences: readonly CharacterPool[], classes: readonly CharacterPool[]): string {
  const chars: string[] = [];
  for (const pool of [...sequences, ...classes]) for (let i = 0; i < pool.min; i++) chars.push(pick(pool.characters));
  const pools = [...classes, ...sequences];
  while (chars.length < length) chars.push(pick(pools[randomInt(pools.length)]!.characters));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** OS::Heat::RandomString; a retry simply draws a new value, only the recorded one counts. */
export function createRandomString(req: CreateResourceRequest): CreatedResource {
  // Properties that came from other resources were not checked at validation: check them now.
  const issues = randomStringIssues(req.properties);
  const length = Number(req.properties.length ?? 32);
  const sequence = RANDOM_SEQUENCES[String(req.properties.sequence ?? 'lettersdigits')];
  if (!Number.isInteger(length) || length < 1 || length > 512) issues.push({ path: '.length', message: `length must be an integer in 1..512` });
  if (!sequence) issues.push({ path: '.sequence', message: `'${String(req.properties.sequence)}' is not a known sequence` });
  if (issues.length > 0) {
    throw ApplicationFailure.nonRetryable(issues.map((i) => `resources.${req.resource}.properties${i.path}: ${i.message}`).join('; '), 'InvalidProperty');
  }
  const { sequences, classes } = characterPools(req.properties);
  const value = sequences.length + classes.length > 0
    ? generateRandomString(length, sequences, classes)
    : generateRandomString(length, [], [{ characters: sequence!, min: 0 }]);
  return { physicalId: `${req.stack}-${req.resource}`, refId: value, attributes: { value } };
}

/** Heat keeps a random string's value as resource data, and its adopt takes it back from the abandon data. */
export function adoptRandomString(req: AdoptResourceRequest): CreatedResource {
  const value = req.data.value;
  if (typeof value !== 'string' || value === '') {
    throw ApplicationFailure.nonRetryable(`resources.${req.resource}: the adopt data holds no value for it (resource_data.value)`, 'InvalidAdoptData');
  }
  return { physicalId: req.physicalId, refId: value, attributes: { value } };
}
