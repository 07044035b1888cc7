#!/usr/bin/env node
/**
 * `npm run bench [-- P1 P2 P4 P5]`: stoke against the Docker engine's own speed and docker-compose, on
 * the same engine in one run, alternating the contenders, BENCH_REPS repetitions (default 3), medians.
 * Prints a table of figures and ratios; the raw log goes to bench/results/.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');

const REPS = Number(process.env.BENCH_REPS || 3);
const CONTAINERS = 50;
/** The workflow's own bound on resources worked on at once; the raw loop gets the same. */
const PARALLEL = 50;
const { say, file: logFile } = lib.recorder('bench');
const figures = [];

function figure(id, what, value, target, ok, note = '') {
  figures.push([id, what, value, target, ok === undefined ? '' : ok ? 'yes' : 'NO', note]);
}

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

function containersTemplate(count) {
  const cmd = JSON.stringify(lib.SLEEPER_CMD);
  let text = 'heat_template_version: 2016-10-14\nresources:\n';
  for (let i = 1; i <= count; i++) text += `  c${i}:\n    type: DockerInc::Docker::Container\n    properties: {image: busybox, cmd: ${cmd}}\n`;
  return text;
}

/** A Debian tool the bench compares with or measures by (docker-compose 1.29, hyperfine), installed when missing. */
function ensureDebianTool(name) {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  say(`installing Debian's ${name}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', name], { stdio: 'ignore', env });
  return name;
}

async function removeLabelled(docker, label) {
  const found = await docker.listContainers({ all: true, filters: { label: [label] } });
  await lib.pool(found, PARALLEL, (c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined));
}

/** P1: 50 independent sleeping containers, created and started, then deleted. */
async function p1(ctx) {
  const docker = lib.dockerClient(ctx.dockerEndpoint);
  const compose = ensureDebianTool('docker-compose');
  const composeEnv = { ...process.env, DOCKER_HOST: ctx.dockerEndpoint.startsWith('/') ? `unix://${ctx.dockerEndpoint}` : ctx.dockerEndpoint };
  const composeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-bench-compose-'));
  // On the default bridge, as stoke's and the raw loop's containers: no project network to create and remove.
  const services = Object.fromEntries(Array.from({ length: CONTAINERS }, (_, i) => [`c${i + 1}`, { image: 'busybox', command: lib.SLEEPER_CMD, network_mode: 'bridge' }]));
  fs.writeFileSync(path.join(composeDir, 'docker-compose.yml'), JSON.stringify({ version: '2.4', services }, null, 1));
  const template = containersTemplate(CONTAINERS);
  const times = { stoke: { create: [], delete: [] }, raw: { create: [], delete: [] }, compose: { create: [], delete: [] } };

  const contenders = {
    async stoke(run) {
      const name = `p1-${process.pid}-${run}`;
      const plan = lib.loadPlan(name, template);
      const created = await lib.timed(async () => {
        await ctx.stacks.create(plan);
        return ctx.result(name);
      });
      if (created.value.status !== 'CREATE_COMPLETE') throw new Error(`P1 stack ${name}: ${created.value.status} ${created.value.statusReason}`);
      const deleted = await lib.timed(async () => {
        await ctx.stacks.delete(name);
        return ctx.result(name);
      });
      if (deleted.value.status !== 'DELETE_COMPLETE') throw new Error(`P1 stack ${name}: ${deleted.value.status} ${deleted.value.statusReason}`);
      return { create: created.ms, delete: deleted.ms };
    },
    async raw(run) {
      const label = `org.stoke.bench=raw-${process.pid}-${run}`;
      const names = Array.from({ length: CONTAINERS }, (_, i) => `raw-${process.pid}-${run}-c${i + 1}`);
      const created = await lib.timed(() => lib.pool(names, PARALLEL, async (name) => {
        const container = await docker.createContainer({ name, Image: 'busybox', Cmd: lib.SLEEPER_CMD, Labels: { 'org.stoke.bench': label.split('=')[1] } });
        await container.start();
        return container;
      }));
      const deleted = await lib.timed(() => lib.pool(created.value, PARALLEL, async (container) => {
        await container.stop({ t: 10 });
        await container.remove({ force: true, v: true });
      }));
      return { create: created.ms, delete: deleted.ms };
    },
    async compose(run) {
      const project = `p1cmp${process.pid}r${run}`;
      const args = ['-p', project, '-f', path.join(composeDir, 'docker-compose.yml')];
      const up = await lib.timed(() => spawnSync(compose, [...args, 'up', '-d'], { env: composeEnv, encoding: 'utf8' }));
      if (up.value.status !== 0) throw new Error(`docker-compose up: ${up.value.stderr}`);
      const down = await lib.timed(() => spawnSync(compose, [...args, 'down'], { env: composeEnv, encoding: 'utf8' }));
      if (down.value.status !== 0) throw new Error(`docker-compose down: ${down.value.stderr.slice(-500)}`);
      return { create: up.ms, delete: down.ms };
    },
  };
  const order = ['stoke', 'raw', 'compose'];
  try {
    // One untimed round first, as hyperfine's warm-up: the worker's first stack pays for its workflow
    // sandbox and a cold JIT, the raw loop and compose for their first engine connections.
    for (const name of order) await contenders[name]('warmup');
    for (let run = 0; run < REPS; run++) {
      // Rotate who goes first, so warm caches and background load do not favour one contender.
      for (const name of [...order.slice(run % 3), ...order.slice(0, run % 3)]) {
        const t = await contenders[name](run);
        times[name].create.push(t.create);
        times[name].delete.push(t.delete);
        say(`P1 run ${run + 1} ${name.padEnd(7)} create ${fmt(t.create)}  delete ${fmt(t.delete)}`);
      }
    }
  } finally {
    await removeLabelled(docker, `org.stoke.bench`);
    fs.rmSync(composeDir, { recursive: true, force: true });
  }
  for (const action of ['create', 'delete']) {
    const [s, r, c] = ['stoke', 'raw', 'compose'].map((n) => lib.median(times[n][action]));
    const ratio = s / r;
    figure('P1', `50 containers ${action}: stoke / raw dockerode / docker-compose`, `${fmt(s)} / ${fmt(r)} / ${fmt(c)}`, '', undefined);
    figure('P1', `${action} ratio stoke/raw (stoke/compose)`, `${ratio.toFixed(2)} (${(s / c).toFixed(2)})`, '≤ 1.15', ratio <= 1.15);
  }
}

/** A deterministic pseudo-random number sequence, so every run builds the same graph. */
function lcg(seed) {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/**
 * 1000 resources in ten tiers of 100: generated passwords and None resources whose properties refer
 * to two resources of the tier before (fan-in and fan-out as a real application's graph has).
 */
function cheapTemplate(count = 1000, tiers = 10) {
  const perTier = count / tiers;
  const random = lcg(42);
  let text = 'heat_template_version: 2016-10-14\nresources:\n';
  for (let t = 0; t < tiers; t++) {
    for (let i = 0; i < perTier; i++) {
      const name = `t${t}r${i}`;
      const deps = t === 0 ? [] : [0, 1].map(() => `t${t - 1}r${Math.floor(random() * perTier)}`);
      if (i % 2 === 0) {
        text += `  ${name}:\n    type: OS::Heat::RandomString\n    properties: {length: 16}\n${deps.length ? `    depends_on: [${[...new Set(deps)].join(', ')}]\n` : ''}`;
      } else {
        const refs = deps.map((d) => (Number(d.split('r')[1]) % 2 === 0 ? `{get_attr: [${d}, value]}` : `{get_resource: ${d}}`));
        text += `  ${name}:\n    type: OS::Heat::None\n    properties: {inputs: [${refs.join(', ')}]}\n`;
      }
    }
  }
  return text;
}

async function historyStats(ctx, name) {
  const { temporal } = require('@temporalio/proto');
  const service = ctx.client.connection.workflowService;
  const { executions } = await service.listWorkflowExecutions({ namespace: ctx.config.namespace, query: `WorkflowId = 'stack:${name}' AND WorkflowType = 'createStack'` });
  let events = 0;
  let bytes = 0;
  let nextPageToken;
  do {
    const page = await service.getWorkflowExecutionHistory({ namespace: ctx.config.namespace, execution: executions[0].execution, nextPageToken });
    events += page.history.events.length;
    bytes += temporal.api.history.v1.History.encode(page.history).finish().length;
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { events, bytes };
}

/** P2: one stack of 1000 cheap resources. */
async function p2(ctx) {
  const template = cheapTemplate();
  const creates = [];
  const deletes = [];
  let stats;
  for (let run = 0; run < REPS; run++) {
    const name = `p2-${process.pid}-${run}`;
    const plan = lib.loadPlan(name, template);
    const created = await lib.timed(async () => {
      await ctx.stacks.create(plan);
      return ctx.result(name);
    });
    if (created.value.status !== 'CREATE_COMPLETE') throw new Error(`P2 stack ${name}: ${created.value.status} ${created.value.statusReason}`);
    stats = await historyStats(ctx, name);
    const deleted = await lib.timed(async () => {
      await ctx.stacks.delete(name);
      return ctx.result(name);
    });
    creates.push(created.ms);
    deletes.push(deleted.ms);
    say(`P2 run ${run + 1} create ${fmt(created.ms)} (${stats.events} events, ${(stats.bytes / 1e6).toFixed(2)} MB)  delete ${fmt(deleted.ms)}`);
  }
  const create = lib.median(creates);
  figure('P2', '1000 cheap resources: create wall time', fmt(create), '≤ 10 s', create <= 10_000);
  figure('P2', '… delete wall time', fmt(lib.median(deletes)), '', undefined);
  figure('P2', '… create history: events, size', `${stats.events} events, ${(stats.bytes / 1e6).toFixed(2)} MB`, '< 51,200 events, < 50 MB', stats.events < 51_200 && stats.bytes < 50e6);
}

/** P4: 50 stacks of 3 containers created at once, on a fresh worker whose RSS is sampled from /proc. */
async function p4(ctx) {
  await ctx.restartWorker();
  const pid = ctx.worker.pid;
  const idle = lib.rssBytes(pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, lib.rssBytes(pid))), 50);
  const stacks = Array.from({ length: 50 }, (_, i) => `p4-${process.pid}-s${i}`);
  const template = containersTemplate(3);
  try {
    const created = await lib.timed(() => Promise.all(stacks.map(async (name) => {
      await ctx.stacks.create(lib.loadPlan(name, template));
      return ctx.result(name);
    })));
    const complete = created.value.filter((s) => s.status === 'CREATE_COMPLETE').length;
    const deleted = await lib.timed(() => Promise.all(stacks.map(async (name) => {
      await ctx.stacks.delete(name);
      return ctx.result(name);
    })));
    const gone = deleted.value.filter((s) => s.status === 'DELETE_COMPLETE').length;
    say(`P4 create ${fmt(created.ms)} (${complete}/50 complete)  delete ${fmt(deleted.ms)} (${gone}/50)  worker RSS idle ${(idle / 2 ** 20).toFixed(0)} MiB peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
    figure('P4', '50 stacks × 3 containers at once: complete, create time', `${complete}/50, ${fmt(created.ms)}`, 'all complete', complete === 50);
    figure('P4', '… delete all at once', `${gone}/50, ${fmt(deleted.ms)}`, 'all complete', gone === 50);
    figure('P4', '… worker peak RSS (idle)', `${(peak / 2 ** 20).toFixed(0)} MiB (${(idle / 2 ** 20).toFixed(0)} MiB)`, '≤ 300 MB', peak <= 300e6);
  } finally {
    clearInterval(sampler);
  }
}

/**
 * P5: `stoke stack list` from a cold process, as a user types it, with hyperfine (Debian's, installed
 * when missing) against a bare `node -e 0`. CPU time (user + system) is reported next to wall time:
 * on a machine shared with other jobs it is the figure that load does not inflate.
 */
async function p5() {
  const hyperfine = ensureDebianTool('hyperfine');
  const json = path.join(os.tmpdir(), `stoke-bench-p5-${process.pid}.json`);
  const runs = String(Math.max(15, REPS));
  const done = spawnSync(hyperfine, ['-N', '--warmup', '2', '--runs', runs, '--export-json', json,
    `${process.execPath} ${lib.CLI} stack list`, `${process.execPath} -e 0`], { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`hyperfine: ${done.stderr}`);
  const [list, bare] = JSON.parse(fs.readFileSync(json, 'utf8')).results;
  fs.rmSync(json, { force: true });
  const describe = (r) => `median ${(r.median * 1000).toFixed(0)} ms, mean ${(r.mean * 1000).toFixed(0)} ± ${(r.stddev * 1000).toFixed(0)} ms, CPU ${((r.user + r.system) * 1000).toFixed(0)} ms`;
  say(`P5 stoke stack list: ${describe(list)}; bare node: ${describe(bare)}`);
  const cpu = (list.user + list.system) * 1000;
  figure('P5', '`stoke stack list` cold start: wall median (bare node)', `${fmt(list.median * 1000)} (${fmt(bare.median * 1000)})`, '≤ 0.5 s', list.median <= 0.5);
  figure('P5', '… its CPU time, user + system (bare node)', `${fmt(cpu)} (${fmt((bare.user + bare.system) * 1000)})`, '≤ 0.5 s', cpu <= 500);
}

async function main() {
  const wanted = process.argv.slice(2).map((a) => a.toUpperCase());
  const run = (id) => wanted.length === 0 || wanted.includes(id);
  say(`stoke bench ${new Date().toISOString()}: ${lib.machine()}; ${REPS} repetitions`);
  const setup = await lib.setup('bench');
  const ctx = { config: setup.config, dockerEndpoint: setup.dockerEndpoint, worker: await lib.startWorker() };
  ctx.restartWorker = async () => {
    await lib.stopWorker(ctx.worker);
    ctx.worker = await lib.startWorker();
  };
  const handles = await lib.clients(setup.config);
  Object.assign(ctx, { client: handles.client, stacks: handles.stacks, result: handles.result });
  try {
    if (run('P1')) await p1(ctx);
    if (run('P2')) await p2(ctx);
    figure('P3', 'wait condition signal → dependent start (median, p95 of 50)', 'not measured', '≤ 200 ms', undefined,
      'slot for the signal gateway (branch waits)');
    if (run('P4')) await p4(ctx);
    if (run('P5')) await p5();
  } finally {
    await handles.close();
    await lib.stopWorker(ctx.worker);
    await setup.stop();
  }
  say('');
  say(lib.table(['id', 'measure', 'value', 'target', 'met', 'note'], figures));
  say(`\nraw log: ${path.relative(lib.ROOT, logFile)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
