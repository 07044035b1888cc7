/** OS::Heat::SoftwareDeploymentGroup's child stack: a deployment per server, named by the servers map, with the config copied in. */
import type { NestedChildRequest, Sibling } from '../../src/resources/plugin';
import { resourceType } from '../../src/resources/registry';
import { softwareDeploymentGroup } from '../../src/resources/stacks/software-deployment-group';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { JsonObject } from '../../src/template/types';

const config: Sibling = {
  type: 'OS::Heat::SoftwareConfig', physicalId: 'cfg-1', attributes: { config: 'echo hi' },
  properties: { group: 'script', config: 'echo hi', inputs: [{ name: 'foo' }], outputs: [{ name: 'result' }], options: {} },
};

const childOf = (properties: JsonObject, extra: Partial<NestedChildRequest> = {}) => softwareDeploymentGroup.nested!.child({
  stack: 'demo', resource: 'deps', attributes: [], siblings: { config },
  properties: { config: 'cfg-1', servers: { web: 'srv-a', db: 'srv-b' }, input_values: { foo: 1 }, actions: ['CREATE', 'UPDATE'], signal_transport: 'NO_SIGNAL', ...properties },
  ...extra,
});

test('each entry of servers is a deployment of that name on that server, all naming a copy of the group\'s config', () => {
  const template = childOf({}).template as JsonObject;
  expect(template.resources).toEqual({
    config: { type: 'OS::Heat::SoftwareConfig', properties: config.properties },
    web: { type: 'OS::Heat::SoftwareDeployment', properties: { config: { get_resource: 'config' }, server: 'srv-a', input_values: { foo: 1 }, actions: ['CREATE', 'UPDATE'], signal_transport: 'NO_SIGNAL' } },
    db: { type: 'OS::Heat::SoftwareDeployment', properties: { config: { get_resource: 'config' }, server: 'srv-b', input_values: { foo: 1 }, actions: ['CREATE', 'UPDATE'], signal_transport: 'NO_SIGNAL' } },
  });
});

test('the config\'s copy takes a name no member has', () => {
  const template = childOf({ servers: { config: 'srv-a', _config: 'srv-b' } }).template as JsonObject;
  expect(Object.keys(template.resources as JsonObject).sort()).toEqual(['__config', '_config', 'config']);
  expect(((template.resources as JsonObject).config as JsonObject).properties).toMatchObject({ config: { get_resource: '__config' }, server: 'srv-a' });
});

test('the group\'s attributes map each server\'s name to its deployment\'s attribute: deploy_stdouts to deploy_stdout, any other by its own name', () => {
  const child = childOf({}, { attributes: ['deploy_stdouts', 'deploy_status_codes', 'result'] });
  expect((child.template as JsonObject).outputs).toEqual({
    deploy_stdouts: { value: { web: { get_attr: ['web', 'deploy_stdout'] }, db: { get_attr: ['db', 'deploy_stdout'] } } },
    deploy_status_codes: { value: { web: { get_attr: ['web', 'deploy_status_code'] }, db: { get_attr: ['db', 'deploy_status_code'] } } },
    result: { value: { web: { get_attr: ['web', 'result'] }, db: { get_attr: ['db', 'result'] } } },
  });
  expect(child.attributes).toEqual({ deploy_stdouts: 'deploy_stdouts', deploy_status_codes: 'deploy_status_codes', result: 'result' });
});

test('the child plans cleanly, each deployment requiring the config\'s copy', () => {
  const child = childOf({}, { attributes: ['deploy_stderrs'] });
  const result = planStack({ stackName: 'demo-deps', template: parseFile(JSON.stringify(child.template), 'deps.yaml'), mode: 'create' });
  expect(result.errors).toEqual([]);
  expect(result.plan!.resources.web!.requires).toEqual(['config']);
  expect(result.plan!.resources.db!.requires).toEqual(['config']);
});

test('a template using the group validates; the type is a stack with its config among its siblings, with Heat\'s schema', () => {
  const errors = planStack({ stackName: 'demo', mode: 'validate', template: parseFile(`
heat_template_version: 2015-10-15
resources:
  config: {type: OS::Heat::SoftwareConfig, properties: {config: 'echo hi', outputs: [{name: result}]}}
  a: {type: OS::Nova::Server, properties: {image: busybox, flavor: m1.tiny}}
  deps:
    type: OS::Heat::SoftwareDeploymentGroup
    properties: {config: {get_resource: config}, servers: {first: {get_resource: a}}, signal_transport: NO_SIGNAL}
outputs:
  stdouts: {value: {get_attr: [deps, deploy_stdouts, first]}}
  result: {value: {get_attr: [deps, result]}}
`, 'group.yaml') }).errors;
  expect(errors).toEqual([]);
  expect(resourceType('OS::Heat::SoftwareDeploymentGroup')).toMatchObject({ runs: { where: 'stack', needs: ['siblings'] }, dynamicAttributes: true });
  expect(Object.keys(softwareDeploymentGroup.properties).sort()).toEqual(['actions', 'config', 'input_values', 'name', 'servers', 'signal_transport']);
  expect(Object.keys(softwareDeploymentGroup.attributes).sort()).toEqual(['deploy_status_codes', 'deploy_stderrs', 'deploy_stdouts']);
});
