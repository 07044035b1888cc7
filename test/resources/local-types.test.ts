/**
 * Types the public templates need that have a local meaning, or are recorded and say what they do not
 * do: their schemas as Heat has them (checked by planning templates) and their handlers, which are pure.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createEip, createEipAssociation, createSecurityGroup } from '../../src/resources/networks/handler';
import type { CreateResourceRequest, Sibling } from '../../src/resources/plugin';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';

const request = (type: string, resource: string, properties: CreateResourceRequest['properties'], more: Partial<CreateResourceRequest> = {}): CreateResourceRequest =>
  ({ stack: 'demo', stackId: 'demo-id', resource, type, properties, attributes: [], ...more });

const sibling = (type: string, physicalId: string, attributes: Sibling['attributes']): Sibling => ({ type, physicalId, attributes, properties: {} });

async function failureOf(work: () => unknown): Promise<ApplicationFailure> {
  try {
    await work();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

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

describe('AWS::EC2::EIP and EIPAssociation', () => {
  const web = sibling('AWS::EC2::Instance', 'c0ffee', { PublicIp: '172.17.0.9', PrivateIp: '172.17.0.9' });

  test('validate as the CFN templates use them: an EIP alone, associated by its Ref; AllocationId readable', () => {
    expect(cfnErrors(`
  web: {Type: AWS::EC2::Instance, Properties: {ImageId: fedora, InstanceType: m1.small}}
  ip: {Type: AWS::EC2::EIP, Properties: {Domain: vpc}}
  own: {Type: AWS::EC2::EIP, Properties: {InstanceId: {Ref: web}}}
  assoc: {Type: AWS::EC2::EIPAssociation, Properties: {InstanceId: {Ref: web}, EIP: {Ref: ip}, AllocationId: {'Fn::GetAtt': [own, AllocationId]}}}
`)).toEqual([]);
    expect(cfnErrors('  ip: {Type: AWS::EC2::EIP, Properties: {Domain: standard}}\n')).toEqual([expect.stringMatching(/^InvalidProperty Resources\.ip\.Properties\.Domain: .*vpc/)]);
  });

  test('an EIP with an instance is that instance\'s address (its Ref); without one it has none', () => {
    const own = createEip(request('AWS::EC2::EIP', 'ip', { InstanceId: 'c0ffee' }, { siblings: { web } }));
    expect(own.refId).toBe('172.17.0.9');
    expect(own.attributes.AllocationId).toBe(own.physicalId);
    const alone = createEip(request('AWS::EC2::EIP', 'ip', {}, { siblings: {} }));
    expect(alone.refId).toBe('');
  });

  test('an association checks its instance is a server of the stack and refuses an address that is not the instance\'s', async () => {
    expect(createEipAssociation(request('AWS::EC2::EIPAssociation', 'a', { InstanceId: 'c0ffee', EIP: '' }, { siblings: { web } })).attributes.show)
      .toMatchObject({ InstanceId: 'c0ffee', not_enforced: expect.stringMatching(/recorded only/) });
    const stranger = await failureOf(() => createEipAssociation(request('AWS::EC2::EIPAssociation', 'a', { InstanceId: 'nope' }, { siblings: { web } })));
    expect(stranger.message).toBe("resources.a.properties.InstanceId: 'nope' is not a server of this stack");
    const nat = await failureOf(() => createEipAssociation(request('AWS::EC2::EIPAssociation', 'a', { InstanceId: 'c0ffee', EIP: '203.0.113.5' }, { siblings: { web } })));
    expect(nat.message).toMatch(/^resources\.a\.properties\.EIP: the docker driver has no NAT/);
  });
});
