/** OS::Heat::TestResource, a type added through the plugin path alone: its schema as the validator and the plan read it. */
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import { stoke, writeTemplate } from '../helpers';

const plan = (resources: string) =>
  planStack({ stackName: 'demo', template: parseFile(`heat_template_version: 2016-10-14\nresources:\n${resources}`, 'demo.yaml') });

test('a TestResource with every property plans, with defaults filled in and its run profile', () => {
  const { plan: planned, errors } = plan(`  t:
    type: OS::Heat::TestResource
    properties:
      value: hello
      update_replace: false
      update_replace_value: kept
      fail: 'no'
      client_name: nova
      entity_name: servers
      wait_secs: '1.5'
      action_wait_secs: {create: 2, update: 0, delete: 1, suspend: 0, resume: 0}
      attr_wait_secs: 0
      constraint_prop_secs: 0
  d: {type: OS::Heat::TestResource}
`);
  expect(errors).toEqual([]);
  expect(planned!.resources.t).toMatchObject({ handler: 'OS::Heat::TestResource', runs: { where: 'activity', heartbeat: true } });
  expect(planned!.resources.t!.properties).toMatchObject({ fail: false, wait_secs: 1.5, action_wait_secs: { create: 2, delete: 1 } });
  expect(planned!.resources.d!.properties).toMatchObject({ value: 'test_string', fail: false, wait_secs: 0, client_name: '' });
});

test('bad TestResource properties are refused with their paths', () => {
  const { errors } = plan(`  t:
    type: OS::Heat::TestResource
    properties:
      wait_secs: soon
      fail: maybe
      action_wait_secs: {creat: 1}
      colour: red
`);
  expect(errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`)).toEqual([
    "6:7 resources.t.properties.wait_secs: expected a number, got string 'soon'",
    "7:7 resources.t.properties.fail: expected a boolean, got string 'maybe'",
    "8:26 resources.t.properties.action_wait_secs.creat: unknown key 'creat' (allowed: create, update, delete, suspend, resume)",
    expect.stringMatching(/^9:7 resources\.t\.properties\.colour: /),
  ]);
});

test('stoke template validate and resource type show know the type', () => {
  const template = writeTemplate('heat_template_version: 2016-10-14\nresources:\n  t: {type: OS::Heat::TestResource, properties: {wait_secs: -1}}\n');
  expect(stoke('template', 'validate', '-t', template)).toMatchObject({ status: 0 });
  const shown = JSON.parse(stoke('resource', 'type', 'show', 'OS::Heat::TestResource', '-f', 'json').stdout);
  expect(Object.keys(shown.properties).sort()).toEqual([
    'action_wait_secs', 'attr_wait_secs', 'client_name', 'constraint_prop_secs', 'entity_name', 'fail', 'update_replace', 'update_replace_value', 'value', 'wait_secs',
  ]);
  expect(shown.properties.value).toMatchObject({ type: 'string', default: 'test_string', update_allowed: true });
  expect(Object.keys(shown.attributes)).toEqual(['output']);
});
