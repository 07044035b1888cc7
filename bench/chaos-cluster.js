/**
 * Chaos on the production topology (`stoke cluster up`, a cluster of its own: state folder in the temporary
 * folder, its own ports), every stack's ten containers split over the cluster's two engines:
 *   R9a  20 stacks at once; one of the two workers is killed with SIGKILL at a random moment and not restarted.
 *   R9b  the Temporal server is stopped and started again in the middle of a create.
 *   R9c  PostgreSQL is stopped and started again in the middle of a create.
 *   R9d  the second Docker engine is stopped and started again in the middle of a create.
 * Each stack must complete, or fail and roll back leaving nothing; no container may be leaked or duplicated
 * on either engine. `stoke cluster up` is what starts a stopped part again, as an operator would.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');

/** Five containers on the worker's engine and five on the second, in two chains, so a create is hit in the middle. */
function acrossEngines(second) {
  const cmd = JSON.stringify(lib.SLEEPER_CMD);
  let text = 'heat_template_version: 2016-10-14\nresources:\n';
  for (let i = 0; i < 10; i++) {
    const after = i % 5 === 0 ? '' : `    depends_on: c${i - 1}\n`;
    const where = i >= 5 ? `, docker_endpoint: "${second}"` : '';
    text += `  c${i}:\n    type: DockerInc::Docker::Container\n${after}    properties: {image: busybox, cmd: ${cmd}${where}}\n`;
  }
  return text;
}

/** A cluster of its own, with clients on its namespace; `up()` starts again whatever of it was stopped. */
async function clusterWorld(dockerEndpoint, say) {
  const { loadConfig } = lib.requireBuilt('src/config');
  const cluster = lib.requireBuilt('src/runtime/cluster');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-chaos-r9-'));
  const env = {
    STOKE_HOME: home, STOKE_DEV_PORT: String(7800 + (process.pid % 50)), TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: 'default',
    STOKE_TASK_QUEUE: 'stoke-chaos-cluster', STOKE_CODEC_PORT: String(await lib.freePort()), STOKE_SIGNAL_BIND: String(await lib.freePort()),
    STOKE_API: '0', DOCKER_HOST: dockerEndpoint,
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const config = loadConfig(process.env);
  const log = (m) => say(`[r9] ${m}`);
  const up = () => cluster.clusterUp(config, lib.CLI, log);
  try {
    await up();
  } catch (err) {
    Object.assign(process.env, saved);
    throw err;
  }
  const layout = cluster.clusterLayout(config);
  const handles = await lib.clients(config);
  const pidOf = (service) => Number(fs.readFileSync(path.join(layout.dir, `${service}.pid`), 'utf8'));
  const runtime = lib.requireBuilt('src/runtime/runtime');
  return {
    layout, handles, up, pidOf, config,
    engines: [lib.dockerClient(dockerEndpoint), lib.dockerClient(layout.docker2)],
    async stop(service) {
      // PostgreSQL's SIGTERM waits for every client to leave, and Temporal never leaves: SIGINT is its fast shutdown.
      if (service !== 'postgres') return runtime.stopServices([{ name: service, pid: pidOf(service) }], log);
      const pid = pidOf(service);
      process.kill(pid, 'SIGINT');
      while (runtime.pidAlive(pid)) await lib.sleep(100);
    },
    async close() {
      await handles.close().catch(() => undefined);
      await cluster.clusterDown(config, log);
      for (const key of Object.keys(env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
      // The engine leaves network-namespace mounts in its exec and data folders (live-restore keeps them for containers it no longer has).
      const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((line) => line.split(' ')[1]).filter((m) => m && m.startsWith(home));
      for (const mount of mounts.reverse()) spawnSync('umount', ['-l', mount], { stdio: 'ignore' });
      try {
        fs.rmSync(home, { recursive: true, force: true });
      } catch (err) {
        say(`[r9] warning: could not remove ${home}: ${err.message}`);
      }
    },
  };
}

/** The audit of both engines, added up: a stack's containers live on the two. */
async function auditBoth(world, audit, name, state) {
  const [a, b] = await Promise.all(world.engines.map((engine) => audit(engine, name, state)));
  return { containers: a.containers + b.containers, running: a.running + b.running, stopped: [...a.stopped, ...b.stopped], leaked: a.leaked + b.leaked, duplicated: a.duplicated + b.duplicated };
}

/** Complete is the stack's word and the engines' too: all ten containers there and running (an engine restart may stop them). */
const complete = (final, counts) => final.status === 'CREATE_COMPLETE' && counts.containers === 10 && counts.running === 10;

/** A finished stack is deleted and whatever it left counted as leaked: a failed create must leave nothing behind. */
async function deleteAndCount(world, audit, name, row) {
  await world.handles.stacks.delete(name);
  const gone = await world.handles.result(name);
  const after = await auditBoth(world, audit, name, gone);
  row.leaked += after.containers;
}

async function r9a({ world, runs, random, say, audit, auditLine, outcome, waitFinal }) {
  const rows = [];
  const names = Array.from({ length: runs }, (_, i) => `chaos-r9a-${process.pid}-${i}`);
  const template = acrossEngines(world.layout.docker2);
  const start = Date.now();
  await Promise.all(names.map((name) => world.handles.stacks.create(lib.loadPlan(name, template))));
  const delayMs = 500 + Math.floor(random() * 5000);
  await lib.sleep(delayMs);
  const victim = random() < 0.5 ? 'worker-1' : 'worker-2';
  process.kill(world.pidOf(victim), 'SIGKILL');
  say(`R9a: ${runs} stacks of 10 containers over two engines; ${victim} killed after ${delayMs} ms, not restarted`);
  for (const name of names) {
    const final = await waitFinal(world.handles, name, 300_000);
    const counts = await auditBoth(world, audit, name, final);
    say(`R9a ${name}: ${outcome(final, 'CREATE')} after ${((Date.now() - start) / 1000).toFixed(1)} s; ${auditLine(counts)}`);
    rows.push({ completed: complete(final, counts), ...counts });
  }
  for (const [i, name] of names.entries()) await deleteAndCount(world, audit, name, rows[i]);
  await world.up();
  return rows;
}

/** R9b–d: `service` is stopped at a random moment of a create of one stack, down 2 s, then `cluster up` starts it again. */
async function restartMidCreate(id, service, { world, runs, random, say, audit, auditLine, outcome, waitFinal }) {
  const rows = [];
  const template = acrossEngines(world.layout.docker2);
  for (let run = 0; run < runs; run++) {
    const name = `chaos-${id.toLowerCase()}-${process.pid}-${run}`;
    const start = Date.now();
    await world.handles.stacks.create(lib.loadPlan(name, template));
    const delayMs = 300 + Math.floor(random() * 2000);
    await lib.sleep(delayMs);
    await world.stop(service);
    await lib.sleep(2000);
    await world.up();
    const final = await waitFinal(world.handles, name, 300_000);
    const counts = await auditBoth(world, audit, name, final);
    say(`${id} run ${run + 1}: ${service} stopped after ${delayMs} ms, down 2 s -> ${outcome(final, 'CREATE')} in ${((Date.now() - start) / 1000).toFixed(1)} s; ${auditLine(counts)}`);
    const rolledBack = final.status === 'ROLLBACK_COMPLETE' && counts.containers === 0;
    rows.push({ completed: complete(final, counts) || rolledBack, ...counts });
    await deleteAndCount(world, audit, name, rows.at(-1));
  }
  return rows;
}

/**
 * Runs R9a with `stacks` stacks and R9b–d `restarts` times each on one cluster; returns [id, what, rows] for the
 * chaos table. `checks` are chaos.js's audit and outcome helpers.
 */
async function r9({ dockerEndpoint, random, say, stacks, restarts, checks }) {
  const world = await clusterWorld(dockerEndpoint, say);
  const ctx = { world, random, say, ...checks };
  try {
    return [
      ['R9a', 'cluster: one of two workers SIGKILLed, not restarted', await r9a({ ...ctx, runs: stacks })],
      ['R9b', 'cluster: Temporal server restart mid create', await restartMidCreate('R9b', 'temporal', { ...ctx, runs: restarts })],
      ['R9c', 'cluster: PostgreSQL restart mid create', await restartMidCreate('R9c', 'postgres', { ...ctx, runs: restarts })],
      ['R9d', 'cluster: second engine restart mid create', await restartMidCreate('R9d', 'dockerd-2', { ...ctx, runs: restarts })],
    ];
  } finally {
    await world.close();
  }
}

module.exports = { r9, clusterWorld };
