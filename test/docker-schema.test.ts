/** The container type's schema against Heat's plugin, the 2013 alias, and validation of nested properties. */
import { RESOURCE_TYPES, unalias } from '../src/resources';
import { parseFile } from '../src/template/parse';
import { planStack } from '../src/template/plan';

const container = RESOURCE_TYPES['DockerInc::Docker::Container']!;
const legacy = RESOURCE_TYPES['OS::Heat::Docker']!;

const plan = (properties: string, type = 'DockerInc::Docker::Container') => planStack({
  stackName: 'demo',
  template: parseFile(`heat_template_version: 2015-04-30\nresources:\n  c:\n    type: ${type}\n    properties:\n${properties}`, 'demo.yaml'),
});
const errors = (properties: string) => plan(properties).errors.map((e) => `${e.path}: ${e.message}`);

test('every property of Heat\'s last plugin, with its type and default', () => {
  const shape = Object.fromEntries(Object.entries(container.properties).map(([name, p]) => [name, [p.type, p.default]]));
  expect(shape).toEqual({
    docker_endpoint: ['string', undefined], hostname: ['string', ''], user: ['string', ''], memory: ['integer', undefined],
    port_specs: ['list', undefined], port_bindings: ['map', undefined], links: ['map', undefined], name: ['string', undefined],
    privileged: ['boolean', false], tty: ['boolean', false], open_stdin: ['boolean', false], stdin_once: ['boolean', false],
    env: ['list', undefined], cmd: ['list', []], dns: ['list', undefined], image: ['string', undefined],
    volumes: ['map', {}], volumes_from: ['list', ''], restart_policy: ['map', {}], cap_add: ['list', []], cap_drop: ['list', []],
    read_only: ['boolean', false], cpu_shares: ['integer', 0], devices: ['list', []], cpu_set: ['string', undefined],
  });
  expect(Object.keys(container.attributes)).toEqual([
    'info', 'network_info', 'network_ip', 'network_gateway', 'network_tcp_ports', 'network_udp_ports', 'logs', 'logs_head', 'logs_tail', 'show',
  ]);
});

test('the 2013 alias OS::Heat::Docker has the CFN-style names and maps them onto the current type', () => {
  expect(Object.keys(legacy.properties).sort()).toEqual([
    'AttachStderr', 'AttachStdin', 'AttachStdout', 'Cmd', 'Dns', 'DockerEndpoint', 'Env', 'Hostname', 'Image', 'Memory',
    'OpenStdin', 'PortSpecs', 'Privileged', 'StdinOnce', 'Tty', 'User', 'Volumes', 'VolumesFrom',
  ]);
  expect(legacy.properties.Memory!.default).toBe(0);
  expect(legacy.properties.VolumesFrom!.type).toBe('string');
  expect(legacy.properties.Image).toEqual(container.properties.image);
  expect(Object.keys(legacy.attributes)).toEqual(['Info', 'NetworkInfo', 'NetworkIp', 'NetworkTcpPorts', 'NetworkUdpPorts', 'Logs', 'LogsHead', 'LogsTail', 'show']);
  const mapped = unalias('OS::Heat::Docker', { Image: 'busybox', Env: ['A=1'], AttachStdin: true }, ['NetworkIp', 'LogsHead'])!;
  expect(mapped.type).toBe('DockerInc::Docker::Container');
  expect(mapped.properties).toEqual({ image: 'busybox', env: ['A=1'], attach_stdin: true });
  expect(mapped.attributes).toEqual(['network_ip', 'logs_head']);
  expect(mapped.renameBack({ network_ip: '172.17.0.2', logs_head: 'hi' })).toEqual({ NetworkIp: '172.17.0.2', LogsHead: 'hi' });
  expect(unalias('DockerInc::Docker::Container', {}, [])).toBeUndefined();
});

test('a CFN template with the 2013 names plans, its defaults filled in', () => {
  const result = planStack({
    stackName: 'demo',
    template: parseFile(`HeatTemplateFormatVersion: '2012-12-12'
Resources:
  Database:
    Type: OS::Heat::Docker
    Properties: {Image: busybox}
  Blog:
    Type: OS::Heat::Docker
    Properties:
      Image: busybox
      Env: [{"Fn::Join": ["=", ["DB_HOSTNAME", {"Fn::GetAtt": ["Database", "NetworkIp"]}]]}]
Outputs:
  Head: {Value: {"Fn::GetAtt": ["Database", "LogsHead"]}}
`, 'legacy.yaml'),
  });
  expect(result.errors).toEqual([]);
  expect(result.plan!.resources.Database!.properties).toMatchObject({ Image: 'busybox', Memory: 0, Tty: false, AttachStdout: true, Cmd: [] });
  expect(result.plan!.resources.Database!.attributes).toEqual(['LogsHead', 'NetworkIp']);
});

test('nested properties: restart_policy and devices get their defaults; booleans take Heat\'s spellings', () => {
  const result = plan(`      image: busybox
      restart_policy: {Name: on-failure}
      devices: [{path_on_host: /dev/null}]
      tty: "True"
      read_only: "yes"
`);
  expect(result.errors).toEqual([]);
  expect(result.plan!.resources.c!.properties).toMatchObject({
    restart_policy: { Name: 'on-failure', MaximumRetryCount: 0 },
    devices: [{ path_on_host: '/dev/null', permissions: 'rwm' }],
    tty: true,
    read_only: true,
  });
});

test('nested properties are checked with the path of the bad value', () => {
  expect(errors(`      image: busybox
      restart_policy: {Name: sometimes, MaximumRetryCount: 2}
      cap_add: [NET_ADMIN, FLY]
      devices: [{path_on_host: /etc/passwd}, {path_in_container: /dev/x}]
      memory: lots
`)).toEqual([
    "resources.c.properties.restart_policy.Name: 'sometimes' is not one of no, on-failure, always",
    expect.stringMatching(/^resources\.c\.properties\.cap_add\[1\]: 'FLY' is not one of SETPCAP, /),
    "resources.c.properties.devices[0].path_on_host: '/etc/passwd' does not match the pattern ^/dev/[/_\\-a-zA-Z0-9]+$",
    "resources.c.properties.memory: expected an integer, got string 'lots'",
  ]);
});
