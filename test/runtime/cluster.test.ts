import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { clusterLayout, clusterStatus, temporalServerConfig, uiServerConfig } from '../../src/runtime/cluster';

const config = loadConfig({ STOKE_HOME: path.join(os.tmpdir(), 'stoke-cluster-unit'), STOKE_DEV_PORT: '7400' });

test('the cluster answers where the dev server would, its other ports beside them', () => {
  const layout = clusterLayout(config);
  expect(layout.dir).toBe(path.join(config.stateDir, 'cluster'));
  expect(layout.ports).toEqual({ postgres: 7600, frontend: 7400, history: 7401, matching: 7402, worker: 7406, http: 7410, ui: 8400, docker2: 7601 });
  expect(layout.docker2).toBe('tcp://127.0.0.1:7601');
});

test('Temporal\'s server is configured on the cluster\'s PostgreSQL, with no listener outside its own ports', () => {
  const server = temporalServerConfig(clusterLayout(config)) as {
    persistence: { datastores: Record<string, { sql: { connectAddr: string; databaseName: string; pluginName: string } }> };
    services: Record<string, { rpc: { grpcPort: number; membershipPort: number; httpPort?: number } }>;
    global: Record<string, unknown>;
  };
  expect(Object.values(server.persistence.datastores).map((d) => [d.sql.pluginName, d.sql.databaseName, d.sql.connectAddr]))
    .toEqual([['postgres12', 'temporal', '127.0.0.1:7600'], ['postgres12', 'temporal_visibility', '127.0.0.1:7600']]);
  expect(Object.fromEntries(Object.entries(server.services).map(([name, s]) => [name, [s.rpc.grpcPort, s.rpc.membershipPort, s.rpc.httpPort]])))
    .toEqual({ frontend: [7400, 7100, 7410], history: [7401, 7101, undefined], matching: [7402, 7102, undefined], worker: [7406, 7106, undefined] });
  // Temporal's sample config has Prometheus on 8000 (the gateway's port) and pprof: neither is wanted.
  expect(Object.keys(server.global)).toEqual(['membership']);
});

test('the UI server reads the cluster\'s frontend and sends payloads to the codec server', () => {
  expect(uiServerConfig(clusterLayout(config), 'http://127.0.0.1:8888')).toMatchObject({
    temporalGrpcAddress: '127.0.0.1:7400', port: 8400, codec: { endpoint: 'http://127.0.0.1:8888' }, enableUi: true,
  });
});

test('status lists every service, stopped when it has no live pid, and forgets a dead one\'s pid file', () => {
  const layout = clusterLayout(config);
  fs.mkdirSync(layout.dir, { recursive: true });
  // A pid no process has: the highest the kernel hands out, plus one.
  fs.writeFileSync(path.join(layout.dir, 'temporal.pid'), String(Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1));
  const status = clusterStatus(config);
  expect(status.map((s) => s.service)).toEqual(['postgres', 'temporal', 'temporal-ui', 'dockerd', 'dockerd-2', 'codec-server', 'gateway', 'api', 'worker-1', 'worker-2']);
  expect(status.every((s) => s.state === 'stopped')).toBe(true);
  expect(fs.existsSync(path.join(layout.dir, 'temporal.pid'))).toBe(false);
  fs.rmSync(config.stateDir, { recursive: true, force: true });
});
