/**
 * Types the public templates need that have a local meaning, or are recorded and say what they do not
 * do: their schemas as Heat has them (checked by planning templates) and their handlers, which are pure.
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { ServerSpec } from '../../activities/compute';
import { createAccessKey, createKeyPair, createUser } from '../../src/resources/credentials/handler';
import { createEip, createEipAssociation, createSecurityGroup } from '../../src/resources/networks/handler';
import type { CreateResourceRequest, Sibling } from '../../src/resources/plugin';
import { bootServer } from '../../src/resources/servers/server';
import { siblingLookup } from '../../src/resources/siblings';
import { DEFAULT_CATALOG } from '../../src/runtime/catalog';
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

/** What validating a HOT template gives: each error as `code path: message`. */
const hotErrors = (resources: string) =>
  planStack({ stackName: 'demo', template: parseFile(`heat_template_version: 2016-10-14\nresources:\n${resources}`, 'demo.yaml'), environments: [], mode: 'validate' })
    .errors.map((e) => `${e.code} ${e.path}: ${e.message}`);

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

describe('OS::Nova::KeyPair', () => {
  test('validates with Heat\'s properties; a server names it by get_resource; x509 and a missing name are refused', () => {
    expect(hotErrors(`
  key: {type: OS::Nova::KeyPair, properties: {name: demo-key, save_private_key: true, type: ssh, user: admin}}
  vm: {type: OS::Nova::Server, properties: {image: cirros, flavor: m1.tiny, key_name: {get_resource: key}}}
`)).toEqual([]);
    expect(hotErrors('  key: {type: OS::Nova::KeyPair, properties: {type: x509}}\n')).toEqual([
      expect.stringMatching(/^MissingProperty resources\.key\.properties: .*'name'/),
      'InvalidProperty resources.key.properties.type: x509 key pairs (Windows certificates) are not supported: stoke makes SSH key pairs only',
    ]);
  });

  test('generates an RSA pair: an OpenSSH public key ssh-keygen reads, matching the private key kept when save_private_key is true', () => {
    const made = createKeyPair(request('OS::Nova::KeyPair', 'key', { name: 'demo-key', save_private_key: true }));
    expect(made.physicalId).toBe('demo-key');
    expect(made.refId).toBeUndefined();
    const publicKey = String(made.attributes.public_key);
    expect(publicKey).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/]+=* demo-key$/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keypair-'));
    try {
      fs.writeFileSync(path.join(dir, 'id_rsa'), String(made.attributes.private_key), { mode: 0o600 });
      fs.writeFileSync(path.join(dir, 'id_rsa.pub'), `${publicKey}\n`);
      expect(execFileSync('ssh-keygen', ['-l', '-f', path.join(dir, 'id_rsa.pub')]).toString()).toMatch(/^2048 SHA256:/);
      // ssh-keygen -y derives the public key from the private one: the same key as the attribute's.
      const derived = execFileSync('ssh-keygen', ['-y', '-f', path.join(dir, 'id_rsa')]).toString().trim();
      expect(derived.split(' ').slice(0, 2)).toEqual(publicKey.split(' ').slice(0, 2));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const unsaved = createKeyPair(request('OS::Nova::KeyPair', 'key', { name: 'k2', save_private_key: false }));
    expect(unsaved.attributes.private_key).toBe('');
    expect(unsaved.attributes.public_key).not.toBe(publicKey);
  });

  test('imports a given public key, with no private key; text that is no public key is refused', async () => {
    const pair = crypto.generateKeyPairSync('ed25519');
    const raw = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), raw]);
    const given = `ssh-ed25519 ${blob.toString('base64')} me@laptop`;
    expect(createKeyPair(request('OS::Nova::KeyPair', 'key', { name: 'mine', public_key: given, save_private_key: true })).attributes)
      .toEqual({ public_key: given, private_key: '' });
    const refused = await failureOf(() => createKeyPair(request('OS::Nova::KeyPair', 'key', { name: 'mine', public_key: '-----BEGIN PUBLIC KEY-----' })));
    expect(refused.message).toMatch(/^resources\.key\.properties\.public_key: not an OpenSSH public key/);
  });

  test('a server whose key_name names the stack\'s key pair boots with its public key installed for its user, then its user_data', async () => {
    const booted: ServerSpec[] = [];
    const key = sibling('OS::Nova::KeyPair', 'demo-key', { public_key: 'ssh-rsa AAAAB3Nza demo-key', private_key: '' });
    const boot = (properties: CreateResourceRequest['properties']) => {
      const req = request('OS::Nova::Server', 'vm', { image: 'cirros', flavor: 'm1.tiny', ...properties }, { siblings: { key } });
      return bootServer(req, {
        driver: {
          boot: async (spec) => (booted.push(spec), 'server-1'), waitRunning: async () => undefined, addresses: async () => [],
          delete: async () => undefined, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), exists: async () => true, status: async () => 'running',
        },
        catalog: DEFAULT_CATALOG, lookup: siblingLookup(req), prepareImage: async () => undefined, registryFor: () => undefined,
        networkGateway: async () => '', networkLabel: async (network) => network,
      });
    };
    await boot({ key_name: 'demo-key', admin_user: 'fedora', user_data: '#!/bin/bash\necho hi', user_data_format: 'RAW' });
    await boot({ key_name: 'nova-key-of-no-stack' });
    const [withKey, recordedOnly] = booted.map((spec) => spec.bootScript);
    expect(withKey).toContain("user='fedora'");
    expect(withKey).toContain("key='ssh-rsa AAAAB3Nza demo-key'");
    expect(withKey).toContain(`echo '${Buffer.from('#!/bin/bash\necho hi').toString('base64')}' | base64 -d > /var/lib/cloud/instance/scripts/user-data`);
    expect(withKey!.trimEnd().split('\n').pop()).toBe('exec /var/lib/cloud/instance/scripts/user-data');
    expect(recordedOnly).toBe('');
  });
});

describe('AWS::IAM::User and AccessKey', () => {
  test('validate as the CFN templates name them: a user with policies, a key for it read by Ref and SecretAccessKey', () => {
    expect(cfnErrors(`
  CfnUser: {Type: AWS::IAM::User, Properties: {Policies: [{Ref: WebServerPolicy}], LoginProfile: {Password: secret}, Path: /}}
  WebServerPolicy: {Type: OS::Heat::None}
  CfnKeys:
    Type: AWS::IAM::AccessKey
    Properties: {UserName: {Ref: CfnUser}, Serial: 1, Status: Active}
  vm:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: fedora
      InstanceType: m1.small
      UserData: {'Fn::Join': ['', [{Ref: CfnKeys}, ' ', {'Fn::GetAtt': [CfnKeys, SecretAccessKey]}, ' ', {'Fn::GetAtt': [CfnKeys, UserName]}]]}
`)).toEqual([]);
    expect(cfnErrors('  k: {Type: AWS::IAM::AccessKey, Properties: {Status: Gone}}\n')).toEqual([
      "MissingProperty Resources.k.Properties: AWS::IAM::AccessKey requires the property 'UserName'",
      "InvalidProperty Resources.k.Properties.Status: 'Gone' is not one of Active, Inactive",
    ]);
  });

  test('a user is recorded under its stack\'s name; its key gets a fresh id (Ref) and secret, and must name a user of the stack', async () => {
    const user = createUser(request('AWS::IAM::User', 'CfnUser', { Policies: ['p'] }));
    expect(user.physicalId).toBe('demo-CfnUser');
    const users = { CfnUser: sibling('AWS::IAM::User', user.physicalId, {}) };
    const key = createAccessKey(request('AWS::IAM::AccessKey', 'CfnKeys', { UserName: 'demo-CfnUser' }, { siblings: users }));
    const again = createAccessKey(request('AWS::IAM::AccessKey', 'CfnKeys', { UserName: 'demo-CfnUser' }, { siblings: users }));
    expect(key.physicalId).toMatch(/^[0-9a-f]{32}$/);
    expect(key.attributes).toEqual({ UserName: 'demo-CfnUser', SecretAccessKey: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect([again.physicalId, again.attributes.SecretAccessKey]).not.toContain(key.attributes.SecretAccessKey);
    expect(again.physicalId).not.toBe(key.physicalId);
    const stranger = await failureOf(() => createAccessKey(request('AWS::IAM::AccessKey', 'CfnKeys', { UserName: 'admin' }, { siblings: users })));
    expect(stranger.message).toBe("resources.CfnKeys.properties.UserName: 'admin' is not an AWS::IAM::User of this stack");
  });
});

describe('types with no local meaning', () => {
  test('alarms are refused as unsupported, saying why, not as unknown types', () => {
    expect(hotErrors(`
  aodh: {type: OS::Aodh::GnocchiAggregationByResourcesAlarm, properties: {metric: cpu_util, threshold: 50}}
  ceilometer: {type: OS::Ceilometer::Alarm, properties: {meter_name: cpu_util}}
  cloudwatch: {type: AWS::CloudWatch::Alarm, properties: {MetricName: CPUUtilization}}
  typo: {type: OS::Aodh::Alarmm}
  other: {type: OS::Trove::Instance}
`)).toEqual([
      "UnsupportedResourceType resources.aodh.type: unsupported: 'OS::Aodh::GnocchiAggregationByResourcesAlarm' has no local meaning (alarms watch metrics a telemetry service (Ceilometer, Aodh, CloudWatch) gathers, and stoke has none to gather or evaluate them)",
      expect.stringMatching(/^UnsupportedResourceType resources\.ceilometer\.type: unsupported: 'OS::Ceilometer::Alarm' has no local meaning \(/),
      expect.stringMatching(/^UnsupportedResourceType resources\.cloudwatch\.type: unsupported: 'AWS::CloudWatch::Alarm' has no local meaning \(/),
      expect.stringMatching(/^UnsupportedResourceType resources\.typo\.type: /),
      expect.stringMatching(/^UnknownResourceType resources\.other\.type: unknown resource type 'OS::Trove::Instance'/),
    ]);
  });
});

describe('recorded-only types (Heat\'s schemas as data, one handler)', () => {
  test('validate with Heat\'s properties and refuse what Heat refuses', () => {
    expect(hotErrors(`
  role: {type: OS::Keystone::Role, properties: {name: admin}}
  user: {type: OS::Keystone::User, properties: {name: u, password: secret, roles: [{role: {get_resource: role}, project: demo}]}}
  lb: {type: OS::Octavia::LoadBalancer, properties: {vip_subnet: private}}
  secret: {type: OS::Barbican::Secret, properties: {payload: hush, secret_type: opaque}}
  vpn: {type: OS::Neutron::VPNService, properties: {router_id: r1, subnet_id: s1}}
`)).toEqual([]);
    expect(hotErrors('  m: {type: OS::Octavia::HealthMonitor, properties: {delay: 3, max_retries: 9, timeout: 3, type: PING, pool: p, max_retries_down: 3}}\n'))
      .toEqual([expect.stringMatching(/^UnknownProperty resources\.m\.properties\.max_retries_down: /)]);
    expect(hotErrors('  s: {type: OS::Barbican::Secret, properties: {secret_type: plain}}\n')).toEqual([expect.stringMatching(/^InvalidProperty resources\.s\.properties\.secret_type: /)]);
    expect(hotErrors('  vpn: {type: OS::Neutron::VPNService, properties: {subnet: s1}}\n'))
      .toEqual(["InvalidProperty resources.vpn.properties.router: OS::Neutron::VPNService requires the property 'router' (or its deprecated name 'router_id')"]);
  });

  test('keep their properties, give attributes from them, and show no secret', async () => {
    const { createRecorded, updateRecorded } = await import('../../src/resources/recorded/handler');
    const { barbicanSecret } = await import('../../src/resources/recorded/barbican');
    const { keystoneUser } = await import('../../src/resources/recorded/keystone');
    const { neutronVpnService } = await import('../../src/resources/recorded/infrastructure');
    const { recorded } = await import('../../src/resources/recorded/type');
    const spec = { name: 'X::Y', description: 'recorded only', properties: {}, attributes: { name: { description: 'n' }, status: { description: 's' } }, secrets: ['password'] };
    const made = createRecorded(request('X::Y', 'x', { name: 'n1', password: 'pw' }), spec);
    expect(made.physicalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.attributes).toEqual({ name: 'n1', status: null, show: { name: 'n1', id: made.physicalId, not_done: 'recorded only' } });
    expect(JSON.stringify(made.attributes)).not.toContain('pw');
    const updated = await updateRecorded({ ...request('X::Y', 'x', { name: 'n2' }), physicalId: made.physicalId, previous: { name: 'n1' } }, spec);
    expect(updated).toMatchObject({ physicalId: made.physicalId, attributes: { name: 'n2' } });
    expect(recorded(spec).runs).toEqual({ where: 'local', copies: true });
    const secret = await barbicanSecret.handler!.create(request('OS::Barbican::Secret', 's', { payload: 'hush', name: 'k' }), {} as never);
    expect(secret.attributes).toMatchObject({ status: 'ACTIVE', decrypted_payload: 'hush' });
    expect(JSON.stringify(secret.attributes.show)).not.toContain('hush');
    const user = await keystoneUser.handler!.create(request('OS::Keystone::User', 'u', { password: 'pw', domain: 'd1' }), {} as never);
    expect(user.attributes).toMatchObject({ name: 'demo-u', domain_id: 'd1' });
    expect(JSON.stringify(user.attributes)).not.toContain('pw');
    const vpn = await neutronVpnService.handler!.create(request('OS::Neutron::VPNService', 'v', { router_id: 'r1', subnet_id: 's1' }), {} as never);
    expect(vpn.attributes).toMatchObject({ router_id: null, status: 'ACTIVE', show: { router: 'r1', subnet: 's1' } });
  });

  test('types Heat removed are placeholders taking any property, as in Heat', () => {
    expect(cfnErrors('  hm: {Type: OS::Neutron::HealthMonitor, Properties: {type: HTTP, delay: 3, anything: [1]}}\n')).toEqual([]);
    expect(hotErrors('  d: {type: OS::Designate::Domain, properties: {name: example.org., email: a@example.org}}\n')).toEqual([]);
  });

  test('types with no local meaning are refused with the reason', () => {
    expect(hotErrors('  wf: {type: OS::Mistral::Workflow, properties: {type: direct, tasks: []}}\n'))
      .toEqual([expect.stringMatching(/^UnsupportedResourceType resources\.wf\.type: unsupported: 'OS::Mistral::Workflow' has no local meaning \(Mistral workflows/)]);
  });
});

describe('OS::Heat::InstanceGroup', () => {
  test('makes Size instances from its launch configuration, with InstanceList when read', async () => {
    const { instanceGroup } = await import('../../src/resources/stacks/scaling');
    const launch = { type: 'AWS::AutoScaling::LaunchConfiguration', physicalId: 'demo-lc', attributes: {}, properties: { ImageId: 'fedora', InstanceType: 'm1.small', KernelId: 'k' } };
    const child = instanceGroup.nested!.child({ stack: 'demo', resource: 'group', properties: { LaunchConfigurationName: 'demo-lc', Size: 2, AvailabilityZones: [] }, attributes: ['InstanceList'], siblings: { lc: launch } });
    const resources = (child.template as { resources: Record<string, { type: string; properties: object }> }).resources;
    expect(Object.values(resources)).toEqual([
      { type: 'AWS::EC2::Instance', properties: { ImageId: 'fedora', InstanceType: 'm1.small' } },
      { type: 'AWS::EC2::Instance', properties: { ImageId: 'fedora', InstanceType: 'm1.small' } },
    ]);
    expect(child.attributes).toMatchObject({ InstanceList: 'InstanceList', current_size: 'current_size' });
    expect(cfnErrors('  g: {Type: OS::Heat::InstanceGroup, Properties: {LaunchConfigurationName: lc, AvailabilityZones: []}}\n'))
      .toEqual([expect.stringMatching(/^MissingProperty Resources\.g\.Properties: .*'Size'/)]);
  });
});

describe('gaps of the corpus Heat accepts', () => {
  test('an AWS::EC2::Instance mounts the volumes of its Volumes property, and they must be volumes of the stack', () => {
    const template = (volume: string) => parseFile(`HeatTemplateFormatVersion: '2012-12-12'
Resources:
  vol: {Type: AWS::EC2::Volume, Properties: {Size: 1, AvailabilityZone: nova}}
  web: {Type: AWS::EC2::Instance, Properties: {ImageId: fedora, InstanceType: m1.small, Volumes: [{VolumeId: ${volume}, Device: /dev/vdc}]}}
`, 'demo.yaml');
    const plan = planStack({ stackName: 'demo', template: template('{Ref: vol}'), environments: [], mode: 'create' });
    expect(plan.errors).toEqual([]);
    expect(plan.plan!.resources.web!.mounts).toEqual([{ attachment: 'web', volume: 'vol', mountpoint: '/dev/vdc' }]);
    expect(plan.plan!.resources.web!.requires).toContain('vol');
    expect(planStack({ stackName: 'demo', template: template('vol-1234'), environments: [], mode: 'create' }).errors.map((e) => e.path))
      .toEqual(['Resources.web.Properties.Volumes[0].VolumeId']);
  });

  test('a server takes admin_pass (recorded), a port gives device_owner', () => {
    expect(hotErrors(`
  port: {type: OS::Neutron::Port, properties: {network: private, device_owner: compute:nova}}
  server: {type: OS::Nova::Server, properties: {image: fedora, flavor: m1.small, admin_pass: secret}}
`)).toEqual([]);
  });

  test('an output referring to no resource has no value and an error, as in Heat; the template still validates', () => {
    const result = planStack({
      stackName: 'demo', environments: [], mode: 'create',
      template: parseFile("HeatTemplateFormatVersion: '2012-12-12'\nOutputs:\n  ip: {Value: {Ref: IPAddress}}\n  name: {Value: {Ref: 'AWS::StackName'}}\n", 'demo.yaml'),
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => `${w.code} ${w.path}`)).toEqual(['OutputError Outputs.ip.Value.Ref']);
    expect(result.plan!.outputs.ip).toEqual({ value: null, error: "Ref: 'IPAddress' is neither a parameter nor a resource" });
    expect(cfnErrors("  a: {Type: OS::Heat::None, Properties: {x: {Ref: IPAddress}}}\n")).toEqual([expect.stringMatching(/^InvalidFunction .*'IPAddress' is neither/)]);
  });
});
