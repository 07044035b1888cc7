/** Names shared by workflows, the client and the CLI. No Node imports: the workflow sandbox loads this. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import type { StackPlan, StackState } from '../src/template/types';

/** The stack as it is now: status, each resource's status and physical id, outputs once known. */
export const stackStateQuery = defineQuery<StackState>('stackState');

export const stackNameKey = defineSearchAttributeKey('StackName', SearchAttributeType.KEYWORD);
export const stackStatusKey = defineSearchAttributeKey('StackStatus', SearchAttributeType.KEYWORD);

/**
 * Every action on a stack runs under this one workflow id, so Temporal itself refuses a second action
 * (a delete during a create, two creates) while one runs.
 */
export function stackWorkflowId(stackName: string): string {
  return `stack:${stackName}`;
}

export interface CreateStackInput {
  readonly plan: StackPlan;
}

/** Input of suspendStack and resumeStack: the stack as its last action left it. */
export interface SuspendStackInput {
  readonly state: StackState;
}

export interface DeleteStackInput {
  /** The stack as its last action left it. */
  readonly state: StackState;
}

/** The ApplicationFailure type a workflow ends with when the stack action failed; its details hold the StackState. */
export const STACK_FAILED = 'StackActionFailed';
