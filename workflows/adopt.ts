/**
 * Heat's stack adopt: a create whose resources take the objects an abandoned stack left (a container by its
 * id, a random string's value), checked and read but never recreated or restarted; resources the abandon
 * data lacks are created. A failure leaves the stack ADOPT_FAILED with what it holds: no rollback.
 */
import type { StackState } from '../src/template/types';
import { runCreate } from './create';
import type { AdoptStackInput } from './definitions';
import { refuseUnreadableInput } from './engine';

export async function adoptStack(input: AdoptStackInput): Promise<StackState> {
  refuseUnreadableInput(input, 'adopt', 'ADOPT_FAILED');
  return runCreate(input, { name: 'ADOPT', adopted: input.adopted });
}
