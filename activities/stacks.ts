/**
 * The side of nested stacks that needs the worker: planning a child from its resource's resolved properties
 * (the planner and the registry are Node code), and reading a child's state from Temporal for its delete.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { StackClient } from '../src/client/client';
import type { CreateResourceRequest, NestedChild } from '../src/resources/plugin';
import { resourceType } from '../src/resources/registry';
import { parsedData, parseFile } from '../src/template/parse';
import { planStack } from '../src/template/plan';
import type { JsonObject, NestedSource, StackPlan, StackState } from '../src/template/types';

export interface PlanNestedRequest extends CreateResourceRequest {
  readonly childName: string;
  readonly depth: number;
  readonly timeoutMinutes: number;
  readonly nested?: NestedSource;
  /** The resources the child has now, and its output values, when an update changes it. */
  readonly current?: readonly string[];
  readonly outputs?: JsonObject;
}

export interface PlannedChild {
  readonly plan: StackPlan;
  readonly attributes: NestedChild['attributes'];
  readonly ref?: string;
  /**
   * The child's nesting depth: its resource's, but its parent's for a share of the parent (NestedStackHooks.shareOfParent).
   * Absent from the answers recorded before the planner gave it.
   */
  readonly depth?: number;
}

/** Plans a nested stack with the values its resource has now; every error in it fails the resource, not retried. */
export function planNestedStack(req: PlanNestedRequest): PlannedChild {
  const type = resourceType(req.handler ?? req.type);
  if (!type?.nested) throw ApplicationFailure.nonRetryable(`resource type ${req.type} is not a nested stack`, 'UnknownResourceType');
  const source = req.nested ?? { files: {}, environment: {} };
  const child = type.nested.child({
    stack: req.stack, resource: req.resource, properties: req.properties, attributes: req.attributes,
    ...(req.siblings ? { siblings: req.siblings } : {}), ...(req.current ? { current: req.current } : {}), ...(req.outputs ? { outputs: req.outputs } : {}), ...(source.template ? { template: source.template } : {}),
  });
  const name = source.template?.name ?? `the template of ${req.resource}`;
  const depth = type.nested.shareOfParent ? req.depth - 1 : req.depth;
  const files = source.files;
  const timeout = Number(req.properties.timeout ?? req.properties.TimeoutInMinutes ?? req.timeoutMinutes);
  const result = planStack({
    stackName: req.childName,
    template: typeof child.template === 'string' ? parseFile(child.template, name) : parsedData(name, child.template),
    environments: [parsedData(`the environment ${req.resource} inherits`, source.environment)],
    parameters: child.parameters,
    readFile: (file) => files[file],
    parseFile: (file) => (files[file] === undefined ? undefined : parseFile(files[file], file)),
    depth,
    timeoutMinutes: Number.isFinite(timeout) && timeout > 0 ? timeout : req.timeoutMinutes,
    // As in Heat, a nested stack never rolls back by itself: its parent's rollback deletes it.
    disableRollback: true,
  });
  if (!result.plan || result.errors.length > 0) {
    const errors = result.errors.slice(0, 5).map((e) => `${e.file ?? name}${e.line ? `:${e.line}` : ''}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
    const more = result.errors.length > 5 ? `; and ${result.errors.length - 5} more` : '';
    throw ApplicationFailure.nonRetryable(`the nested stack is invalid: ${errors.join('; ')}${more}`, 'NestedStackInvalid');
  }
  return { plan: result.plan, attributes: child.attributes, depth, ...(child.ref !== undefined ? { ref: child.ref } : {}) };
}

/** A nested stack's state as its last action left it (real values: its delete works from them); null when it never started. */
export async function nestedStackState(stacks: () => Promise<StackClient>, name: string): Promise<StackState | null> {
  const client = await stacks();
  try {
    return await client.state(name);
  } catch (err) {
    if ((err as { code?: string }).code === 'StackNotFound') return null;
    throw err;
  }
}
