/**
 * `stoke stack event list | show`: a stack's events, as `openstack stack event list | show` prints them. The
 * client and the output load only when one of these commands runs.
 */
import { Command } from 'commander';
import type { StackClient } from '../client/client';
import type { StackEvent } from '../client/events';
import { StokeError } from '../errors';
import type { Format } from './event-output';
import { listOptions, renderList, renderShow, showOptions, type FormatOptions } from './format';

export interface EventCommandsContext {
  readonly withClient: <T>(fn: (client: StackClient) => Promise<T>) => Promise<T>;
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

/** --follow prints as events come: a log line each, JSON lines or YAML items; value and csv lines read as the log. */
const followFormat = (format: string): Format => (format === 'json' || format === 'yaml' ? format : 'table');

export function eventCommands(stack: Command, ctx: EventCommandsContext): void {
  const event = stack.command('event').description('stack events: each status change of the stack and of its resources');
  listOptions(event.command('list <name>'))
    .description('list a stack\'s events across all its actions, oldest first')
    .option('--resource <resource>', 'only this resource\'s events')
    .option('-n, --nested-depth <depth>', 'the events of nested stacks too, down to this many levels, each naming its stack')
    .option('--follow', 'print new events as they happen until the action in progress ends; non-zero exit when it failed')
    .action(async (name: string, opts: FormatOptions & { resource?: string; nestedDepth?: string; follow?: boolean }) => {
      if (opts.resource !== undefined && opts.nestedDepth !== undefined) {
        throw new StokeError('InvalidOptions', '--nested-depth cannot be given with --resource: a resource\'s events are those of its own stack');
      }
      const { nestedDepth } = await import('../client/nested');
      const selection: Selection = { ...(opts.resource === undefined ? {} : { resource: opts.resource }), ...(opts.nestedDepth === undefined ? {} : { depth: nestedDepth(opts.nestedDepth) }) };
      return ctx.withClient(async (client) => {
        if (opts.follow) return follow(client, name, selection, followFormat(opts.format));
        const { listedColumns, FIELDS, NESTED_FIELDS } = await import('./event-output');
        const { events } = await (await readerOf(client, name, selection)).next();
        if (opts.resource !== undefined) await checkResource(client, name, opts.resource, events);
        const nested = selection.depth !== undefined;
        const fields: readonly string[] = nested ? NESTED_FIELDS : FIELDS;
        const rows = events.map((e) => fields.map((f) => (e as unknown as Record<string, unknown>)[f]));
        console.log(await renderList({ ...opts, column: listedColumns(opts, nested) }, fields, rows));
      });
    });
  showOptions(event.command('show <name> <resource> <event>'))
    .description('show one event of a stack\'s resource (the stack\'s own events: the stack\'s name as the resource)')
    .action(async (name: string, resource: string, id: string, opts: FormatOptions) => ctx.withClient(async (client) => {
      const { findEvent } = await import('../client/events');
      console.log(await renderShow(opts, { ...await findEvent(client.events(name), name, resource, id) }));
    }));
}
