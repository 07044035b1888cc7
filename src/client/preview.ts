/**
 * `stack create --dry-run` and `stack update --dry-run`, and Heat's previews: what the action would do to each resource, decided
 * by the update workflow's own diff (workflows/update-plan.ts), as Heat's preview and Terraform's plan show it.
 * Nothing is started. A property that reads a resource the action makes anew is known only once it is made:
 * the preview says so instead of guessing.
 */
import { FunctionError, findReferences, isDeferred, resolve, type ResolveContext } from '../template/functions';
import type { Json, JsonObject, StackPlan, StackState } from '../template/types';
import { StokeError } from '../errors';
import { runsOf } from '../../workflows/legacy';
import { runtimeContext } from '../../workflows/requests';
import { diffResource, externalUpdate, removedResources } from '../../workflows/update-plan';

export type PreviewAction = 'add' | 'update' | 'replace' | 'delete' | 'unchanged' | 'may change';

export interface ResourcePreview {
  readonly resource: string;
  readonly type: string;
  readonly action: PreviewAction;
  /** The properties whose value changes ('type' when the type does). */
  readonly changed: string[];
  /** Properties that read resources this action makes or updates, and those resources: their values are known only then. */
  readonly unknown?: { readonly properties: string[]; readonly dependsOn: string[] };
}

/** The plan's resources, each after those it requires: the order an update decides them in. */
function dependencyOrder(plan: StackPlan): string[] {
  const seen = new Set<string>();
  const order: string[] = [];
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const required of plan.resources[name]!.requires) if (plan.resources[required]) visit(required);
    order.push(name);
  };
  Object.keys(plan.resources).sort().forEach(visit);
  return order;
}

function resolveProperty(value: Json, ctx: ResolveContext, path: string): Json {
  try {
    return resolve(value, ctx, path);
  } catch (err) {
    if (err instanceof FunctionError) throw new StokeError('InvalidFunction', `${err.path}: ${err.message}`);
    throw err;
  }
}

/** What an update of the stack in `state` to `plan` would do; a create is one of an empty stack. */
export function previewUpdate(state: StackState, plan: StackPlan): ResourcePreview[] {
  // Resources whose id may be new (added, replaced, or perhaps replaced), and those whose attributes are read anew (updated).
  const newIds = new Set<string>();
  const newAttributes = new Set<string>();
  const known = runtimeContext(plan, state);
  const ctx: ResolveContext = {
    ...known,
    physicalId: (name) => (newIds.has(name) ? undefined : known.physicalId!(name)),
    attribute: (name, attribute) => (newIds.has(name) || newAttributes.has(name) ? undefined : known.attribute!(name, attribute)),
    allAttributes: (name) => (newIds.has(name) || newAttributes.has(name) ? undefined : known.allAttributes!(name)),
  };
  const pending = (value: Json, path: string) => findReferences(value, plan.format, ctx.resourceNames, path)
    .filter((ref) => newIds.has(ref.resource) || (ref.attribute !== undefined && newAttributes.has(ref.resource)))
    .map((ref) => ref.resource);

  const previews = dependencyOrder(plan).map((name): ResourcePreview => {
    const target = plan.resources[name]!;
    const old = state.resources[name];
    if (!old || old.status === 'INIT_COMPLETE') {
      newIds.add(name);
      return { resource: name, type: target.type, action: 'add', changed: [] };
    }
    // An external object is left as it is, whatever its properties say (a changed external_id fails the update).
    if (externalUpdate(old, target) === 'kept') return { resource: name, type: target.type, action: 'unchanged', changed: [] };
    const properties: JsonObject = {};
    const unknown: string[] = [];
    const dependsOn = new Set<string>();
    for (const [property, value] of Object.entries(target.properties)) {
      const path = `resources.${name}.properties.${property}`;
      const resolved = resolveProperty(value, ctx, path);
      if (!isDeferred(resolved)) properties[property] = resolved;
      else {
        unknown.push(property);
        pending(value, path).forEach((resource) => dependsOn.add(resource));
        // Compared as unchanged: whether it changes is what cannot be known.
        if (Object.hasOwn(old.properties, property)) properties[property] = old.properties[property]!;
      }
    }
    const diff = diffResource(old, target, properties);
    const inPlace = runsOf(target).updatable ?? [];
    const certain = unknown.length === 0 || diff.change === 'replace' || (diff.change === 'update' && unknown.every((p) => inPlace.includes(p)));
    const action: PreviewAction = certain ? diff.change : 'may change';
    if (action === 'replace' || action === 'may change') newIds.add(name);
    if (action === 'update') newAttributes.add(name);
    return {
      resource: name, type: target.type, action, changed: diff.changed,
      ...(unknown.length > 0 ? { unknown: { properties: unknown, dependsOn: [...dependsOn].sort() } } : {}),
    };
  });
  const deleted = removedResources(state, plan).map((name): ResourcePreview => ({ resource: name, type: state.resources[name]!.type, action: 'delete', changed: [] }));
  return [...previews, ...deleted];
}

/** A create: every resource added. */
export function previewCreate(plan: StackPlan): ResourcePreview[] {
  return previewUpdate({ name: plan.name, id: '', status: 'INIT_COMPLETE', statusReason: '', resources: {}, outputs: {}, createdAt: '', updatedAt: '' }, plan);
}
