/**
 * Heat's external_id in the plan: a resource that takes over an object made outside the stack, allowed from
 * HOT 2016-10-14 for types that can adopt, never deleted with the stack (Retain), built from no properties.
 */
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';

const planOf = (text: string, parameters: Record<string, string> = {}) => planStack({ stackName: 'demo', template: parseFile(text, 'demo.yaml'), parameters });
const messages = (text: string) => planOf(text).errors.map((e) => `${e.code} ${e.path}: ${e.message}`);

const SERVER = `heat_template_version: 2016-10-14
parameters:
  server_id: {type: string, default: 0123abcd}
resources:
  server:
    type: OS::Nova::Server
    external_id: {get_param: server_id}
outputs:
  address: {value: {get_attr: [server, networks, private, 0]}}
`;

test('a server with external_id needs none of its required properties, carries the id resolved and is retained', () => {
  const { plan, errors } = planOf(SERVER, { server_id: 'c0ffee' });
  expect(errors).toEqual([]);
  expect(plan!.resources.server).toMatchObject({ type: 'OS::Nova::Server', externalId: 'c0ffee', deletionPolicy: 'Retain', requires: [] });
  expect(plan!.resources.server!.attributes).toContain('networks');
});

test('deletion_policy Delete does not make an external resource deleted', () => {
  const { plan, errors } = planOf(SERVER.replace('    external_id:', '    deletion_policy: Delete\n    external_id:'));
  expect(errors).toEqual([]);
  expect(plan!.resources.server!.deletionPolicy).toBe('Retain');
});

test('a resource without external_id has none in its plan', () => {
  const { plan, errors } = planOf('heat_template_version: 2016-10-14\nresources:\n  server: {type: OS::Nova::Server, properties: {image: busybox, flavor: m1.tiny}}\n');
  expect(errors).toEqual([]);
  expect(plan!.resources.server).not.toHaveProperty('externalId');
  expect(plan!.resources.server!.deletionPolicy).toBe('Delete');
});

test('external_id needs HOT 2016-10-14 (newton), as condition does, and is no CFN key', () => {
  // Before it, the key is unknown, and the server one to be made.
  expect(messages(SERVER.replace('2016-10-14', '2016-04-08'))).toEqual([
    "MissingProperty resources.server.properties: OS::Nova::Server requires the property 'image'",
    "MissingProperty resources.server.properties: OS::Nova::Server requires the property 'flavor'",
    expect.stringMatching(/^UnknownKey resources\.server\.external_id: unknown resource key 'external_id' \(allowed: type, properties, depends_on, deletion_policy, metadata, update_policy, description\)$/),
  ]);
  expect(planOf(SERVER.replace('2016-10-14', 'newton')).errors).toEqual([]);
  const cfn = 'AWSTemplateFormatVersion: 2010-09-09\nResources:\n  r: {Type: AWS::EC2::Instance, external_id: abc}\n';
  expect(messages(cfn)).toContainEqual(expect.stringMatching(/^UnknownKey Resources\.r\.external_id: unknown resource key 'external_id'/));
  expect(planOf(cfn).plan).toBeUndefined();
});

test('an external_id that is no string, is empty, or is another resource\'s value is refused at its path', () => {
  const with_ = (value: string) => messages(`heat_template_version: 2016-10-14
resources:
  other: {type: OS::Heat::None}
  server: {type: OS::Nova::Server, external_id: ${value}}
`);
  expect(with_('[a, b]')).toEqual(["InvalidExternalId resources.server.external_id: external_id must be the id of an existing object, got a list"]);
  expect(with_("''")).toEqual(["InvalidExternalId resources.server.external_id: external_id must be the id of an existing object, got string ''"]);
  expect(with_('{get_resource: other}')).toEqual([
    'InvalidExternalId resources.server.external_id: external_id must be known when the stack is planned (a string or a parameter), not a value of another resource',
  ]);
});

test('a type that cannot take over an existing object refuses external_id at plan time, naming the types that can', () => {
  const errors = messages('heat_template_version: 2016-10-14\nresources:\n  net: {type: OS::Neutron::Net, external_id: abc}\n');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^ExternalIdUnsupported resources\.net\.external_id: OS::Neutron::Net cannot take over an existing object, so it takes no external_id \(types that can: .*OS::Nova::Server/);
  expect(errors[0]).toContain('DockerInc::Docker::Container');
});

test('an external resource depends on nothing by depends_on, as in Heat', () => {
  expect(messages(`heat_template_version: 2016-10-14
resources:
  other: {type: OS::Heat::None}
  server: {type: OS::Nova::Server, external_id: abc, depends_on: other}
`)).toEqual(['InvalidExternalDependency resources.server.depends_on: a resource with external_id cannot depend on other resources: it is not made, only taken over']);
});

test('the properties an external resource gives are still checked against its schema', () => {
  expect(messages('heat_template_version: 2016-10-14\nresources:\n  server: {type: OS::Nova::Server, external_id: abc, properties: {imag: x}}\n'))
    .toEqual([expect.stringMatching(/^UnknownProperty resources\.server\.properties\.imag: OS::Nova::Server has no property 'imag'/)]);
});
