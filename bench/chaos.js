#!/usr/bin/env node
/**
 * `npm run chaos [-- --runs N] [--restarts M] [R1 R2 R3 R4 R6 R9]`: fault injection against real services.
 *   R1  SIGKILL the worker at a random moment of a create or delete of a 10-container stack; restart it.
 *   R2  stop and restart a Temporal dev server of our own (SQLite file) in the middle of a create.
 *   R3  stop and restart a dockerd of our own (own bridge, data and socket) in the middle of a create.
 *   R4  SIGKILL the worker at a random moment of an update of a 10-container stack; restart it.
 *   R6  SIGKILL the worker while the nested stacks of a 10-container, three-level stack are created; restart it.
 *   R9  on a cluster of its own (`stoke cluster up`): R9a–R9d, see chaos-cluster.js; `runs` stacks for R9a.
 * Every stack must reach a final state; then no container may be leaked (owned by no resource of the
 * stack) or duplicated (two for one resource); after an update, none its update left unchanged may have
 * been replaced or restarted. Prints a summary table; the raw log goes to bench/results/.
 * Shared services are never touched: R2 and R3 start and stop their own.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib');
const { r9 } = require('./chaos-cluster');

/** A reproducible sequence of random moments: CHAOS_SEED reruns the same faults. */
function seeded(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/**
 * Ten containers in two chains of five, so a create lasts long enough to be hit in the middle; `more`
 * gives a container's further properties (as `, key: value`).
 */
function tenContainers(more = () => '') {
  const cmd = JSON.stringify(lib.SLEEPER_CMD);
  let text = 'heat_template_version: 2016-10-14\nresources:\n';
  for (let i = 0; i < 10; i++) {
    const after = i % 5 === 0 ? '' : `    depends_on: c${i - 1}\n`;
    text += `  c${i}:\n    type: DockerInc::Docker::Container\n${after}    properties: {image: busybox, cmd: ${cmd}${more(`c${i}`)}}\n`;
  }
  return text;
}

/** What R4's update does to the ten containers: memory is changed in place, env replaces a container. */
const R4 = { inPlace: ['c1', 'c4', 'c7'], replaced: ['c2', 'c5', 'c8'], unchanged: ['c0', 'c3', 'c6', 'c9'] };
const MB = 1024 * 1024;
const r4Memory = (name, updated) => (updated && R4.inPlace.includes(name) ? 96 : 64) * MB;
const r4Env = (name, updated) => (updated && R4.replaced.includes(name) ? 'V=2' : 'V=1');
const r4Template = (updated) => tenContainers((name) => `, memory: ${r4Memory(name, updated)}, env: [${r4Env(name, updated)}]`);

const FINAL = ['CREATE_COMPLETE', 'CREATE_FAILED', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_COMPLETE', 'DELETE_FAILED', 'UPDATE_COMPLETE', 'UPDATE_FAILED'];

/**
 * Leaked: a container labelled with the stack that no resource of its final state owns (after a
 * delete or a rollback, any). Duplicated: more than one container for one resource.
 */
async function audit(docker, stack, state) {
  const found = await docker.listContainers({ all: true, filters: { label: [`org.stoke.stack=${stack}`] } });
  const owned = new Set(Object.values(state.resources ?? {})
    .filter((r) => (r.status === 'CREATE_COMPLETE' || r.status === 'UPDATE_COMPLETE') && r.physicalId)
    .map((r) => r.physicalId));
  const perResource = new Map();
  for (const c of found) {
    const key = `${c.Labels['org.stoke.stack-id']}/${c.Labels['org.stoke.resource']}`;
    perResource.set(key, (perResource.get(key) ?? 0) + 1);
  }
  return {
    containers: found.length,
    running: found.filter((c) => c.State === 'running').length,
    stopped: found.filter((c) => c.State !== 'running').map((c) => `${c.Labels['org.stoke.resource']} ${c.Status}`),
    leaked: found.filter((c) => !owned.has(c.Id)).length,
    duplicated: [...perResource.values()].reduce((n, count) => n + Math.max(0, count - 1), 0),
  };
}

/** An audit as one run's log reads it, naming any container that is not running. */
const auditLine = (counts) => `containers ${counts.containers} (running ${counts.running}${counts.stopped.length ? `; ${counts.stopped.join(', ')}` : ''}), leaked ${counts.leaked}, duplicated ${counts.duplicated}`;

/** Within `limitMs` a stack must be final; one that is not is terminated and counted as not completed. */
async function waitFinal(handles, name, limitMs = 180_000) {
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), limitMs)));
  const state = await Promise.race([handles.result(name), late]);
  clearTimeout(timer);
  if (state && FINAL.includes(state.status)) return state;
  const live = await handles.stacks.state(name).catch(() => ({ resources: {} }));
  await handles.client.workflow.getHandle(`stack:${name}`).terminate('chaos: not final in time').catch(() => undefined);
  return { ...live, status: 'NOT FINAL', statusReason: `not final after ${limitMs / 1000} s (${live.status}: ${live.statusReason})` };
}

/** A final status with its reason when it is not the plain success of the action. */
const outcome = (state, action) => (state.status === `${action}_COMPLETE` ? state.status : `${state.status} (${state.statusReason})`);

/** The worker, Temporal and clients one scenario runs on; `env` is what the worker child sees. */
async function scenarioWorld(env) {
  const { loadConfig } = lib.requireBuilt('src/config');
  const config = loadConfig(env);
  const world = { config, env, worker: await lib.startWorker(env) };
  world.handles = await lib.clients(config);
  world.restartWorker = async () => {
    world.worker = await lib.startWorker(env);
  };
  world.close = async () => {
    await world.handles.close();
    await lib.stopWorker(world.worker);
  };
  return world;
}

function processesNaming(text) {
  return fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}

function childrenOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function stopProcess(pid, signal = 'SIGTERM') {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await lib.sleep(100);
  }
  process.kill(pid, 'SIGKILL');
}

/** R1: the worker dies with SIGKILL at a random moment of a create or a delete. */
async function r1({ runs, random, say, dockerEndpoint }) {
  const docker = lib.dockerClient(dockerEndpoint);
  const world = await scenarioWorld({ ...process.env });
  const rows = [];
  const template = tenContainers();
  try {
    for (let run = 0; run < runs; run++) {
      const name = `chaos-r1-${process.pid}-${run}`;
      const action = run % 2 === 0 ? 'create' : 'delete';
      if (action === 'delete') {
        await world.handles.stacks.create(lib.loadPlan(name, template));
        const made = await world.handles.result(name);
        if (made.status !== 'CREATE_COMPLETE') throw new Error(`R1 setup of ${name}: ${made.status}`);
      }
      const delayMs = Math.floor(random() * (action === 'create' ? 3000 : 1000));
      const start = Date.now();
      if (action === 'create') await world.handles.stacks.create(lib.loadPlan(name, template));
      else await world.handles.stacks.delete(name);
      await lib.sleep(delayMs);
      const atKill = (await docker.listContainers({ all: true, filters: { label: [`org.stoke.stack=${name}`] } })).length;
      world.worker.kill('SIGKILL');
      await new Promise((resolve) => world.worker.once('exit', resolve));
      await world.restartWorker();
      const final = await waitFinal(world.handles, name);
      const counts = await audit(docker, name, final);
      say(`R1 run ${run + 1}: ${action} killed after ${delayMs} ms (${atKill} containers then) -> ${outcome(final, action.toUpperCase())} in ${((Date.now() - start) / 1000).toFixed(1)} s; ${auditLine(counts)}`);
      rows.push({ completed: final.status === `${action.toUpperCase()}_COMPLETE`, ...counts });
      if (action === 'create' && final.status === 'CREATE_COMPLETE') {
        await world.handles.stacks.delete(name);
        const gone = await world.handles.result(name);
        const after = await audit(docker, name, gone);
        if (gone.status !== 'DELETE_COMPLETE' || after.containers > 0) rows.at(-1).leaked += after.containers;
      }
    }
  } finally {
    await world.close();
  }
  return rows;
}

/**
 * R6's stack: two containers and two nested stacks of one template, each with two containers and a nested
 * stack of two more; ten containers in five stacks, three levels. Each level's nested stack comes after its
 * containers, so a kill after the first nested container lands while children are being created.
 */
function nestedTemplates() {
  const cmd = JSON.stringify(lib.SLEEPER_CMD);
  const pair = (more = '') => `  c0: {type: DockerInc::Docker::Container, properties: {image: busybox, cmd: ${cmd}}}\n`
    + `  c1: {type: DockerInc::Docker::Container, depends_on: c0, properties: {image: busybox, cmd: ${cmd}}}\n${more}`;
  const head = 'heat_template_version: 2016-10-14\nresources:\n';
  return {
    template: head + pair('  left: {type: child.yaml}\n  right: {type: child.yaml}\n'),
    files: { 'child.yaml': head + pair('  deeper: {type: grandchild.yaml, depends_on: c1}\n'), 'grandchild.yaml': head + pair() },
  };
}
const NESTED_CONTAINERS = 10;

/** The containers of a stack and of the stacks nested in it: a nested stack's name starts with its parent's. */
async function containersUnder(docker, stack) {
  const all = await docker.listContainers({ all: true, filters: { label: ['org.stoke.stack'] } });
  return all.filter((c) => c.Labels['org.stoke.stack'] === stack || c.Labels['org.stoke.stack'].startsWith(`${stack}-`));
}

/**
 * An audit of a stack with nested stacks: leaked, a container that no complete resource of its own stack owns
 * (after a delete, any); duplicated, more than one container for one resource of one stack.
 */
async function nestedAudit(docker, handles, stack) {
  const found = await containersUnder(docker, stack);
  const owned = new Set();
  for (const name of new Set(found.map((c) => c.Labels['org.stoke.stack']))) {
    const state = await handles.stacks.state(name).catch(() => ({ resources: {} }));
    for (const r of Object.values(state.resources)) if ((r.status === 'CREATE_COMPLETE' || r.status === 'UPDATE_COMPLETE') && r.physicalId) owned.add(r.physicalId);
  }
  const perResource = new Map();
  for (const c of found) {
    const key = `${c.Labels['org.stoke.stack-id']}/${c.Labels['org.stoke.resource']}`;
    perResource.set(key, (perResource.get(key) ?? 0) + 1);
  }
  return {
    containers: found.length,
    stacks: new Set(found.map((c) => c.Labels['org.stoke.stack'])).size,
    running: found.filter((c) => c.State === 'running').length,
    stopped: found.filter((c) => c.State !== 'running').map((c) => `${c.Labels['org.stoke.resource']} ${c.Status}`),
    leaked: found.filter((c) => !owned.has(c.Id)).length,
    duplicated: [...perResource.values()].reduce((n, count) => n + Math.max(0, count - 1), 0),
  };
}

/**
 * R6: the worker dies with SIGKILL while the nested stacks of a three-level create are being created (after
 * the first container of a nested stack, plus a random moment). Completed: CREATE_COMPLETE with all ten
 * containers, one per resource, in five stacks; the delete after it must leave none.
 */
async function r6({ runs, random, say, dockerEndpoint }) {
  const docker = lib.dockerClient(dockerEndpoint);
  const world = await scenarioWorld({ ...process.env });
  const rows = [];
  const { template, files } = nestedTemplates();
  try {
    for (let run = 0; run < runs; run++) {
      const name = `chaos-r6-${process.pid}-${run}`;
      const start = Date.now();
      await world.handles.stacks.create(lib.loadPlan(name, template, {}, files));
      const nestedFrom = Date.now();
      for (;;) {
        if ((await containersUnder(docker, name)).some((c) => c.Labels['org.stoke.stack'] !== name)) break;
        if (Date.now() - nestedFrom > 120_000) throw new Error(`R6 ${name}: no nested container after 120 s`);
        await lib.sleep(50);
      }
      const delayMs = Math.floor(random() * 1500);
      await lib.sleep(delayMs);
      const atKill = await containersUnder(docker, name);
      world.worker.kill('SIGKILL');
      await new Promise((resolve) => world.worker.once('exit', resolve));
      await world.restartWorker();
      const final = await waitFinal(world.handles, name);
      const counts = await nestedAudit(docker, world.handles, name);
      say(`R6 run ${run + 1}: nested create killed ${delayMs} ms after the first nested container (${atKill.length} containers then, in ${new Set(atKill.map((c) => c.Labels['org.stoke.stack'])).size} stacks) -> ${outcome(final, 'CREATE')} in ${((Date.now() - start) / 1000).toFixed(1)} s; ${auditLine(counts)} in ${counts.stacks} stacks`);
      const completed = final.status === 'CREATE_COMPLETE' && counts.containers === NESTED_CONTAINERS && counts.stacks === 5;
      rows.push({ completed, ...counts });
      await world.handles.stacks.delete(name);
      const gone = await world.handles.result(name);
      const after = await containersUnder(docker, name);
      say(`R6 run ${run + 1}: delete -> ${outcome(gone, 'DELETE')}; ${after.length} containers left`);
      if (gone.status !== 'DELETE_COMPLETE' || after.length > 0) rows.at(-1).leaked += after.length;
    }
  } finally {
    await world.close();
  }
  return rows;
}

/** Each resource's container id and start time, as the engine has them. */
async function containersOf(docker, state) {
  const out = {};
  for (const [name, r] of Object.entries(state.resources)) {
    const info = await docker.getContainer(r.physicalId).inspect().catch(() => undefined);
    out[name] = { id: r.physicalId, startedAt: info?.State.StartedAt, memory: info?.HostConfig.Memory, env: info?.Config.Env ?? [] };
  }
  return out;
}

/**
 * After R4's update or its rollback: the containers the update leaves unchanged that were replaced or
 * restarted (`moved`), and the containers that do not run what the final template says (`wrong`).
 */
async function updateAudit(docker, state, before) {
  const updated = state.status === 'UPDATE_COMPLETE';
  const after = await containersOf(docker, state);
  const moved = R4.unchanged.filter((name) => after[name]?.id !== before[name].id || after[name]?.startedAt !== before[name].startedAt);
  const wrong = Object.keys(before).filter((name) => after[name]?.memory !== r4Memory(name, updated) || !after[name]?.env.includes(r4Env(name, updated)));
  return { moved, wrong };
}

/**
 * R4: the worker dies with SIGKILL at a random moment of an update of ten containers (three changed in place,
 * three replaced, four unchanged). Completed: the update or its rollback completed, the unchanged containers
 * kept their ids and were not restarted, and every container runs what the final template says.
 */
async function r4({ runs, random, say, dockerEndpoint }) {
  const docker = lib.dockerClient(dockerEndpoint);
  const world = await scenarioWorld({ ...process.env });
  const rows = [];
  try {
    for (let run = 0; run < runs; run++) {
      const name = `chaos-r4-${process.pid}-${run}`;
      await world.handles.stacks.create(lib.loadPlan(name, r4Template(false)));
      const made = await world.handles.result(name);
      if (made.status !== 'CREATE_COMPLETE') throw new Error(`R4 setup of ${name}: ${made.status} ${made.statusReason}`);
      const before = await containersOf(docker, made);
      const delayMs = Math.floor(random() * 1500);
      const start = Date.now();
      await world.handles.stacks.update(lib.loadPlan(name, r4Template(true)));
      await lib.sleep(delayMs);
      const atKill = await world.handles.stacks.state(name).catch((err) => ({ status: err.message, resources: {} }));
      world.worker.kill('SIGKILL');
      await new Promise((resolve) => world.worker.once('exit', resolve));
      await world.restartWorker();
      const final = await waitFinal(world.handles, name);
      const counts = await audit(docker, name, final);
      const { moved, wrong } = await updateAudit(docker, final, before);
      const done = Object.values(atKill.resources).filter((r) => r.status === 'UPDATE_COMPLETE').length;
      say(`R4 run ${run + 1}: update killed after ${delayMs} ms (${atKill.status}, ${done} resources updated then) -> ${outcome(final, 'UPDATE')} in ${((Date.now() - start) / 1000).toFixed(1)} s; ${auditLine(counts)}; unchanged replaced or restarted: ${moved.join(', ') || 'none'}; not as the template says: ${wrong.join(', ') || 'none'}`);
      const completed = (final.status === 'UPDATE_COMPLETE' || final.status === 'ROLLBACK_COMPLETE') && moved.length === 0 && wrong.length === 0;
      rows.push({ completed, ...counts });
      await world.handles.stacks.delete(name);
      const gone = await world.handles.result(name);
      const after = await audit(docker, name, gone);
      if (gone.status !== 'DELETE_COMPLETE' || after.containers > 0) rows.at(-1).leaked += after.containers;
    }
  } finally {
    await world.close();
  }
  return rows;
}

/** R2: a dev server of our own (SQLite file, own port and state folder) is stopped and restarted mid-create. */
async function r2({ runs, random, say, dockerEndpoint }) {
  const runtime = lib.requireBuilt('src/runtime/runtime');
  const { loadConfig } = lib.requireBuilt('src/config');
  const { prepareNamespace } = lib.requireBuilt('src/runtime/worker');
  // The Temporal CLI the project already installed (or installs once), never one per temp folder.
  const binary = runtime.temporalBinary(loadConfig(), (m) => say(`[setup] ${m}`));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-chaos-r2-'));
  const env = {
    ...process.env, STOKE_HOME: home, STOKE_DEV_PORT: String(await lib.freePort()), TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: 'default',
    PATH: `${path.dirname(binary)}${path.delimiter}${process.env.PATH}`, DOCKER_HOST: dockerEndpoint,
  };
  const config = loadConfig(env);
  const savedPath = process.env.PATH;
  process.env.PATH = env.PATH;
  const log = (m) => say(`[r2] ${m}`);
  let server = await runtime.ensureTemporal(config, log);
  await prepareNamespace(config);
  const docker = lib.dockerClient(dockerEndpoint);
  const world = await scenarioWorld(env);
  const rows = [];
  try {
    for (let run = 0; run < runs; run++) {
      const name = `chaos-r2-${process.pid}-${run}`;
      const start = Date.now();
      await world.handles.stacks.create(lib.loadPlan(name, tenContainers()));
      const delayMs = 300 + Math.floor(random() * 2000);
      await lib.sleep(delayMs);
      const atStop = (await docker.listContainers({ all: true, filters: { label: [`org.stoke.stack=${name}`] } })).length;
      await runtime.stopServices([server], log);
      await lib.sleep(2000);
      server = await runtime.ensureTemporal(config, log);
      const final = await waitFinal(world.handles, name);
      const counts = await audit(docker, name, final);
      say(`R2 run ${run + 1}: dev server stopped after ${delayMs} ms (${atStop} containers then), down 2 s -> ${outcome(final, 'CREATE')} in ${((Date.now() - start) / 1000).toFixed(1)} s; ${auditLine(counts)}`);
      rows.push({ completed: final.status === 'CREATE_COMPLETE', ...counts });
      await world.handles.stacks.delete(name);
      const gone = await world.handles.result(name);
      const after = await audit(docker, name, gone);
      if (after.containers > 0) rows.at(-1).leaked += after.containers;
    }
  } finally {
    await world.close();
    if (server) await runtime.stopServices([server], log);
    process.env.PATH = savedPath;
    fs.rmSync(home, { recursive: true, force: true });
  }
  return rows;
}

/**
 * R3: a dockerd of our own, on its own bridge (a private /24 away from the shared engine's 172.17),
 * with its own data, exec root and socket, is stopped and started again in the middle of a create.
 * It runs with --live-restore, as a production engine should, so running containers survive it.
 */
async function r3({ runs, random, say }) {
  const runtime = lib.requireBuilt('src/runtime/runtime');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-chaos-r3-'));
  const bridge = `stokech${process.pid % 100000}`;
  const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
  const socket = path.join(home, 'docker.sock');
  const endpoint = `unix://${socket}`;
  const log = (m) => say(`[r3] ${m}`);
  const config = { stateDir: home, runDir: home };
  const startDockerd = async () => {
    const service = runtime.startDaemon(config, 'dockerd', 'dockerd', [
      '--bridge', bridge, '--live-restore', '--storage-driver=vfs', '--iptables=false', '--ip6tables=false',
      '--host', endpoint, '--data-root', path.join(home, 'data'), '--exec-root', path.join(home, 'exec'),
      '--pidfile', path.join(home, 'engine.pid'),
    ]);
    const docker = lib.dockerClient(endpoint);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await docker.ping();
        return service;
      } catch {
        if (Date.now() > deadline) throw new Error(`our dockerd did not start: ${fs.readFileSync(path.join(home, 'dockerd.log'), 'utf8').slice(-2000)}`);
        await lib.sleep(250);
      }
    }
  };
  execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  let dockerd;
  let world;
  const rows = [];
  try {
    execFileSync('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    execFileSync('ip', ['link', 'set', bridge, 'up']);
    dockerd = await startDockerd();
    log(`dockerd on ${endpoint}, bridge ${bridge} ${subnet}.0/24`);
    await runtime.ensureImages(endpoint, log);
    const docker = lib.dockerClient(endpoint);
    world = await scenarioWorld({ ...process.env, DOCKER_HOST: endpoint, STOKE_TASK_QUEUE: `${process.env.STOKE_TASK_QUEUE}-r3` });
    for (let run = 0; run < runs; run++) {
      const name = `chaos-r3-${process.pid}-${run}`;
      const start = Date.now();
      await world.handles.stacks.create(lib.loadPlan(name, tenContainers()));
      const delayMs = 300 + Math.floor(random() * 1500);
      await lib.sleep(delayMs);
      const atStop = (await docker.listContainers({ all: true, filters: { label: [`org.stoke.stack=${name}`] } })).length;
      // Only dockerd, as `systemctl restart docker` does (KillMode=process): with --live-restore its
      // containerd and the containers' shims keep running and the new dockerd takes them over.
      await stopProcess(dockerd.pid);
      log(`dockerd (pid ${dockerd.pid}) stopped`);
      await lib.sleep(1000);
      dockerd = await startDockerd();
      const final = await waitFinal(world.handles, name);
      const counts = await audit(docker, name, final);
      say(`R3 run ${run + 1}: dockerd stopped after ${delayMs} ms (${atStop} containers then), down 1 s -> ${outcome(final, 'CREATE')} in ${((Date.now() - start) / 1000).toFixed(1)} s; ${auditLine(counts)}`);
      // A create that failed must have rolled back to nothing; one that completed must own everything.
      rows.push({ completed: final.status === 'CREATE_COMPLETE' || (final.status === 'ROLLBACK_COMPLETE' && counts.containers === 0), ...counts });
      if (final.status === 'CREATE_COMPLETE') {
        await world.handles.stacks.delete(name);
        const gone = await world.handles.result(name);
        const after = await audit(docker, name, gone);
        if (after.containers > 0) rows.at(-1).leaked += after.containers;
      }
    }
  } finally {
    if (world) await world.close();
    // How often the engine refused a start after its restart (a task or containerd object kept from
    // the interrupted start): the fault the container activity recovers from by replacing the container.
    const log2 = fs.existsSync(path.join(home, 'dockerd.log')) ? fs.readFileSync(path.join(home, 'dockerd.log'), 'utf8') : '';
    say(`R3 engine refused a start for a task kept from before its restart ${(log2.match(/start returned error: (task [0-9a-f]+: already exists|id already in use)/g) ?? []).length} times`);
    if (dockerd) {
      const docker = lib.dockerClient(endpoint);
      const left = await docker.listContainers({ all: true }).catch(() => []);
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      await runtime.stopServices([dockerd], log);
      // The containerd and shims that outlived a restarted dockerd are ours: they name our exec root.
      for (const pid of processesNaming(path.join(home, 'exec'))) {
        for (const child of childrenOf(pid)) await stopProcess(child, 'SIGKILL');
        await stopProcess(pid, 'SIGKILL');
      }
    }
    spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    // dockerd may leave its data root mounted on itself.
    spawnSync('umount', ['-R', path.join(home, 'data')], { stdio: 'ignore' });
    fs.rmSync(home, { recursive: true, force: true });
  }
  return rows;
}

function summarize(id, what, rows) {
  const sum = (key) => rows.reduce((n, r) => n + r[key], 0);
  return [id, what, rows.length, rows.filter((r) => r.completed).length, sum('leaked'), sum('duplicated')];
}

/**
 * Runs the chosen scenarios, R1, R4 and R6 `runs` times and R2, R3 `restarts` times each; returns their summary
 * rows (used by `npm run chaos` and the jest suite).
 */
async function runChaos({ runs = 20, restarts = 4, scenarios = ['R1', 'R2', 'R3', 'R4', 'R6', 'R9'], seed = Date.now() % 100000, say = console.log } = {}) {
  const random = seeded(seed);
  say(`stoke chaos ${new Date().toISOString()}: ${lib.machine()}; seed ${seed}; R1/R4/R6 ${runs} runs (R9a ${runs} stacks), R2/R3/R9b-d ${restarts} runs`);
  const setup = await lib.setup('chaos');
  const ctx = { random, say, dockerEndpoint: setup.dockerEndpoint };
  const summary = [];
  try {
    if (scenarios.includes('R1')) summary.push(summarize('R1', 'worker SIGKILL mid create/delete', await r1({ ...ctx, runs })));
    if (scenarios.includes('R2')) summary.push(summarize('R2', 'Temporal dev server restart mid create', await r2({ ...ctx, runs: restarts })));
    if (scenarios.includes('R3')) summary.push(summarize('R3', 'dockerd restart mid create', await r3({ ...ctx, runs: restarts })));
    if (scenarios.includes('R4')) summary.push(summarize('R4', 'worker SIGKILL mid update', await r4({ ...ctx, runs })));
    if (scenarios.includes('R6')) summary.push(summarize('R6', 'worker SIGKILL mid nested create (3 levels)', await r6({ ...ctx, runs })));
    if (scenarios.includes('R9')) {
      const checks = { audit, auditLine, outcome, waitFinal };
      for (const [id, what, rows] of await r9({ ...ctx, stacks: runs, restarts, checks })) summary.push(summarize(id, what, rows));
    }
  } finally {
    await setup.stop();
  }
  say('');
  say(lib.table(['id', 'fault', 'runs', 'completed', 'leaked', 'duplicated'], summary));
  return summary;
}

module.exports = { runChaos };

if (require.main === module) {
  const args = process.argv.slice(2);
  const option = (flag, fallback) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : fallback);
  const runs = option('--runs', Number(process.env.CHAOS_RUNS || 20));
  const restarts = option('--restarts', Math.max(1, Math.ceil(runs / 5)));
  const scenarios = args.filter((a) => /^R\d$/i.test(a)).map((a) => a.toUpperCase());
  const { say, file } = lib.recorder('chaos');
  runChaos({ runs, restarts, scenarios: scenarios.length ? scenarios : undefined, seed: process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined, say })
    .then((summary) => {
      say(`\nraw log: ${path.relative(lib.ROOT, file)}`);
      const bad = summary.some(([, , total, completed, leaked, duplicated]) => completed !== total || leaked > 0 || duplicated > 0);
      process.exit(bad ? 1 : 0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
