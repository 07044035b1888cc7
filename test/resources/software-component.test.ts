/** OS::Heat::SoftwareComponent: Heat's schema and checks, and which of its configs a deployment runs for each action. */
import type { HandlerContext } from '../../src/resources/plugin';
import { resourceType } from '../../src/resources/registry';
import { componentEntry, createDeployment, createSoftwareComponent } from '../../src/resources/servers/software';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';

const configs = [
  { actions: ['CREATE'], config: 'echo create', tool: 'script' },
  { actions: ['UPDATE', 'SUSPEND'], config: 'echo update', tool: 'script' },
];

function validate(text: string) {
  return planStack({ stackName: 'demo', template: parseFile(text, 'component.yaml'), mode: 'validate' }).errors;
}

const template = (entries: string) => `
heat_template_version: 2014-10-16
resources:
  component:
    type: OS::Heat::SoftwareComponent
    properties:
      configs: ${entries}
      inputs: [{name: greeting}]
      outputs: [{name: last_action}]
  server:
    type: OS::Nova::Server
    properties: {image: busybox, flavor: m1.tiny}
  deployment:
    type: OS::Heat::SoftwareDeployment
    properties: {config: {get_resource: component}, server: {get_resource: server}}
outputs:
  configs: {value: {get_attr: [component, configs]}}
  last: {value: {get_attr: [deployment, last_action]}}
`;

test('a component validates with configs per action, each defaulting to CREATE and UPDATE', () => {
  expect(validate(template('[{actions: [CREATE], config: "echo c", tool: script}, {actions: [DELETE], config: "echo d", tool: script}]'))).toEqual([]);
  expect(validate(template('[{config: "echo c", tool: script}]'))).toEqual([]);
  expect(resourceType('OS::Heat::SoftwareComponent')).toMatchObject({ runs: { where: 'activity' }, supportStatus: { version: '2014.2' } });
});

test('as in Heat, two configs for one action, an empty list, or a config without a tool are refused', () => {
  const twice = validate(template('[{actions: [CREATE, UPDATE], config: a, tool: script}, {actions: [UPDATE], config: b, tool: script}]'));
  expect(twice).toEqual([expect.objectContaining({ path: 'resources.component.properties.configs[1].actions', message: 'more than one configuration for the action UPDATE is not allowed' })]);
  expect(validate(template('[]'))).toEqual([expect.objectContaining({ path: 'resources.component.properties.configs' })]);
  expect(validate(template('[{config: a}]'))).toEqual([expect.objectContaining({ path: 'resources.component.properties.configs[0].tool', message: 'is required' })]);
});

test('the deployment runs the entry whose actions hold its own action, and nothing when none does', () => {
  expect(componentEntry(configs, 'CREATE')).toEqual({ tool: 'script', config: 'echo create' });
  expect(componentEntry(configs, 'SUSPEND')).toEqual({ tool: 'script', config: 'echo update' });
  expect(componentEntry(configs, 'DELETE')).toBeUndefined();
  expect(componentEntry([{ config: 'echo both', tool: 'script' }], 'UPDATE')).toEqual({ tool: 'script', config: 'echo both' });
});

test('the component stores its configs as Heat does, and a deployment with no config for CREATE completes without touching the server', async () => {
  const component = createSoftwareComponent({ stack: 's', stackId: 'id', resource: 'component', type: 'OS::Heat::SoftwareComponent', properties: { configs }, attributes: [] });
  expect(component.attributes).toEqual({ configs, config: { configs } });
  const onlyDelete = [{ actions: ['DELETE'], config: 'echo bye', tool: 'script' }];
  // No engine answers here: a deployment that tried to run anything would fail.
  const ctx = { dockerEndpoint: 'unix:///nonexistent.sock' } as HandlerContext;
  const created = await createDeployment({
    stack: 's', stackId: 'id', resource: 'deployment', type: 'OS::Heat::SoftwareDeployment', attributes: [],
    // The deployment's own actions name CREATE; the component's configs, which do not, decide.
    properties: { config: component.physicalId, server: 'nowhere', actions: ['CREATE'] },
    siblings: { component: { type: 'OS::Heat::SoftwareComponent', physicalId: component.physicalId, attributes: component.attributes, properties: { configs: onlyDelete } } },
  }, ctx);
  expect(created.attributes).toEqual({ deploy_stdout: '', deploy_stderr: '', deploy_status_code: 0 });
});
