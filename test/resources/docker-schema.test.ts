/** The container type's schema against Heat's plugin, the 2013 alias, and validation of nested properties. */
import { RESOURCE_TYPES, unalias } from '../../src/resources/registry';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';

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
    healthcheck: ['map', undefined],
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

describe('what Docker would refuse at create is an error at validation, with file, line, column and path', () => {
  const located = (text: string, parameters?: Record<string, string>, mode: 'create' | 'validate' = 'create') => planStack({
    stackName: 'demo', mode, parameters,
    template: parseFile(`heat_template_version: 2015-04-30\n${text}`, 'demo.yaml'),
  }).errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.path}: ${e.message}`);
  const PORT = 'is not a port Docker accepts (a number from 1 to 65535, optionally /tcp, /udp or /sctp)';
  const HOST = 'is not one Docker accepts (a number from 1 to 65535 or a range of them, or empty for any free port)';

  test('port_specs outside 1-65535 or not numeric', () => {
    expect(located(`resources:
  c:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      port_specs: [80, 53/udp, 0, 65536, http, 80/icmp, "8080"]
`)).toEqual([
      `demo.yaml:7:32: resources.c.properties.port_specs[2]: '0' ${PORT}`,
      `demo.yaml:7:35: resources.c.properties.port_specs[3]: '65536' ${PORT}`,
      `demo.yaml:7:42: resources.c.properties.port_specs[4]: 'http' ${PORT}`,
      `demo.yaml:7:48: resources.c.properties.port_specs[5]: '80/icmp' ${PORT}`,
    ]);
  });

  test('port_bindings keys and host ports in both of Heat\'s forms', () => {
    expect(located(`resources:
  c:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      port_bindings:
        80/tcp: [{HostPort: "8080"}, {HostPort: "70000"}, {HostIp: 127.0.0.1}]
        443: 0
        53/udp: [127.0.0.1, web]
        22: null
        8000-8001: "9000-9001"
        2222: "3000-2999"
        70000/tcp: 80
`)).toEqual([
      `demo.yaml:8:38: resources.c.properties.port_bindings.80/tcp[1]: host port '70000' ${HOST}`,
      `demo.yaml:9:9: resources.c.properties.port_bindings.443: host port '0' ${HOST}`,
      `demo.yaml:10:9: resources.c.properties.port_bindings.53/udp: host port 'web' ${HOST}`,
      `demo.yaml:12:9: resources.c.properties.port_bindings.8000-8001: '8000-8001' ${PORT}`,
      `demo.yaml:13:9: resources.c.properties.port_bindings.2222: host port '3000-2999' ${HOST}`,
      `demo.yaml:14:9: resources.c.properties.port_bindings.70000/tcp: '70000/tcp' ${PORT}`,
    ]);
  });

  test('container names Docker rejects; the 2013 type\'s PortSpecs', () => {
    const named = (name: string) => located(`resources:\n  c:\n    type: DockerInc::Docker::Container\n    properties: {image: busybox, name: ${name}}\n`);
    for (const good of ['web', '/web', 'web-1.a_b', "''"]) expect(named(good)).toEqual([]);
    for (const bad of ['w', '-web', '"web server"', 'web/1', '_web', 'wéb']) {
      expect(named(bad)).toEqual([expect.stringMatching(/^demo\.yaml:5:\d+: resources\.c\.properties\.name: '.*' is not a container name Docker accepts \(a letter or digit, then one or more letters, digits, '_', '\.' or '-'\)$/)]);
    }
    expect(located('resources:\n  c:\n    type: OS::Heat::Docker\n    properties: {Image: busybox, PortSpecs: [99999]}\n'))
      .toEqual([`demo.yaml:5:46: resources.c.properties.PortSpecs[0]: '99999' ${PORT}`]);
  });

  test('values from parameters are checked once given; values from resources wait for create', () => {
    const text = `parameters:
  port: {type: number}
  name: {type: string}
resources:
  other: {type: OS::Heat::RandomString}
  c:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      name: {get_param: name}
      port_specs: [{get_param: port}, {get_attr: [other, value]}]
      port_bindings: {80: {get_param: port}, 81: {get_attr: [other, value]}}
`;
    expect(located(text, undefined, 'validate')).toEqual([]);
    expect(located(text, { port: '8080', name: 'web' })).toEqual([]);
    expect(located(text, { port: '0', name: '-x' })).toEqual([
      "demo.yaml:11:7: resources.c.properties.name: '-x' is not a container name Docker accepts (a letter or digit, then one or more letters, digits, '_', '.' or '-')",
      `demo.yaml:12:20: resources.c.properties.port_specs[0]: '0' ${PORT}`,
      `demo.yaml:13:23: resources.c.properties.port_bindings.80: host port '0' ${HOST}`,
    ]);
  });

  test('healthcheck: Compose\'s test forms and durations; a bad one is reported with its path', () => {
    const checked = (healthcheck: string) => located(`resources:\n  c:\n    type: DockerInc::Docker::Container\n    properties:\n      image: busybox\n      healthcheck: ${healthcheck}\n`);
    for (const good of [
      '{test: ["CMD-SHELL", "test -f /tmp/ok"], interval: 1s, timeout: 1m30s, retries: 2, start_period: 500ms}',
      '{test: "curl -f http://localhost/"}', '{test: [CMD, /bin/true], interval: 1.5h}', '{test: [NONE]}', '{interval: "0"}',
    ]) expect(checked(good)).toEqual([]);
    expect(checked('{test: ["CMD-SHELL", "true"], interval: 5, timeout: 1m30, start_period: soon}')).toEqual([
      `demo.yaml:7:50: resources.c.properties.healthcheck.interval: '5' is not a duration (a number and a unit, as "5s", "1m30s" or "500ms"; units ns, us, ms, s, m, h)`,
      `demo.yaml:7:63: resources.c.properties.healthcheck.timeout: '1m30' is not a duration (a number and a unit, as "5s", "1m30s" or "500ms"; units ns, us, ms, s, m, h)`,
      `demo.yaml:7:78: resources.c.properties.healthcheck.start_period: 'soon' is not a duration (a number and a unit, as "5s", "1m30s" or "500ms"; units ns, us, ms, s, m, h)`,
    ]);
    expect(checked('{test: [RUN, "true"]}')).toEqual([
      'demo.yaml:7:21: resources.c.properties.healthcheck.test: the list starts with "RUN": expected "CMD", "CMD-SHELL" or "NONE"',
    ]);
    expect(checked('{test: [CMD]}')).toEqual(['demo.yaml:7:21: resources.c.properties.healthcheck.test: "CMD" needs a command after it']);
    expect(checked('{tests: [CMD, "true"]}')).toEqual([
      "demo.yaml:7:21: resources.c.properties.healthcheck.tests: unknown key 'tests' (allowed: test, interval, timeout, retries, start_period)",
    ]);
  });
});
