/**
 * Types stoke refuses on purpose, with the reason: they stand for a service whose meaning needs a cloud
 * around the stack (telemetry, here), so no local stand-in could do what a template means by them.
 * Kept apart from the registry, whose types all run.
 */

const TELEMETRY = 'alarms watch metrics a telemetry service (Ceilometer, Aodh, CloudWatch) gathers, and stoke has none to gather or evaluate them';

const NO_LOCAL_MEANING: readonly { readonly matches: (type: string) => boolean; readonly why: string }[] = [
  { matches: (type) => type.startsWith('OS::Aodh::'), why: TELEMETRY },
  { matches: (type) => type === 'OS::Ceilometer::Alarm', why: TELEMETRY },
  { matches: (type) => type === 'AWS::CloudWatch::Alarm', why: TELEMETRY },
];

/** The message for a type with no local meaning, `unsupported: …`, or undefined for any other type. */
export function noLocalMeaning(type: string): string | undefined {
  const why = NO_LOCAL_MEANING.find((entry) => entry.matches(type))?.why;
  return why && `unsupported: '${type}' has no local meaning (${why})`;
}
