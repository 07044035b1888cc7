/**
 * Types the public templates need that have a local meaning, or are recorded and say what they do not
 * do: their schemas as Heat has them (checked by planning templates) and their handlers, which are pure.
 */
import { createSecurityGroup } from '../../src/resources/networks/handler';
import type { CreateResourceRequest } from '../../src/resources/plugin';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';

const request = (type: string, resource: string, properties: CreateResourceRequest['properties'], more: Partial<CreateResourceRequest> = {}): CreateResourceRequest =>
  ({ stack: 'demo', stackId: 'demo-id', resource, type, properties, attributes: [], ...more });

/** What validating a CFN template (YAML) gives: each error as `code path: message`. */
const cfnErrors = (resources: string) =>
  planStack({ stackName: 'demo', template: parseFile(`HeatTemplateFormatVersion: '2012-12-12'\nResources:\n${resources}`, 'demo.yaml'), environments: [], mode: 'validate' })
    .errors.map((e) => `${e.code} ${e.path}: ${e.message}`);

describe('AWS::EC2::SecurityGroup', () => {
  test('takes Heat\'s properties and rule keys, ports as numbers or text, and an instance names it', () => {
    expect(cfnErrors(`
  sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: vpc-1
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 80, ToPort: '80', CidrIp: 0.0.0.0/0}, {IpProtocol: icmp, SourceSecurityGroupName: other}]
      SecurityGroupEgress: [{IpProtocol: '-1', CidrIp: 10.0.0.0/8}]
  vm:
    Type: AWS::EC2::Instance
    Properties: {ImageId: fedora, InstanceType: m1.small, SecurityGroups: [{Ref: sg}]}
`)).toEqual([]);
  });

  test('refuses a group without GroupDescription and a rule with a key Heat does not know', () => {
    expect(cfnErrors(`
  sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress: [{IpProtocol: tcp, Port: 80}]
`)).toEqual([
      expect.stringMatching(/^MissingProperty Resources\.sg\.Properties: .*GroupDescription/),
      expect.stringMatching(/^InvalidProperty Resources\.sg\.Properties\.SecurityGroupIngress\[0\]\.Port: unknown key 'Port'/),
    ]);
  });

  test('records its rules as given and says they are not enforced', () => {
    const rules = [{ IpProtocol: 'tcp', FromPort: '22', ToPort: '22', CidrIp: '0.0.0.0/0' }];
    const made = createSecurityGroup(request('AWS::EC2::SecurityGroup', 'sg', { GroupDescription: 'ssh', SecurityGroupIngress: rules }));
    expect(made.physicalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.attributes.show).toMatchObject({ GroupDescription: 'ssh', SecurityGroupIngress: rules, not_enforced: expect.stringMatching(/NOT enforced/) });
  });
});
