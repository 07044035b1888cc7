/**
 * Nested stacks (runs.where 'stack'): each is a stack of its own, run as a child workflow under its own stack
 * workflow id, with its own history; the Temporal UI links parent and child. To the parent's actions a nested
 * resource has the same lifecycle as any other (create, update, delete, check, suspend, resume), so the graph,
 * rollback and teardown code is shared: each step is that action of the child stack, started as a child workflow.
 */
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  patched,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { PlannedChild } from '../activities/stacks';
import type { CreatedResource, CreateResourceRequest, DeleteResourceRequest, ExistingResourceRequest, UpdateResourceRequest } from '../src/resources/plugin';
import type { Json, NestedIn, StackPlan, StackState } from '../src/template/types';
import { actionSummary, signalLimits, STACK_FAILED, stackWorkflowId, waitHandles, type CreateStackInput, type DeleteStackInput, type StackMemo, type UpdateStackInput } from './definitions';
import { activities, localActivities, PROFILES, type Activities, type ResourceLifecycle } from './profiles';

/** The name of a nested stack, as Heat's `parent-resource-suffix`: the suffix is fixed by the parent's id, so a retry or a delete finds it. */
export function nestedStackName(parent: string, parentId: string, resource: string, copy = ''): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (const ch of `${parentId}/${resource}/${copy}`) {
    a = Math.imul(a ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    b = Math.imul(b ^ ch.charCodeAt(0), 0x5bd1e995) >>> 0;
  }
  const suffix = `${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`.slice(0, 12);
  return `${parent}-${resource.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${suffix}`.slice(-255).replace(/^[^a-zA-Z]+/, 's');
}

/** The memo the signal gateway and listings read, as the client gives a root stack's: the tenant is the root's. */
function childMemo(plan: StackPlan | undefined, stackId: string, parent: string): StackMemo & { parent: string } {
  const tenant = (workflowInfo().memo as { tenant?: Json } | undefined)?.tenant;
  return {
    stackId, handles: plan ? waitHandles(plan) : [], ...(plan ? { signalLimits: signalLimits(plan) } : {}), parent,
    ...(typeof tenant === 'string' ? { tenant } : {}),
  };
}

/** What a child's failure says to the parent: its own status reason, not "child workflow failed". */
function childFailure(name: string, err: unknown): unknown {
  if (!(err instanceof ChildWorkflowFailure) || !(err.cause instanceof ApplicationFailure) || err.cause.type !== STACK_FAILED) return err;
  return ApplicationFailure.nonRetryable(`nested stack ${name}: ${err.cause.message}`, 'NestedStackFailed');
}

/**
 * A nested action's start carries the child's plan or state (hundreds of kB for a large group's part), and
 * so does the planner's answer before it. Started in parallel, a workflow task would carry all of them, past
 * gRPC's 4 MB; started one at a time, each task carries one, and the children still run in parallel.
 * Histories recorded before this started them all at once.
 */
const ONE_START_PATCH = 'nested-stacks-start-one-at-a-time';

/** Check, suspend and resume of a nested resource: the same action of its child stack. */
export type NestedActions = Pick<Activities, 'checkResource' | 'suspendResource' | 'resumeResource'>;

/** The lifecycle of a stack's nested resources; `plan` is the one being brought about (none for a delete, check, suspend, resume). */
export function nestedStacks(state: StackState, plan: StackPlan | undefined, timeoutMinutes: number): ResourceLifecycle & NestedActions {
  const local = localActivities(PROFILES.local(timeoutMinutes));
  const reads = activities(PROFILES.check);
  const nestedIn = (resource: string): NestedIn => ({
    name: state.name, id: state.id, resource, depth: (state.parent?.depth ?? 0) + 1, root: state.parent?.root ?? { name: state.name, id: state.id },
  });

  /** Plans the child of `req` with its resource's values now; `found` is the child as it stands, for an update. */
  const planChild = (req: CreateResourceRequest, name: string, found?: StackState) => {
    const planned = plan?.resources[req.resource];
    return local.planNestedStack({
      ...req, childName: name, depth: nestedIn(req.resource).depth, timeoutMinutes, ...(planned?.nested ? { nested: planned.nested } : {}),
      ...(found ? { current: Object.keys(found.resources), outputs: Object.fromEntries(Object.entries(found.outputs).map(([key, o]) => [key, o.value])) } : {}),
    });
  };

  let starting: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(step: () => Promise<T>): Promise<T> => {
    if (!patched(ONE_START_PATCH)) return step();
    const turn = starting.then(step);
    starting = turn.catch(() => undefined);
    return turn;
  };

  /**
   * Runs one action of the child as a child workflow, started with what `prepare` reads and plans (nothing
   * to start when it gives nothing); its failure is reported in the child's own words.
   */
  const run = async (name: string, workflow: 'createStack' | 'updateStack' | 'deleteStack' | 'checkStack' | 'suspendStack' | 'resumeStack',
    prepare: () => Promise<{ input: unknown; memo: StackMemo } | undefined>): Promise<StackState | undefined> => {
    try {
      const child = await oneAtATime(async () => {
        const start = await prepare();
        return start && startChild(workflow, { workflowId: stackWorkflowId(name), args: [start.input], memo: { ...start.memo }, staticSummary: actionSummary(workflow, name) });
      });
      return await child?.result();
    } catch (err) {
      throw childFailure(name, err);
    }
  };

  /** The child as it stands; `required` by every action but a delete. */
  const existing = async (name: string, required: boolean): Promise<StackState | undefined> => {
    const found = await reads.nestedStackState({ name });
    if (found && found.status !== 'DELETE_COMPLETE') return found;
    if (required) throw ApplicationFailure.nonRetryable(`nested stack ${name} no longer exists`, 'NestedStackNotFound');
    return undefined;
  };

  /** The resource as the child's outputs give it. */
  const resultOf = (name: string, child: PlannedChild, result: StackState): CreatedResource => {
    const outputs = result.outputs;
    const attributes = Object.fromEntries(Object.entries(child.attributes).map(([attribute, from]): [string, Json] => {
      if (from === null) return [attribute, Object.fromEntries(Object.entries(outputs).map(([key, o]) => [key, o.value]))];
      if (typeof from === 'object') return [attribute, from.stack === 'name' ? name : result.id];
      return [attribute, outputs[from]?.value ?? null];
    }));
    const ref = child.ref !== undefined ? outputs[child.ref]?.value : undefined;
    return { physicalId: result.id, ...(ref !== undefined && ref !== null ? { refId: String(ref) } : {}), attributes };
  };

  const create = async (req: CreateResourceRequest): Promise<CreatedResource> => {
    const name = nestedStackName(state.name, state.id, req.resource, req.copy);
    let child: PlannedChild | undefined;
    const result = await run(name, 'createStack', async () => {
      child = await planChild(req, name);
      const stackId = uuid4();
      // A nested stack goes where its parent was placed, so a group's members share their parent's engine.
      const plan = state.engine && !child.plan.engine ? { ...child.plan, engine: state.engine } : child.plan;
      // A child planned before the planner gave its depth has its resource's.
      const nesting = nestedIn(req.resource);
      const input: CreateStackInput = { plan, stackId, nesting: { ...nesting, depth: child.depth ?? nesting.depth } };
      return { input, memo: childMemo(child.plan, stackId, state.name) };
    });
    return resultOf(name, child!, result!);
  };

  /** Heat's StackResource update: the child is updated to its new template and parameters, keeping what did not change. */
  const update = async (req: UpdateResourceRequest): Promise<CreatedResource> => {
    const name = nestedStackName(state.name, state.id, req.resource, req.copy);
    let child: PlannedChild | undefined;
    const result = await run(name, 'updateStack', async () => {
      const found = (await existing(name, true))!;
      child = await planChild(req, name, found);
      const input: UpdateStackInput = { state: found, plan: child.plan };
      return { input, memo: childMemo(child.plan, found.id, state.name) };
    });
    return resultOf(name, child!, result!);
  };

  const remove = async (req: DeleteResourceRequest): Promise<void> => {
    const name = nestedStackName(state.name, state.id, req.resource, req.copy);
    await run(name, 'deleteStack', async () => {
      const found = await existing(name, false);
      return found && { input: { state: found } satisfies DeleteStackInput, memo: childMemo(undefined, found.id, state.name) };
    });
  };

  /** A stack action that works from the child's state as it stands. */
  const act = (workflow: 'checkStack' | 'suspendStack' | 'resumeStack') => async (req: ExistingResourceRequest): Promise<void> => {
    const name = nestedStackName(state.name, state.id, req.resource, req.copy);
    await run(name, workflow, async () => {
      const found = (await existing(name, true))!;
      return { input: { state: found }, memo: childMemo(undefined, found.id, state.name) };
    });
  };
  const check = act('checkStack');

  const refuse = (what: string) => async (req: { resource: string; type: string }): Promise<never> => {
    throw ApplicationFailure.nonRetryable(`${req.type} '${req.resource}' is a nested stack, which stoke cannot ${what}`, 'NestedStackUnsupported');
  };
  return {
    createResource: create, deleteResource: remove, adoptResource: refuse('adopt'), updateResource: update,
    checkResource: async (req) => {
      await check(req);
      return { checked: true };
    },
    suspendResource: act('suspendStack'), resumeResource: act('resumeStack'),
  };
}
