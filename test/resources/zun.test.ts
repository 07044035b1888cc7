/** OS::Zun::Container: Zun's schema and checks, and the DockerInc::Docker::Container properties it runs as. */
import type { CreateResourceRequest } from '../../src/resources/plugin';
import { resourceType } from '../../src/resources/registry';
import { restartPolicy } from '../../src/resources/zun';
import { dockerProperties, shellWords, zunAttributes } from '../../src/resources/zun/handler';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { JsonObject } from '../../src/template/types';

const request = (properties: JsonObject): CreateResourceRequest => ({ stack: 's', stackId: 'id', resource: 'web', type: 'OS::Zun::Container', properties, attributes: [] });

function validate(properties: string) {
  const text = `heat_template_version: rocky\nresources:\n  web:\n    type: OS::Zun::Container\n    properties: ${properties}\n`;
  return planStack({ stackName: 'demo', template: parseFile(text, 'zun.yaml'), mode: 'validate' }).errors.map((e) => `${e.path}: ${e.message}`);
}

test('Zun\'s properties become the Docker type\'s: command split as a shell would, environment as K=V, memory in MiB, restart policy parsed', () => {
  const { properties, workingDir, labels } = dockerProperties(request({
    image: 'busybox', name: 'web1', command: `sh -c 'echo "a b"; sleep 60' "x y" z\\ w ''`, environment: { A: 'one', N: 2 },
    memory: 64, hostname: 'web', interactive: true, tty: true, restart_policy: 'on-failure:3', workdir: '/srv', labels: { tier: 'front' },
    mounts: [{ volume_id: 'data-vol', mount_path: '/data' }, { volume_size: 1, mount_path: '/scratch' }],
    cpu: 1.5, security_groups: ['default'], networks: [{ network: 'private' }],
  }));
  expect(properties).toEqual({
    image: 'busybox', name: 'web1', cmd: ['sh', '-c', 'echo "a b"; sleep 60', 'x y', 'z w', ''], env: ['A=one', 'N=2'], memory: 64 * 1024 * 1024,
    hostname: 'web', open_stdin: true, tty: true, restart_policy: { Name: 'on-failure', MaximumRetryCount: 3 },
    volumes: { 'data-vol': '/data', '/scratch': {} },
  });
  expect(workingDir).toBe('/srv');
  expect(labels).toEqual({ tier: 'front' });
  expect(dockerProperties(request({ image: 'busybox' }))).toEqual({ properties: { image: 'busybox' }, labels: {} });
  expect(() => dockerProperties(request({ image: 'busybox', command: 'echo "open' }))).toThrow("resources.web.properties.command: 'echo \"open' ends inside quotes or after a backslash");
});

test('shell words as Python\'s shlex.split gives them', () => {
  expect(shellWords('  a  b\tc ')).toEqual(['a', 'b', 'c']);
  expect(shellWords(`a"b c"d 'e\\f' "g\\"h\\i" ''`)).toEqual(['ab cd', 'e\\f', 'g"h\\i', '']);
  expect(shellWords('a\\')).toBeUndefined();
  expect(shellWords(`it's`)).toBeUndefined();
});

test('restart policies as Heat parses them; what Heat refuses is refused at validation', () => {
  expect(restartPolicy('always')).toEqual({ Name: 'always', MaximumRetryCount: 0 });
  expect(restartPolicy('on-failure')).toEqual({ Name: 'on-failure', MaximumRetryCount: 0 });
  expect(restartPolicy('on-failure:')).toEqual({ Name: 'on-failure', MaximumRetryCount: 0 });
  expect(restartPolicy('always:2')).toBeUndefined();
  expect(restartPolicy('sometimes')).toBeUndefined();
  expect(validate('{image: busybox, restart_policy: "on-failure:5"}')).toEqual([]);
  expect(validate('{image: busybox, restart_policy: sometimes}')).toEqual([
    'resources.web.properties.restart_policy: restart_policy "sometimes" is invalid. Valid values are "no", "on-failure[:max-retry]", "always", and "unless-stopped".',
  ]);
});

test('Heat\'s checks of mounts and networks, and its required image', () => {
  expect(validate('{image: busybox, mounts: [{mount_path: /a}, {mount_path: /b, volume_id: v, volume_size: 1}], networks: [{fixed_ip: 10.0.0.4}, {port: p, fixed_ip: 10.0.0.5}]}')).toEqual([
    'resources.web.properties.mounts[0]: give one of volume_id or volume_size',
    'resources.web.properties.mounts[1]: volume_id and volume_size cannot both be given',
    'resources.web.properties.networks[0]: give one of network or port',
    'resources.web.properties.networks[1]: fixed_ip and port cannot both be given',
  ]);
  expect(validate('{command: ls}')).toEqual(["resources.web.properties: OS::Zun::Container requires the property 'image'"]);
  expect(resourceType('OS::Zun::Container')).toMatchObject({ runs: { where: 'activity', copies: true }, supportStatus: { version: '9.0.0' } });
});

test('addresses by network name, the default network as "private", and by network id; the name without Docker\'s slash', () => {
  const show = { Name: '/s-web', NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.5', GlobalIPv6Address: '', NetworkID: 'n1' }, 's-net': { IPAddress: '10.0.0.3', NetworkID: 'n2' } } } };
  expect(zunAttributes(show)).toEqual({
    name: 's-web',
    addresses: {
      private: [{ addr: '172.17.0.5', version: 4 }], n1: [{ addr: '172.17.0.5', version: 4 }],
      's-net': [{ addr: '10.0.0.3', version: 4 }], n2: [{ addr: '10.0.0.3', version: 4 }],
    },
  });
});
