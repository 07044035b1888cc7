/** Pure pieces of the container handler: Docker's create body, image references, endpoints, TLS and registry logins. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerSpec, imageReference, olderApi, portBindings } from '../../src/resources/docker/handler';
import { dockerOptions, registryAuth, registryOf, tlsFiles } from '../../src/runtime/docker-endpoint';
import { tempDir } from '../helpers';

const spec = (properties: Record<string, unknown>) => containerSpec({
  stack: 's', stackId: 'id', resource: 'r', type: 'DockerInc::Docker::Container', properties: { image: 'busybox', ...properties } as never, attributes: [],
});

describe('port_bindings', () => {
  test('both Heat forms, UDP, and [ip, port] pairs', () => {
    expect(portBindings({ '80/tcp': [{ HostPort: '8080' }], 3306: 3306, '53/udp': 5300, 443: ['127.0.0.1', 8443], 22: null }, 'p')).toEqual({
      '80/tcp': [{ HostIp: '', HostPort: '8080' }],
      '3306/tcp': [{ HostIp: '', HostPort: '3306' }],
      '53/udp': [{ HostIp: '', HostPort: '5300' }],
      '443/tcp': [{ HostIp: '127.0.0.1', HostPort: '8443' }],
      '22/tcp': [{ HostIp: '', HostPort: '' }],
    });
  });
  test('a port that is not one fails with its path', () => {
    expect(() => portBindings({ 'http/tcp': 80 }, 'resources.r.properties.port_bindings')).toThrow("resources.r.properties.port_bindings.http/tcp: 'http/tcp' is not a port");
    // A port that came from a resource is checked only here, by the same rule as validation: 1 to 65535.
    expect(() => spec({ port_specs: [0] })).toThrow("resources.r.properties.port_specs[0]: '0' is not a port Docker accepts");
  });
});

test('Heat\'s properties become Docker\'s create body', () => {
  const body = spec({
    port_specs: [80, '53/udp'], volumes: { '/srv': { bind: '/data', ro: true }, '/logs': '/var/log/app', '/cache': {} },
    volumes_from: '', restart_policy: { Name: 'always', MaximumRetryCount: 5 }, memory: 0, cpu_shares: 0, privileged: true,
    devices: [{ path_on_host: '/dev/null' }], tty: 'true',
  });
  expect(body.name).toBe('s-r');
  expect(body.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
  expect(body.HostConfig!.Binds).toEqual(['/srv:/data:ro', '/logs:/var/log/app']);
  expect(body.Volumes).toEqual({ '/cache': {} });
  expect(body.HostConfig!.VolumesFrom).toEqual([]);
  // The retry count belongs to on-failure only; Docker rejects it with always.
  expect(body.HostConfig!.RestartPolicy).toEqual({ Name: 'always', MaximumRetryCount: 0 });
  expect(body.HostConfig!.Memory).toBeUndefined();
  expect(body.HostConfig!.CpuShares).toBeUndefined();
  expect(body.HostConfig!.Devices).toEqual([]);
  expect(body.Tty).toBe(true);
  // A root stack is its own root: one label finds every object of a stack and of the stacks nested in it.
  expect(body.Labels).toEqual({ 'org.stoke.stack': 's', 'org.stoke.stack-id': 'id', 'org.stoke.resource': 'r', 'org.stoke.root-stack': 's', 'org.stoke.root-stack-id': 'id' });
  expect(spec({ devices: [{ path_on_host: '/dev/fuse', permissions: 'r' }] }).HostConfig!.Devices)
    .toEqual([{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'r' }]);
  expect(spec({ volumes_from: 'data' }).HostConfig!.VolumesFrom).toEqual(['data']);
  expect(spec({ restart_policy: { Name: 'no', MaximumRetryCount: 0 } }).HostConfig!.RestartPolicy).toBeUndefined();
});

test('image references: latest when untagged, tags and digests kept, registry ports are not tags', () => {
  expect(imageReference('busybox')).toBe('busybox:latest');
  expect(imageReference('busybox:1.36')).toBe('busybox:1.36');
  expect(imageReference('127.0.0.1:5000/lib/busybox')).toBe('127.0.0.1:5000/lib/busybox:latest');
  expect(imageReference('reg:5000/busybox@sha256:abc')).toBe('reg:5000/busybox@sha256:abc');
  expect(registryOf('busybox')).toBe('docker.io');
  expect(registryOf('library/busybox:1')).toBe('docker.io');
  expect(registryOf('localhost/x')).toBe('localhost');
  expect(registryOf('registry.example:5000/x/y:1')).toBe('registry.example:5000');
});

test('registry logins come from the auths of the user\'s Docker config', () => {
  const dir = tempDir('stoke-dockercfg');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: {
    'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
    'registry.example:5000': { auth: Buffer.from('me:secret').toString('base64') },
    'https://token.example': { identitytoken: 'tok' },
  } }));
  const env = { DOCKER_CONFIG: dir };
  expect(registryAuth('busybox:latest', env)).toEqual({ username: 'hubuser', password: 'hub:pass', serveraddress: 'https://index.docker.io/v1/' });
  expect(registryAuth('registry.example:5000/app:1', env)).toEqual({ username: 'me', password: 'secret', serveraddress: 'registry.example:5000' });
  expect(registryAuth('token.example/app', env)).toEqual({ identitytoken: 'tok', serveraddress: 'token.example' });
  expect(registryAuth('other.example/app', env)).toBeUndefined();
  expect(registryAuth('busybox', { DOCKER_CONFIG: path.join(dir, 'missing') })).toBeUndefined();
});

test('credential helpers: credHelpers per registry, else credsStore, asked with docker\'s helper protocol', () => {
  const dir = tempDir('stoke-credhelper');
  // A helper as docker-credential-* programs behave: the server URL on stdin, JSON on stdout, exit 1 when unknown.
  const helper = (name: string, known: Record<string, { Username: string; Secret: string }>) => {
    const file = path.join(dir, `docker-credential-${name}`);
    fs.writeFileSync(file, `#!/bin/sh\n[ "$1" = get ] || exit 2\nserver=$(cat)\ncase "$server" in\n${Object.entries(known)
      .map(([server, login]) => `  '${server}') echo '${JSON.stringify({ ServerURL: server, ...login })}' ;;`).join('\n')}\n  *) echo 'credentials not found in native keychain'; exit 1 ;;\nesac\n`);
    fs.chmodSync(file, 0o755);
  };
  helper('team', { 'registry.example:5000': { Username: 'ci', Secret: 'from-helper' } });
  helper('desktop', { 'https://index.docker.io/v1/': { Username: '<token>', Secret: 'tok' } });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
    credsStore: 'desktop',
    credHelpers: { 'registry.example:5000': 'team' },
    auths: { 'other.example': { auth: Buffer.from('plain:pw').toString('base64') } },
  }));
  const env = { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` };
  expect(registryAuth('registry.example:5000/app', env)).toEqual({ username: 'ci', password: 'from-helper', serveraddress: 'registry.example:5000' });
  expect(registryAuth('busybox', env)).toEqual({ identitytoken: 'tok', serveraddress: 'https://index.docker.io/v1/' });
  // The store does not know this one: the auths entry is used.
  expect(registryAuth('other.example/app', env)).toEqual({ username: 'plain', password: 'pw', serveraddress: 'other.example' });
  expect(registryAuth('unknown.example/app', env)).toBeUndefined();
});

describe('docker endpoints', () => {
  test('unix, tcp, http and https forms', () => {
    expect(dockerOptions('unix:///var/run/docker.sock', {})).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(dockerOptions('/run/docker.sock', {})).toEqual({ socketPath: '/run/docker.sock' });
    expect(dockerOptions('tcp://10.0.0.5:2375', {})).toEqual({ protocol: 'http', host: '10.0.0.5', port: 2375 });
    expect(dockerOptions('http://host:2345/', {})).toEqual({ protocol: 'http', host: 'host', port: 2345 });
    expect(dockerOptions('https://host', {})).toEqual({ protocol: 'https', host: 'host', port: 2376 });
    expect(() => dockerOptions('ftp://host', {})).toThrow("unsupported scheme 'ftp:'");
    expect(() => dockerOptions('not a url', {})).toThrow('is not a URL');
  });

  test('TLS material from STOKE_DOCKER_TLS_* or DOCKER_CERT_PATH; tcp:// uses TLS under DOCKER_TLS_VERIFY', () => {
    const dir = tempDir('stoke-certs');
    for (const name of ['ca', 'cert', 'key']) fs.writeFileSync(path.join(dir, `${name}.pem`), `${name} pem`);
    const certPath = { DOCKER_CERT_PATH: dir };
    expect(dockerOptions('https://host:2376', certPath)).toEqual({
      protocol: 'https', host: 'host', port: 2376, ca: Buffer.from('ca pem'), cert: Buffer.from('cert pem'), key: Buffer.from('key pem'),
    });
    expect(dockerOptions('tcp://host:2376', { ...certPath, DOCKER_TLS_VERIFY: '1' }).protocol).toBe('https');
    const explicit = { STOKE_DOCKER_TLS_CA: path.join(dir, 'ca.pem'), STOKE_DOCKER_TLS_CERT: path.join(dir, 'cert.pem'), STOKE_DOCKER_TLS_KEY: path.join(dir, 'key.pem'), DOCKER_CERT_PATH: '/nowhere' };
    expect(tlsFiles(explicit)).toEqual({ ca: Buffer.from('ca pem'), cert: Buffer.from('cert pem'), key: Buffer.from('key pem') });
    expect(() => tlsFiles({ STOKE_DOCKER_TLS_CA: path.join(dir, 'nope.pem') })).toThrow(`STOKE_DOCKER_TLS_CA names ${path.join(dir, 'nope.pem')}, which does not exist`);
    expect(tlsFiles({})).toEqual({});
  });
});

test('API versions compare as numbers, as Heat\'s check of read_only (1.17), cpu_shares, devices and cpu_set needs', () => {
  expect(olderApi('1.9', '1.17')).toBe(true);
  expect(olderApi('1.41', '1.17')).toBe(false);
  expect(olderApi('1.17', '1.17')).toBe(false);
  expect(olderApi('1.7', '1.8')).toBe(true);
  expect(olderApi('2.0', '1.14')).toBe(false);
});

test('healthcheck becomes Docker\'s Healthcheck, durations in nanoseconds; a string test runs in the shell', () => {
  expect(spec({ healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/ok'], interval: '1s', timeout: '1m30s', retries: 2, start_period: '500ms' } }).Healthcheck).toEqual({
    Test: ['CMD-SHELL', 'test -f /tmp/ok'], Interval: 1e9, Timeout: 90e9, Retries: 2, StartPeriod: 5e8,
  });
  expect(spec({ healthcheck: { test: 'curl -f http://localhost/' } }).Healthcheck).toEqual({ Test: ['CMD-SHELL', 'curl -f http://localhost/'] });
  expect(spec({}).Healthcheck).toBeUndefined();
  // A value that came from a resource is checked only here.
  expect(() => spec({ healthcheck: { test: ['CMD', 'true'], interval: '2 seconds' } })).toThrow("resources.r.properties.healthcheck.interval: '2 seconds' is not a duration");
});
