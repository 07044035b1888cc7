/** `stoke stack list`: the columns and filters of `openstack stack list`, over stoke's listing. */
import type { StackSummary } from '../client/stacks';
import { StokeError } from '../errors';

/** The columns, named as the openstack client names them: ids and projects with --long, parents with --nested, deletion with --deleted. */
export function listColumns({ long, nested, deleted }: { long?: boolean; nested?: boolean; deleted?: boolean }): string[] {
  return [
    ...(long ? ['ID'] : []), 'Stack Name', ...(long ? ['Project'] : []), 'Stack Status', 'Creation Time', 'Updated Time',
    ...(nested ? ['Parent'] : []), ...(deleted ? ['Deletion Time'] : []),
  ];
}

function field(column: string, stack: StackSummary, ids: ReadonlyMap<string, string> | undefined): string | null {
  switch (column) {
    case 'ID': return ids?.get(stack.name) ?? null;
    case 'Project': return stack.tenant ?? null;
    case 'Stack Status': return stack.status;
    case 'Creation Time': return isotime(stack.createdAt);
    case 'Updated Time': return isotime(stack.updatedAt);
    case 'Parent': return stack.parent ?? null;
    // A deleted stack's newest action is its delete.
    case 'Deletion Time': return stack.status === 'DELETE_COMPLETE' ? isotime(stack.updatedAt) : null;
    default: return stack.name;
  }
}

export function listRows(columns: readonly string[], stacks: readonly StackSummary[], ids?: ReadonlyMap<string, string>): (string | null)[][] {
  return stacks.map((stack) => columns.map((column) => field(column, stack, ids)));
}

/** Heat's isotime (as the API's views give it), here without loading the views' template parser into a listing. */
const isotime = (time: Date | undefined) => (time ? `${time.toISOString().slice(0, 19)}Z` : null);

const PROPERTIES = ['name', 'status', 'action'] as const;

/**
 * `--property key=value` as Heat's API filters stacks: values of one key are alternatives, keys all apply; a
 * status with an action (CREATE_FAILED) filters on both, a bare one (FAILED) on the status alone.
 */
export function stackFilter(pairs: readonly string[]): (stack: StackSummary) => boolean {
  const wanted = new Map<string, string[]>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    if (eq <= 0 || !(PROPERTIES as readonly string[]).includes(key)) {
      throw new StokeError('InvalidProperty', `--property '${pair}' must be KEY=VALUE with KEY one of ${PROPERTIES.join(', ')}`);
    }
    wanted.set(key, [...(wanted.get(key) ?? []), pair.slice(eq + 1)]);
  }
  const anyOf = (key: string, test: (value: string) => boolean) => !wanted.has(key) || wanted.get(key)!.some(test);
  return (stack) => {
    const [, action = '', status = stack.status] = /^(.*)_(COMPLETE|FAILED|IN_PROGRESS)$/.exec(stack.status) ?? [];
    return anyOf('name', (v) => v === stack.name) && anyOf('action', (v) => v === action)
      && anyOf('status', (v) => v === stack.status || v === status);
  };
}
