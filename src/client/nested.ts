/**
 * The stacks nested in a stack, found from its resources: a nested resource's child is named by the parent's
 * engine from the parent's id and the resource (workflows/nested.ts), so the views find each child without
 * searching, as Heat's nested_depth walks a stack's resources down to their nested stacks.
 */
import { runsOf } from '../../workflows/legacy';
import { nestedStackName } from '../../workflows/nested';
import { StokeError } from '../errors';
import type { StackState } from '../template/types';

/** How a view reads a stack by name: the client's `show` (hidden values masked). */
export type ShowStack = (name: string) => Promise<StackState>;

/**
 * The nested stack a resource runs: its name, and its id once the resource is made ('' before). A resource
 * never started, or deleted, has none.
 */
export function nestedStackOf(state: StackState, resource: string): { readonly name: string; readonly id: string } | undefined {
  const r = state.resources[resource];
  if (!r || runsOf(r).where !== 'stack' || r.status === 'INIT_COMPLETE' || r.status === 'DELETE_COMPLETE') return undefined;
  return { name: nestedStackName(state.name, state.id, resource, r.copy), id: r.physicalId };
}

/** The nested stacks of `state`'s resources, in the order of the resources' names; a child not started yet has none to show. */
async function childrenOf(show: ShowStack, state: StackState): Promise<StackState[]> {
  const found = await Promise.all(Object.keys(state.resources).sort().map(async (resource) => {
    const nested = nestedStackOf(state, resource);
    if (!nested) return [];
    try {
      return [await show(nested.name)];
    } catch (err) {
      if (StokeError.isStokeError(err) && err.code === 'StackNotFound') return [];
      throw err;
    }
  }));
  return found.flat();
}

/** The stack, then the stacks nested in it down to `depth` levels, each followed by its own nested stacks. */
export async function stacksDown(show: ShowStack, state: StackState, depth: number): Promise<StackState[]> {
  if (depth <= 0) return [state];
  const below = await Promise.all((await childrenOf(show, state)).map((child) => stacksDown(show, child, depth - 1)));
  return [state, ...below.flat()];
}

/**
 * Resources down to `depth` levels, in Heat's order (its Stack.iter_resources): the stack's own that `names`
 * keeps, then those of each nested stack in turn.
 */
export async function resourcesDown(show: ShowStack, state: StackState, depth: number, names: (state: StackState) => string[]): Promise<{ stack: StackState; resource: string }[]> {
  const own = names(state).map((resource) => ({ stack: state, resource }));
  if (depth <= 0) return own;
  const below = await Promise.all((await childrenOf(show, state)).map((child) => resourcesDown(show, child, depth - 1, names)));
  return [...own, ...below.flat()];
}

/** A `--nested-depth` value: a whole number, zero or more. */
export function nestedDepth(text: string): number {
  if (!/^\d+$/.test(text)) throw new StokeError('InvalidNestedDepth', `--nested-depth '${text}' must be a whole number of levels (0 or more)`);
  return Number(text);
}
