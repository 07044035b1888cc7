/**
 * `stoke stack event list | show`: a stack's events, as `openstack stack event list | show` prints them. The
 * client and the output load only when one of these commands runs.
 */
import { Command, Option } from 'commander';
import type { StackClient } from '../client/client';
import type { StackEvent } from '../client/events';
import { StokeError } from '../errors';
import type { Format } from './event-output';

export interface EventCommandsContext {
  readonly withClient: <T>(fn: (client: StackClient) => Promise<T>) => Promise<T>;
  readonly table: (headers: string[], rows: string[][]) => string;
}

/** A stack is done with an action that succeeded; a rollback means the action before it failed. */
const succeeded = (status: string) => status.endsWith('_COMPLETE') && status !== 'ROLLBACK_COMPLETE';

/** Fails unless the stack has, or had, the resource: an unknown name is a typo, not a resource without events. */
async function checkResource(client: StackClient, stack: string, resource: string, events: readonly StackEvent[]): Promise<void> {
  if (resource === stack || events.some((e) => e.resource_name === resource)) return;
  const state = await client.show(stack);
  if (state.resources[resource]) return;
  const names = Object.keys(state.resources).sort();
  throw new StokeError('ResourceNotFound', `stack '${stack}' has no resource '${resource}' (it has: ${names.join(', ') || 'none'})`);
}

const POLL_MS = 500;

/** What to list: one resource's events, or those of the stack and of its nested stacks down to `depth`. */
interface Selection {
  readonly resource?: string;
  readonly depth?: number;
}

/** The reader of the selected events. */
async function readerOf(client: StackClient, stack: string, { resource, depth }: Selection) {
  const { EventReader, NestedEventReader } = await import('../client/events');
  return depth === undefined ? new EventReader(client.events(stack), resource) : new NestedEventReader(client, stack, depth);
}

/** Prints the events so far, then new ones as they are recorded, until no action runs; fails when the stack's action failed. */
async function follow(client: StackClient, stack: string, selection: Selection, format: Format): Promise<void> {
  const { resource } = selection;
  const { streamed } = await import('./event-output');
  const reader = await readerOf(client, stack, selection);
  for (let first = true; ; first = false) {
    const { events, running } = await reader.next();
    if (first && resource !== undefined) await checkResource(client, stack, resource, events);
    for (const line of streamed(format, events)) console.log(line);
    if (!running) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const final = await client.show(stack);
  if (!succeeded(final.status)) {
    console.error(`Stack ${stack} ${final.status}: ${final.statusReason}`);
    process.exitCode = 1;
  }
}

export function eventCommands(stack: Command, ctx: EventCommandsContext): void {
  const event = stack.command('event').description('stack events: each status change of the stack and of its resources');
  event.command('list <name>')
    .description('list a stack\'s events across all its actions, oldest first')
    .option('--resource <resource>', 'only this resource\'s events')
    .option('-n, --nested-depth <depth>', 'the events of nested stacks too, down to this many levels, each naming its stack')
    .option('--follow', 'print new events as they happen until the action in progress ends; non-zero exit when it failed')
    .addOption(new Option('-f, --format <format>', 'output format (with --follow: a line per event, JSON lines, or YAML items)')
      .choices(['table', 'json', 'yaml']).default('table'))
    .action(async (name: string, opts: { resource?: string; nestedDepth?: string; follow?: boolean; format: Format }) => {
      if (opts.resource !== undefined && opts.nestedDepth !== undefined) {
        throw new StokeError('InvalidOptions', '--nested-depth cannot be given with --resource: a resource\'s events are those of its own stack');
      }
      const { nestedDepth } = await import('../client/nested');
      const selection: Selection = { ...(opts.resource === undefined ? {} : { resource: opts.resource }), ...(opts.nestedDepth === undefined ? {} : { depth: nestedDepth(opts.nestedDepth) }) };
      return ctx.withClient(async (client) => {
        if (opts.follow) return follow(client, name, selection, opts.format);
        const { listed } = await import('./event-output');
        const { events } = await (await readerOf(client, name, selection)).next();
        if (opts.resource !== undefined) await checkResource(client, name, opts.resource, events);
        console.log(listed(opts.format, events, ctx.table, selection.depth !== undefined));
      });
    });
  event.command('show <name> <resource> <event>')
    .description('show one event of a stack\'s resource (the stack\'s own events: the stack\'s name as the resource)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .action(async (name: string, resource: string, id: string, opts: { format: Format }) => ctx.withClient(async (client) => {
      const [{ findEvent }, { shown }] = await Promise.all([import('../client/events'), import('./event-output')]);
      console.log(shown(opts.format, await findEvent(client.events(name), name, resource, id), ctx.table));
    }));
}
