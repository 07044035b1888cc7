/**
 * docker-compose.yml: the file docker-compose reads is valid, and its workers scale (`--scale stoke-worker=3`)
 * because no worker publishes a host port; the signal gateway is a service of its own, on the workers' state
 * volume (the signal key), so it accepts the handle tokens any of them issues.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { installDebianPackages } from '../../src/runtime/runtime';

const file = path.resolve(__dirname, '..', '..', 'docker-compose.yml');

interface Service { command?: string[]; ports?: string[]; volumes?: string[]; environment?: Record<string, string>; container_name?: string }

test('docker-compose config accepts the file', () => {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0) installDebianPackages(['docker-compose'], console.log);
  const checked = spawnSync('docker-compose', ['-f', file, 'config', '-q'], { encoding: 'utf8', env: { ...process.env, STOKE_CODEC_KEY: 'set-for-the-check' } });
  expect(checked.stderr).toBe('');
  expect(checked.status).toBe(0);
});

test('workers publish no port, so they scale; one gateway publishes the signal port and shares their state volume', () => {
  const { services } = parse(fs.readFileSync(file, 'utf8')) as { services: Record<string, Service> };
  const worker = services['stoke-worker']!;
  const gateway = services['stoke-gateway']!;
  expect(worker.ports).toBeUndefined();
  expect(worker.container_name).toBeUndefined();
  expect(gateway.command).toEqual(['gateway']);
  expect(gateway.ports).toEqual(['8000:8000']);
  expect(gateway.environment!.STOKE_SIGNAL_BIND).toBe(worker.environment!.STOKE_SIGNAL_BIND);
  const state = (s: Service) => s.volumes!.find((v) => v.endsWith(`:${s.environment!.STOKE_HOME}`));
  expect(state(gateway)).toBe(state(worker));
  expect(state(worker)).toBe('stoke-state:/var/lib/stoke');
});
