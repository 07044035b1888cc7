/**
 * How the resource types of before run profiles ran, for plans and states that carry no `runs`: the
 * recorded histories, and stacks created or last acted on by older clients and workers. FROZEN: it says
 * what those workflows did, so it never changes and new types never go here; they declare their own
 * run profile, which the plan carries.
 */
import type { RunProfile } from '../src/template/types';

const LOCAL: RunProfile = { where: 'local' };
const HANDLE: RunProfile = { where: 'activity', signals: 'handle' };
const CONDITION: RunProfile = { where: 'workflow', signals: 'condition' };
/** These activities read the resources they refer to from the stack's state, which now travels in the request. */
const SIBLINGS: RunProfile = { where: 'activity', needs: ['siblings'] };
/** Every other type of before ran as an ordinary activity. */
const ORDINARY: RunProfile = { where: 'activity' };

const LEGACY_RUNS: Readonly<Record<string, RunProfile>> = {
  'OS::Heat::RandomString': LOCAL,
  'OS::Heat::None': LOCAL,
  'AWS::CloudFormation::WaitConditionHandle': HANDLE,
  'OS::Heat::WaitConditionHandle': HANDLE,
  'AWS::CloudFormation::WaitCondition': CONDITION,
  'OS::Heat::WaitCondition': CONDITION,
  'OS::Nova::Server': SIBLINGS,
  'AWS::EC2::Instance': SIBLINGS,
  'OS::Heat::SoftwareConfig': SIBLINGS,
  'OS::Heat::StructuredConfig': SIBLINGS,
  'OS::Heat::CloudConfig': SIBLINGS,
  'OS::Heat::MultipartMime': SIBLINGS,
  'OS::Heat::SoftwareDeployment': SIBLINGS,
  'OS::Heat::StructuredDeployment': SIBLINGS,
  'OS::Neutron::FloatingIP': SIBLINGS,
  'OS::Neutron::Port': { where: 'activity', needs: ['siblings', 'addresses'] },
};

/** How a planned or existing resource runs: its own run profile, or, when it predates them, how its type ran then. */
export function runsOf(resource: { readonly type: string; readonly runs?: RunProfile }): RunProfile {
  return resource.runs ?? LEGACY_RUNS[resource.type] ?? ORDINARY;
}

/** The type whose handler runs the resource: the plan's, or, when it predates handlers, the type itself. */
export function handlerOf(resource: { readonly type: string; readonly handler?: string }): string {
  return resource.handler ?? resource.type;
}
