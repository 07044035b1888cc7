/** `--dry-run`'s table: per resource, what the action would do and why (the preview itself is ../client/preview.ts). */
import type { ResourcePreview } from '../client/preview';

function reason(preview: ResourcePreview): string {
  const parts = preview.changed.length > 0 ? [`changed: ${preview.changed.join(', ')}`] : [];
  const unknown = preview.unknown;
  if (unknown) {
    const on = unknown.dependsOn.length > 0 ? unknown.dependsOn.join(', ') : 'resources not made yet';
    parts.push(`may change: depends on ${on} (${unknown.properties.join(', ')})`);
  }
  return parts.join('; ');
}

export const PREVIEW_HEADERS = ['resource_name', 'action', 'resource_type', 'reason'];

export function previewRows(previews: readonly ResourcePreview[]): string[][] {
  return previews.map((p) => [p.resource, p.action, p.type, reason(p)]);
}
