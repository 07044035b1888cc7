/**
 * `stoke stack adopt`'s checks of the adopt file (Heat's abandon data, see abandon.ts) against the template:
 * which resources take an existing object, and why the file cannot be used when it cannot.
 */
import { StokeError } from '../errors';
import { resourceType } from '../resources/registry';
import type { JsonObject, StackPlan } from '../template/types';
import type { AdoptedResource } from '../../workflows/definitions';
import type { AbandonData } from './abandon';

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads an adopt file: Heat's abandon data as JSON. Every problem is reported at once, with where it is. */
export function parseAdoptData(text: string, file: string): AbandonData {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new StokeError('AdoptDataInvalid', `${file}: not JSON (${(err as Error).message}); the adopt file is what \`stoke stack abandon\` prints`);
  }
  if (!isObject(data)) throw new StokeError('AdoptDataInvalid', `${file}: expected a JSON object as \`stoke stack abandon\` prints, got ${Array.isArray(data) ? 'a list' : typeof data}`);
  const problems: string[] = [];
  if (typeof data.id !== 'string' || data.id === '') problems.push('id: the abandoned stack\'s id is required (its objects are labelled with it)');
  if (!isObject(data.resources)) problems.push('resources: a mapping of resource names is required');
  else {
    for (const [name, r] of Object.entries(data.resources)) {
      const at = `resources.${name}`;
      if (!isObject(r)) {
        problems.push(`${at}: expected a mapping`);
        continue;
      }
      if (typeof r.type !== 'string' || r.type === '') problems.push(`${at}.type: a resource type is required`);
      if (r.resource_id !== undefined && r.resource_id !== null && typeof r.resource_id !== 'string') problems.push(`${at}.resource_id: expected a string or null`);
      if (r.resource_data !== undefined && r.resource_data !== null && !isObject(r.resource_data)) problems.push(`${at}.resource_data: expected a mapping`);
    }
  }
  if (problems.length > 0) throw new StokeError('AdoptDataInvalid', problems.map((p) => `${file}: ${p}`).join('\n'));
  return data as unknown as AbandonData;
}

/**
 * What each resource of the plan takes from the adopt data: the data's resources with an id, when the
 * template has them with the same type and their type can be adopted. Resources the data lacks (or has no
 * id for) are created; the data's resources the template lacks are left alone, as Heat does, with a warning.
 */
export function adoptionsOf(plan: StackPlan, data: AbandonData, file: string): { adopted: Record<string, AdoptedResource>; warnings: string[] } {
  const adopted: Record<string, AdoptedResource> = {};
  const warnings: string[] = [];
  const problems: string[] = [];
  for (const [name, r] of Object.entries(data.resources)) {
    const planned = plan.resources[name];
    if (!planned) {
      warnings.push(`${file}: resources.${name}: not in the template, so not adopted (its object is left as it is)`);
      continue;
    }
    if (!r.resource_id) continue;
    if (r.type !== planned.type) {
      problems.push(`${file}: resources.${name}: the adopt data has a ${r.type}, the template a ${planned.type}`);
      continue;
    }
    if (!resourceType(planned.handler)?.handler?.adopt) {
      problems.push(`${file}: resources.${name}: type ${planned.type} cannot be adopted (it has no adopt hook); `
        + 'take it out of the adopt data, or set its resource_id to null, to have it created anew');
      continue;
    }
    adopted[name] = { physicalId: r.resource_id, data: r.resource_data ?? {} };
  }
  if (problems.length > 0) throw new StokeError('AdoptDataInvalid', problems.join('\n'));
  return { adopted, warnings };
}
