/**
 * Types stoke refuses on purpose, with the reason: they stand for a service whose meaning needs a cloud
 * around the stack (telemetry, workflows, queues, reservations, another provider's cloud), so no local
 * stand-in could do what a template means by them. Kept apart from the registry, whose types all run.
 */

const TELEMETRY = 'alarms watch metrics a telemetry service (Ceilometer, Aodh, CloudWatch) gathers, and stoke has none to gather or evaluate them';

const NO_LOCAL_MEANING: readonly { readonly matches: (type: string) => boolean; readonly why: string }[] = [
  { matches: (type) => type.startsWith('OS::Aodh::'), why: TELEMETRY },
  { matches: (type) => type === 'OS::Ceilometer::Alarm', why: TELEMETRY },
  { matches: (type) => type === 'AWS::CloudWatch::Alarm', why: TELEMETRY },
  { matches: (type) => type.startsWith('OS::Mistral::'), why: 'Mistral workflows, triggers and executions run in a workflow service, and stoke has none to run them' },
  { matches: (type) => type.startsWith('OS::Zaqar::'), why: 'Zaqar queues and subscriptions live in a messaging service, and stoke has none to hold or deliver messages' },
  { matches: (type) => type.startsWith('OS::Magnum::'), why: 'Magnum builds container orchestration clusters (Kubernetes, Swarm) across cloud servers, and stoke has no such service' },
  { matches: (type) => type.startsWith('OS::Blazar::'), why: 'Blazar reserves cloud hosts and instances ahead of time, and stoke has one engine and nothing to reserve' },
  { matches: (type) => type.startsWith('Rackspace::'), why: 'it is a resource of Rackspace\'s public cloud, made through its own APIs' },
];

/** The message for a type with no local meaning, `unsupported: …`, or undefined for any other type. */
export function noLocalMeaning(type: string): string | undefined {
  const why = NO_LOCAL_MEANING.find((entry) => entry.matches(type))?.why;
  return why && `unsupported: '${type}' has no local meaning (${why})`;
}
