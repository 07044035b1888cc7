/**
 * docker-compose.yml: the file docker-compose reads is valid, and its workers scale (`--scale stoke-worker=3`)
 * because no worker publishes a host port; the signal gateway is a service of its own, on the workers' state
 * volume (the signal key), so it accepts the handle tokens any of them issues. With docker-compose.override-local.yml
 * (no Docker Hub) the images are stoke's stand-ins; host ports move by variables. test/cluster/ runs it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { installDebianPackages } from '../../src/runtime/runtime';

const file = path.resolve(__dirname, '..', '..', 'docker-compose.yml');
const override = path.resolve(__dirname, '..', '..', 'docker-compose.override-local.yml');

interface Service {
  image?: string; build?: { args?: Record<string, string> }; command?: string[]; ports?: (string | { published: number; target: number })[];
  volumes?: string[]; environment?: Record<string, string>; container_name?: string;
}

function config(files: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string; services: Record<string, Service> } {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0) installDebianPackages(['docker-compose'], console.log);
  const checked = spawnSync('docker-compose', [...files.flatMap((f) => ['-f', f]), 'config'],
    { encoding: 'utf8', env: { ...process.env, STOKE_CODEC_KEY: 'set-for-the-check', ...env } });
  return { status: checked.status, stderr: checked.stderr, services: checked.status === 0 ? (parse(checked.stdout) as { services: Record<string, Service> }).services : {} };
}

test('docker-compose config accepts the file', () => {
  const checked = config([file]);
  expect(checked.stderr).toBe('');
  expect(checked.status).toBe(0);
});

test('with the local override, every public image is a stand-in, stoke builds on the stand-in Node, workers get the engine\'s socket', () => {
  const { status, stderr, services } = config([file, override], { STOKE_DOCKER_SOCKET: '/run/engine.sock' });
  expect(stderr).toBe('');
  expect(status).toBe(0);
  expect(Object.fromEntries(Object.entries(services).filter(([, s]) => s.image).map(([name, s]) => [name, s.image]))).toEqual({
    postgresql: 'stoke/standin-postgres:16', temporal: 'stoke/standin-temporalio-auto-setup:1.25', 'temporal-ui': 'stoke/standin-temporalio-ui:2.31.2',
  });
  for (const name of ['stoke-codec', 'stoke-worker', 'stoke-gateway']) expect(services[name]!.build!.args).toEqual({ NODE_IMAGE: 'stoke/standin-node:20-bookworm-slim' });
  for (const name of ['stoke-worker', 'stoke-gateway']) expect(services[name]!.volumes).toContain('/run/engine.sock:/var/run/docker.sock:rw');
});

test('every host port moves with a variable, and the UI and codec server follow each other\'s', () => {
  const moved = { TEMPORAL_HOST_PORT: '17233', TEMPORAL_HTTP_HOST_PORT: '17243', TEMPORAL_UI_HOST_PORT: '18233', STOKE_CODEC_HOST_PORT: '18888', STOKE_GATEWAY_HOST_PORT: '18000' };
  const { services } = config([file], moved);
  const published = Object.values(services).flatMap((s) => s.ports ?? []).map((p) => typeof p === 'string' ? Number(p.split(':').at(-2)) : p.published).sort();
  expect(published).toEqual(Object.values(moved).map(Number).sort());
  expect(services['temporal-ui']!.environment!.TEMPORAL_CODEC_ENDPOINT).toBe('http://127.0.0.1:18888');
  expect(services['stoke-codec']!.command).toContain('http://127.0.0.1:18233');
});

test('workers publish no port, so they scale; one gateway publishes the signal port and shares their state volume', () => {
  const { services } = parse(fs.readFileSync(file, 'utf8')) as { services: Record<string, Service> };
  const worker = services['stoke-worker']!;
  const gateway = services['stoke-gateway']!;
  expect(worker.ports).toBeUndefined();
  expect(worker.container_name).toBeUndefined();
  expect(gateway.command).toEqual(['gateway']);
  expect(gateway.ports).toEqual(['${STOKE_GATEWAY_HOST_PORT:-8000}:8000']);
  expect(gateway.environment!.STOKE_SIGNAL_BIND).toBe(worker.environment!.STOKE_SIGNAL_BIND);
  const state = (s: Service) => s.volumes!.find((v) => v.endsWith(`:${s.environment!.STOKE_HOME}`));
  expect(state(gateway)).toBe(state(worker));
  expect(state(worker)).toBe('stoke-state:/var/lib/stoke');
});
