/** How `stoke stack event list | show` print events: the openstack client's columns, and its log line for --follow. */
import { stringify } from 'yaml';
import type { NestedEvent, StackEvent } from '../client/events';

export type Format = 'table' | 'json' | 'yaml';

/** An event's fields, as JSON and YAML give them; events of nested stacks also name their stack. */
export const FIELDS = ['id', 'event_time', 'resource_name', 'physical_resource_id', 'resource_type', 'resource_status', 'resource_status_reason'] as const;
export const NESTED_FIELDS = [...FIELDS, 'stack_name', 'stack_id'] as const;

/** The columns of `openstack stack event list -f table`. */
const COLUMNS = ['event_time', 'resource_name', 'id', 'resource_status', 'resource_status_reason'];

/** The columns asked for; a table without any asked for has the openstack client's (and the stack's name, nested), other formats every field. */
export const listedColumns = ({ format, column }: { format: string; column: string[] }, nested = false) =>
  (column.length > 0 || format !== 'table' ? column : nested ? [...COLUMNS, 'stack_name'] : COLUMNS);

const nestedIn = (e: StackEvent): e is NestedEvent => 'stack_name' in e;

/** The resource an event is of; in a listing of nested stacks, with its stack's name unless it is the stack's own event. */
const resourceOf = (e: StackEvent) => (nestedIn(e) && e.stack_name !== e.resource_name ? `${e.stack_name}/${e.resource_name}` : e.resource_name);

/** Heat's log line, what `openstack stack event list --follow` prints. */
export const logLine = (e: StackEvent) => `${e.event_time} [${resourceOf(e)}]: ${e.resource_status}${e.resource_status_reason ? `  ${e.resource_status_reason}` : ''}`;

/**
 * Events as they come, each printed once it is known: a log line each in table format, one JSON object per
 * line, or items that together make one YAML sequence.
 */
export function streamed(format: Format, events: readonly StackEvent[]): string[] {
  if (format === 'json') return events.map((e) => JSON.stringify(e));
  if (format === 'yaml') return events.map((e) => stringify([e]).trimEnd());
  return events.map(logLine);
}
