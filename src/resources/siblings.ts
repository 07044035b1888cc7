/**
 * What a handler knows of the rest of its stack: only what the workflow put in its request. Data flows
 * one way, workflow → activity → engine; no handler asks the workflow.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ResourceRequest, Sibling } from './plugin';

/** A resource this one requires, found by the id the template handed over: its physical id, or its Ref where that differs. */
export type SiblingLookup = (id: string) => (Sibling & { readonly name: string }) | undefined;

/**
 * A request from a workflow older than the run profiles carries neither siblings nor addresses: those
 * workflows let the activity query them, which this worker no longer does.
 */
function missing(req: ResourceRequest, what: 'siblings' | 'addresses'): never {
  throw ApplicationFailure.nonRetryable(
    `resources.${req.resource}: the request carries no ${what} (its workflow was started by an older stoke, whose activities looked them up themselves): `
    + 'run the stack action again', 'RequestLacksStackData');
}

export function siblingLookup(req: ResourceRequest): SiblingLookup {
  return (id) => {
    const found = Object.entries(req.siblings ?? missing(req, 'siblings')).find(([, s]) => s.physicalId === id || (s.refId !== undefined && s.refId === id));
    return found && { ...found[1], name: found[0] };
  };
}

/** The fixed IPs the stack's resources hold already. */
export function takenAddresses(req: ResourceRequest): readonly string[] {
  return req.addresses ?? missing(req, 'addresses');
}
