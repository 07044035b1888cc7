/**
 * What the benchmarks and the chaos runs share: the project's own bootstrap (the built code in
 * dist/), a worker process on a task queue of their own, timing and table helpers.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'cli.js');

function requireBuilt(module) {
  const file = path.join(ROOT, 'dist', module);
  if (!fs.existsSync(`${file}.js`)) throw new Error(`stoke is not built: run \`npm run build\` first (missing ${file}.js)`);
  return require(file);
}

/** Sleeping busybox that exits on SIGTERM, so deletes measure the engine, not a 10 s grace period. */
const SLEEPER_CMD = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => String(c ?? '').padEnd(widths[i])).join(' | ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** Everything the harness prints also goes to a raw log kept in bench/results. */
function recorder(name) {
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const file = path.join(dir, `${name}-${stamp}.txt`);
  const say = (...parts) => {
    const text = parts.join(' ');
    console.log(text);
    fs.appendFileSync(file, `${text}\n`);
  };
  return { say, file };
}

/** CPU, cores, memory and load, from /proc, for the record. */
function machine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const memKb = Number(/MemTotal:\s*(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return `${model}, ${cores} cores, ${(memKb / 1024 / 1024).toFixed(1)} GiB RAM, load ${load}, node ${process.version}, ${os.release()}`;
}

/**
 * Temporal, Docker and the busybox image through the same bootstrap `stoke dev` uses; the harness gets
 * its own namespace and task queue, so it never picks up or lists anyone else's stacks.
 */
async function setup(label, env = process.env) {
  Object.assign(process.env, {
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE || 'stoke-bench',
    STOKE_TASK_QUEUE: `stoke-${label}-${process.pid}`,
  });
  const { loadConfig } = requireBuilt('src/config');
  const runtime = requireBuilt('src/runtime/runtime');
  const { prepareNamespace } = requireBuilt('src/runtime/worker');
  const config = loadConfig();
  const log = (message) => console.error(`[setup] ${message}`);
  const services = [];
  const temporal = await runtime.ensureTemporal(config, log);
  if (temporal) services.push(temporal);
  await prepareNamespace(config);
  const docker = await runtime.ensureDocker(config, log);
  if (docker.service) services.push(docker.service);
  await runtime.ensureImages(docker.endpoint, log);
  return { config, dockerEndpoint: docker.endpoint, services, stop: () => runtime.stopServices(services, log) };
}

/** A worker process of the built code; resolves once it polls. */
async function startWorker(env = process.env) {
  const child = spawn(process.execPath, [CLI, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk.toString();
      if (output.includes('stoke worker:')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return child;
}

async function stopWorker(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Resident set size of a process in bytes, from /proc (0 once it has exited). */
function rssBytes(pid) {
  try {
    return Number(/VmRSS:\s*(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** A Temporal client with stoke's data converter, plus the stack client the CLI uses. */
async function clients(config) {
  const { Client, Connection, WorkflowFailedError } = require('@temporalio/client');
  const { StackClient } = requireBuilt('src/client/client');
  const { dataConverter } = requireBuilt('src/client/codec');
  const { temporalAddress } = requireBuilt('src/config');
  const connection = await Connection.connect({ address: temporalAddress(config) });
  const client = new Client({ connection, namespace: config.namespace, dataConverter: dataConverter(config) });
  const stacks = await StackClient.connect(config);
  return {
    client,
    stacks,
    /**
     * The outcome of the stack's current action, by long poll rather than status polling; rides out a
     * Temporal server that is briefly away (the chaos runs restart one).
     */
    async result(name) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await client.workflow.getHandle(`stack:${name}`).result();
        } catch (err) {
          if (err instanceof WorkflowFailedError) return err.cause?.details?.[0] ?? { status: 'FAILED', statusReason: err.message };
          if (attempt >= 120) return { status: 'UNKNOWN', statusReason: err.message };
          await sleep(1000);
        }
      }
    },
    async close() {
      await stacks.close();
      await connection.close();
    },
  };
}

/** The plan of a template; `files` are the files it reads (nested templates), by the names it reads them by. */
function loadPlan(name, templateText, parameters = {}, files = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-bench-'));
  const file = path.join(dir, 'template.yaml');
  fs.writeFileSync(file, templateText);
  for (const [child, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, child), text);
  const { plan } = requireBuilt('src/template/load').loadPlan({ stackName: name, templateFile: file, parameters });
  fs.rmSync(dir, { recursive: true, force: true });
  return plan;
}

/** The stoke CLI as a user runs it, timed from spawn to exit. */
function cliTimed(args, env = process.env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function dockerClient(endpoint) {
  const Docker = require('dockerode');
  const { dockerOptions } = requireBuilt('src/runtime/docker-endpoint');
  return new Docker(dockerOptions(endpoint));
}

function freePort() {
  return new Promise((resolve) => {
    const server = require('node:net').createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `fn` over items with at most `limit` at once. */
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }));
  return results;
}

module.exports = {
  ROOT, CLI, SLEEPER_CMD, sleep, median, percentile, timed, table, recorder, machine, setup, startWorker, stopWorker,
  rssBytes, clients, loadPlan, cliTimed, dockerClient, pool, requireBuilt, freePort,
};
