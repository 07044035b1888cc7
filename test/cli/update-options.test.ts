/** `stack update`'s options as openstack's: --rollback (with --disable-rollback), --existing, --clear-parameter, what is kept when not given. */
import { checkUpdateOptions, disableRollbackOf, planUpdate } from '../../src/cli/update-options';
import { writeTemplate } from '../helpers';

const none = { environment: [], clearParameter: [] };
const template = writeTemplate('heat_template_version: 2016-10-14\nparameters:\n  n: {type: string, default: d}\nresources:\n  r: {type: OS::Heat::None, properties: {n: {get_param: n}}}\n');

test('--rollback enabled|disabled|keep, any case; --disable-rollback is --rollback disabled; absent keeps the stack\'s', () => {
  expect(disableRollbackOf({ rollback: 'Enabled' })).toBe(false);
  expect(disableRollbackOf({ rollback: 'disabled' })).toBe(true);
  expect(disableRollbackOf({ disableRollback: true })).toBe(true);
  expect(disableRollbackOf({ rollback: 'keep' })).toBeUndefined();
  expect(disableRollbackOf({})).toBeUndefined();
  expect(() => disableRollbackOf({ rollback: 'maybe' })).toThrow("--rollback must be enabled, disabled or keep, got 'maybe'");
  expect(() => disableRollbackOf({ rollback: 'enabled', disableRollback: true })).toThrow('--disable-rollback contradicts --rollback enabled');
});

test('an update needs -t or --existing; --clear-parameter needs --existing', () => {
  expect(() => checkUpdateOptions(none)).toThrow(/needs the new template \(-t FILE\), or --existing/);
  expect(() => checkUpdateOptions({ ...none, template: 't.yaml', clearParameter: ['n'] })).toThrow('--clear-parameter clears a stored parameter value: it needs --existing');
  expect(() => checkUpdateOptions({ ...none, existing: true })).not.toThrow();
});

test('rollback and timeout not given stay as the stack has them', () => {
  const current = planUpdate('demo', { ...none, template, rollback: 'disabled', timeout: '7' }, {}, undefined);
  expect(current.plan).toMatchObject({ disableRollback: true, timeoutMinutes: 7 });
  expect(planUpdate('demo', { ...none, template }, {}, current).plan).toMatchObject({ disableRollback: true, timeoutMinutes: 7 });
  expect(planUpdate('demo', { ...none, template, rollback: 'enabled', timeout: '9' }, {}, current).plan).toMatchObject({ disableRollback: false, timeoutMinutes: 9 });
  expect(planUpdate('demo', { ...none, template }, {}, undefined).plan).toMatchObject({ disableRollback: false, timeoutMinutes: 60 });
});

test('--existing reuses the stored source; a stack of an older stoke, which kept none, is told to give -t', () => {
  const first = planUpdate('demo', { ...none, template }, { n: 'given' }, undefined);
  expect(planUpdate('demo', { ...none, existing: true }, {}, first).plan.resources.r!.properties).toEqual({ n: 'given' });
  expect(planUpdate('demo', { ...none, existing: true, clearParameter: ['n'] }, {}, first).plan.resources.r!.properties).toEqual({ n: 'd' });
  expect(() => planUpdate('demo', { ...none, existing: true }, {}, { plan: first.plan }))
    .toThrow(/stack 'demo' was made by an older stoke, which kept no template to reuse: update it without --existing, giving its template with -t/);
});
