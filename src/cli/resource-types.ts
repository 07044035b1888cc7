/** Data printed as `-f json` or `-f yaml` ask. */
import { stringify } from 'yaml';

export function printData(format: 'json' | 'yaml', data: unknown): void {
  console.log(format === 'json' ? JSON.stringify(data, null, 2) : stringify(data).trimEnd());
}
