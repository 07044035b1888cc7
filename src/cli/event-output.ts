/** How `stoke stack event list | show` print events: the openstack client's columns, and its log line for --follow. */
import { stringify } from 'yaml';
import type { NestedEvent, StackEvent } from '../client/events';

export type Format = 'table' | 'json' | 'yaml';

/** The columns of `openstack stack event list -f table`. */
const COLUMNS = ['event_time', 'resource_name', 'id', 'resource_status', 'resource_status_reason'] as const;

const nestedIn = (e: StackEvent): e is NestedEvent => 'stack_name' in e;

/** The resource an event is of; in a listing of nested stacks, with its stack's name unless it is the stack's own event. */
const resourceOf = (e: StackEvent) => (nestedIn(e) && e.stack_name !== e.resource_name ? `${e.stack_name}/${e.resource_name}` : e.resource_name);

/** Heat's log line, what `openstack stack event list --follow` prints. */
export const logLine = (e: StackEvent) => `${e.event_time} [${resourceOf(e)}]: ${e.resource_status}${e.resource_status_reason ? `  ${e.resource_status_reason}` : ''}`;

/** The events at once: a table (`table` lays it out; events of nested stacks with their stack's name), a JSON array or a YAML sequence. */
export function listed(format: Format, events: readonly StackEvent[], table: (headers: string[], rows: string[][]) => string, nested = false): string {
  if (format === 'json') return JSON.stringify(events, null, 2);
  if (format === 'yaml') return stringify(events).trimEnd();
  if (nested) return table([...COLUMNS, 'stack_name'], events.map((e) => [...COLUMNS.map((c) => e[c]), nestedIn(e) ? e.stack_name : '']));
  return table([...COLUMNS], events.map((e) => COLUMNS.map((c) => e[c])));
}

/**
 * Events as they come, each printed once it is known: a log line each in table format, one JSON object per
 * line, or items that together make one YAML sequence.
 */
export function streamed(format: Format, events: readonly StackEvent[]): string[] {
  if (format === 'json') return events.map((e) => JSON.stringify(e));
  if (format === 'yaml') return events.map((e) => stringify([e]).trimEnd());
  return events.map(logLine);
}

/** One event: field and value rows, or JSON, or YAML. */
export function shown(format: Format, event: StackEvent, table: (headers: string[], rows: string[][]) => string): string {
  if (format === 'json') return JSON.stringify(event, null, 2);
  if (format === 'yaml') return stringify(event).trimEnd();
  return table(['Field', 'Value'], Object.entries(event));
}
