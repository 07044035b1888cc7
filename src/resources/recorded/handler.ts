/** The one handler of recorded-only types: a random id, the properties kept, attributes from them. */
import * as crypto from 'node:crypto';
import type { JsonObject } from '../../template/types';
import type { CreatedResource, CreateResourceRequest, UpdateResourceRequest } from '../plugin';
import type { RecordedSpec } from './type';

/** The attributes of a recorded resource whose id is `id`: values the spec gives, else the property of the same name. */
export function recordedAttributes(spec: RecordedSpec, req: CreateResourceRequest, id: string): JsonObject {
  const secrets = new Set(spec.secrets ?? []);
  const renamed = Object.entries(req.properties).map(([name, value]) => [spec.replaced?.[name] ?? name, value] as const);
  const properties = Object.fromEntries(renamed);
  const given = Object.fromEntries(renamed.filter(([name]) => !secrets.has(name)));
  const computed = spec.values?.({ id, stack: req.stack, resource: req.resource, properties }) ?? {};
  const attributes: JsonObject = {};
  for (const name of Object.keys(spec.attributes)) attributes[name] = (Object.hasOwn(computed, name) ? computed[name] : given[name]) ?? null;
  attributes.show = { ...given, id, not_done: spec.description };
  return attributes;
}

export function createRecorded(req: CreateResourceRequest, spec: RecordedSpec): CreatedResource {
  const id = crypto.randomUUID();
  return { physicalId: id, attributes: recordedAttributes(spec, req, id) };
}

/** An update in place records the new properties under the same id. */
export async function updateRecorded(req: UpdateResourceRequest, spec: RecordedSpec): Promise<CreatedResource> {
  return { physicalId: req.physicalId, attributes: recordedAttributes(spec, req, req.physicalId) };
}
