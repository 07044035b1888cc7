/**
 * Heat's stack changes: update (PUT, and PATCH which keeps what is not given), the previews of a create and of an
 * update, abandon, and what an adopt needs besides a create. Each goes through the client, the update planning
 * and the preview that `stoke stack update`, `--dry-run`, `stack abandon` and `stack adopt` use.
 */
import type { AbandonData } from '../client/abandon';
import { previewCreate, previewUpdate, type PreviewAction, type ResourcePreview } from '../client/preview';
import { planUpdateRequest } from '../client/update-request';
import { planSource } from '../template/source';
import type { ResourceState, StackPlan, StackSource, StackState } from '../template/types';
import { createRequest, updateRequest } from './create-body';
import { readJsonObject, sendJson } from './http';
import type { ApiRequest, Routes } from './routes';
import { stackAt } from './stacks';
import { stackView } from './views';

/** Heat keeps a status's action and state apart in a resource: CREATE_COMPLETE is CREATE, COMPLETE. */
function split(status: string): { resource_action: string; resource_status: string } {
  const match = /^(.*)_(IN_PROGRESS|COMPLETE|FAILED)$/.exec(status);
  return match ? { resource_action: match[1]!, resource_status: match[2]! } : { resource_action: status, resource_status: '' };
}

const requiredBy = (plan: StackPlan, name: string) => Object.keys(plan.resources).filter((other) => plan.resources[other]!.requires.includes(name)).sort();

/**
 * A resource as Heat's engine formats it in previews (format_stack_resource): from the stack's state when it
 * has one (what is updated or deleted), else as planned, not made yet (INIT COMPLETE, as Heat's preview shows it).
 */
export function previewResource(stack: { name: string; id: string }, plan: StackPlan, name: string, type: string, state?: ResourceState) {
  const planned = plan.resources[name];
  return {
    resource_name: name, resource_type: type, stack_name: stack.name,
    resource_identity: { stack_name: stack.name, stack_id: stack.id, path: `/resources/${name}` },
    stack_identity: { stack_name: stack.name, stack_id: stack.id, path: '' },
    physical_resource_id: state?.physicalId ?? '',
    ...split(state?.status ?? 'INIT_COMPLETE'),
    resource_status_reason: state?.statusReason ?? '',
    required_by: planned ? requiredBy(plan, name) : [],
    description: '',
    metadata: planned?.metadata ?? {},
    properties: state?.properties ?? planned?.properties ?? {},
    attributes: state?.attributes ?? {},
    creation_time: null,
    updated_time: state?.updatedAt || null,
  };
}

/** `POST /stacks/preview`: the stack as it would be made (id "None", no status, no outputs), with its resources. */
export function previewStackView(base: string, plan: StackPlan, source: StackSource) {
  const state: StackState = { name: plan.name, id: 'None', status: 'INIT_COMPLETE', statusReason: '', resources: {}, outputs: {}, createdAt: '', updatedAt: '' };
  const { stack_status: _status, stack_status_reason: _reason, outputs: _outputs, ...stack } = stackView(base, state, { plan, source });
  const resources = previewCreate(plan).map((p) => previewResource(state, plan, p.resource, p.type));
  return { ...stack, resources };
}

/**
 * Heat's `resource_changes`. A resource whose new properties read what the update makes anew may or may not
 * change; it is counted as replaced, the most the update may do to it (`--dry-run` says "may change").
 */
const CHANGE_OF: Readonly<Record<PreviewAction, 'unchanged' | 'updated' | 'replaced' | 'added' | 'deleted'>> = {
  unchanged: 'unchanged', update: 'updated', replace: 'replaced', 'may change': 'replaced', add: 'added', delete: 'deleted',
};

export function resourceChanges(state: StackState, plan: StackPlan, previews: readonly ResourcePreview[]) {
  const changes = { unchanged: [], updated: [], replaced: [], added: [], deleted: [] } as Record<(typeof CHANGE_OF)[PreviewAction], ReturnType<typeof previewResource>[]>;
  for (const preview of previews) {
    const change = CHANGE_OF[preview.action];
    // Heat shows what is updated or deleted as the stack has it, the rest as the update would have it.
    const current = change === 'updated' || change === 'deleted' ? state.resources[preview.resource] : undefined;
    changes[change].push(previewResource(state, plan, preview.resource, preview.type, current));
  }
  return changes;
}

async function update({ req, res, stacks }: ApiRequest, name: string, id: string, existing: boolean): Promise<void> {
  const request = updateRequest(await readJsonObject(req), existing);
  await stackAt(stacks, name, id);
  const current = await stacks.current(name);
  const { plan, source } = planUpdateRequest(name, request, current);
  await stacks.update(plan, source, current);
  sendJson(res, 202, null);
}

async function previewChange({ req, res, stacks }: ApiRequest, name: string, id: string, existing: boolean): Promise<void> {
  const request = updateRequest(await readJsonObject(req), existing);
  await stackAt(stacks, name, id);
  const { plan } = planUpdateRequest(name, request, await stacks.current(name));
  const state = await stacks.updatable(name);
  sendJson(res, 200, { resource_changes: resourceChanges(state, plan, previewUpdate(state, plan)) });
}

async function previewCreation({ req, res, base }: ApiRequest): Promise<void> {
  const request = createRequest(await readJsonObject(req));
  const { plan, source } = planSource(request.source, { stackName: request.name, disableRollback: request.disableRollback, timeoutMinutes: request.timeoutMinutes });
  sendJson(res, 200, { stack: previewStackView(base, plan, source) });
}

async function abandon({ res, stacks }: ApiRequest, name: string, id: string): Promise<void> {
  await stackAt(stacks, name, id);
  let data: AbandonData | undefined;
  await stacks.abandon(name, (kept) => {
    data = kept;
  });
  sendJson(res, 200, data);
}

export const STACK_CHANGE_ROUTES: Routes = [
  // Before the stacks' name route, as in Heat's router: `preview` is never a stack name.
  [/^\/stacks\/preview$/, { POST: previewCreation }],
  [/^\/stacks\/([^/]+)\/([^/]+)$/, {
    PUT: (request, name, id) => update(request, name!, id!, false),
    PATCH: (request, name, id) => update(request, name!, id!, true),
  }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/preview$/, {
    PUT: (request, name, id) => previewChange(request, name!, id!, false),
    PATCH: (request, name, id) => previewChange(request, name!, id!, true),
  }],
  [/^\/stacks\/([^/]+)\/([^/]+)\/abandon$/, { DELETE: abandon }],
];
