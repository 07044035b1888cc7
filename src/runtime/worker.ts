/** The stoke worker: runs stack workflows and their activities from one task queue. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { StackClient } from '../client/client';
import { loadCatalog } from './catalog';
import { dataConverter, EncryptionCodec, plaintextAllowed } from '../client/codec';
import { temporalAddress, type StokeConfig } from '../config';
import { ensureRunDir, SEARCH_ATTRIBUTES } from './runtime';
import { startGateway, type Gateway } from '../gateway/gateway';
import { loadSignalKey, signalBaseUrl } from '../gateway/signal';
import type { SignalIssuer } from '../resources/plugin';
import { takeOverDeadWorkers, workerIdentity } from './takeover';
import { MAX_PARALLEL } from '../../workflows/definitions';

const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;

/**
 * A stack's state is the history of its actions' workflows, and Temporal deletes a closed workflow
 * once its namespace's retention has passed: an older stack would vanish from list, show and delete
 * while its containers run on. stoke's namespaces keep closed workflows for ten years.
 */
const STACK_RETENTION_DAYS = 3650;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Registers the namespace and its StackName and StackStatus search attributes when missing, so
 * stacks can be listed through visibility on any cluster, not only on a dev server started with them.
 * A retention shorter than stacks live is raised on the embedded dev server (whose `default`
 * namespace keeps a day) and reported on a cluster stoke was pointed at, whose settings are not its own.
 */
export async function prepareNamespace(config: StokeConfig, warn: (message: string) => void = console.warn): Promise<void> {
  const connection = await Connection.connect({ address: temporalAddress(config) });
  const retention = msToTs(`${STACK_RETENTION_DAYS} days`);
  try {
    let described;
    try {
      described = await connection.workflowService.describeNamespace({ namespace: config.namespace });
    } catch (err) {
      if (!isGrpcServiceError(err) || err.code !== GRPC_NOT_FOUND) throw err;
      // Another worker starting beside this one (a cluster's two) may register it first.
      await connection.workflowService.registerNamespace({ namespace: config.namespace, workflowExecutionRetentionPeriod: retention })
        .catch((failed: unknown) => {
          if (!isGrpcServiceError(failed) || failed.code !== GRPC_ALREADY_EXISTS) throw failed;
        });
    }
    const kept = described?.config?.workflowExecutionRetentionTtl;
    const keptDays = kept ? Number(kept.seconds ?? 0) * 1000 / DAY_MS : STACK_RETENTION_DAYS;
    if (keptDays < STACK_RETENTION_DAYS && !config.temporalAddress) {
      await connection.workflowService.updateNamespace({ namespace: config.namespace, config: { workflowExecutionRetentionTtl: retention } });
    } else if (keptDays < STACK_RETENTION_DAYS) {
      const days = +keptDays.toFixed(2);
      warn(`warning: namespace '${config.namespace}' deletes closed workflows after ${days} day${days === 1 ? '' : 's'}, and a stack older than that disappears from stoke (its containers stay): `
        + `raise it with \`temporal operator namespace update -n ${config.namespace} --retention ${STACK_RETENTION_DAYS}d\``);
    }
    // A namespace just registered reaches the server's namespace cache a few seconds later.
    for (let attempt = 1; ; attempt++) {
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: config.namespace });
        const missing = SEARCH_ATTRIBUTES.filter((name) => !(name in (customAttributes ?? {})));
        if (missing.length > 0) {
          await connection.operatorService.addSearchAttributes({
            namespace: config.namespace,
            searchAttributes: Object.fromEntries(missing.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
          });
        }
        return;
      } catch (err) {
        // Not found: the namespace is not in the server's cache yet. Already exists: another worker added them first.
        if (!isGrpcServiceError(err) || (err.code !== GRPC_NOT_FOUND && err.code !== GRPC_ALREADY_EXISTS) || attempt >= 30) throw err;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  } finally {
    await connection.close();
  }
}

/** The base URL is looked up once, on the first handle, so a worker of stacks without waits never needs it. */
function signalIssuer(config: StokeConfig, dockerEndpoint: string): SignalIssuer {
  let baseUrl: Promise<string> | undefined;
  return {
    key: loadSignalKey(config),
    baseUrl: () => {
      baseUrl ??= signalBaseUrl(config, dockerEndpoint).catch((err) => {
        baseUrl = undefined;
        throw err;
      });
      return baseUrl;
    },
  };
}

/** What the workflow bundle is made from: every compiled file of this tree, the SDK that bundles it, the failure converter. */
function bundleKey(failureConverterPath: string | undefined): string {
  const root = path.resolve(__dirname, '../..');
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.js')).sort()) {
    hash.update(`${file}\0`).update(fs.readFileSync(path.join(root, file))).update('\0');
  }
  for (const sdk of ['@temporalio/worker', '@temporalio/workflow', '@temporalio/common']) hash.update(fs.readFileSync(require.resolve(`${sdk}/package.json`)));
  return hash.update(failureConverterPath ?? '').digest('hex').slice(0, 32);
}

/**
 * The workflow bundle, made in a child process: keeps about 70 MB of bundler memory out of the worker's RSS.
 * Bundling takes 3 to 14 s on a busy machine, and a restarted worker's stacks wait for it, so the bundle is
 * kept in the private run folder under the key of what it was made from, and the next worker of the same
 * tree starts without it; a worker of another tree replaces it.
 */
async function bundleWorkflows(config: StokeConfig, failureConverterPath: string | undefined): Promise<{ code: string }> {
  const dir = ensureRunDir(config);
  const kept = path.join(dir, `workflow-bundle-${bundleKey(failureConverterPath)}.js`);
  try {
    return { code: fs.readFileSync(kept, 'utf8') };
  } catch {
    // Not made yet, or removed by a worker of another tree meanwhile.
  }
  const out = path.join(dir, `workflow-bundle-${process.pid}.js`);
  try {
    await promisify(execFile)(process.execPath, [require.resolve('./workflow-bundle'), out, require.resolve('../../workflows'), failureConverterPath ?? '']);
    const code = fs.readFileSync(out, 'utf8');
    for (const old of fs.readdirSync(dir).filter((name) => /^workflow-bundle-[0-9a-f]{32}\.js$/.test(name))) fs.rmSync(path.join(dir, old), { force: true });
    fs.renameSync(out, kept);
    return { code };
  } finally {
    fs.rmSync(out, { force: true });
  }
}

/** Runs until SIGINT/SIGTERM (the SDK's own handlers), then drains and returns. */
/** `api`: serve Heat's API too, asking this token (undefined: none). */
export async function runWorker(config: StokeConfig, dockerEndpoint: string, options: { api?: { token: string | undefined } } = {}): Promise<void> {
  await prepareNamespace(config);
  // Before the worker: a port held by something else than a gateway of ours, or than the API, ends the start before any work.
  const gateway = await startGateway(config, dockerEndpoint, (message) => console.log(`stoke gateway: ${message}`));
  try {
    const api = options.api ? await (await import('../api/server')).serveApi(config, options.api.token, (message) => console.log(`stoke api: ${message}`)) : undefined;
    try {
      await runWorkerWith(config, dockerEndpoint, gateway);
    } finally {
      await api?.close();
    }
  } finally {
    await gateway?.close();
  }
}

async function runWorkerWith(config: StokeConfig, dockerEndpoint: string, gateway: Gateway | undefined): Promise<void> {
  const converter = dataConverter(config, process.env, 'worker');
  const workflowBundle = await bundleWorkflows(config, converter.failureConverterPath);
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  let stacks: Promise<StackClient> | undefined;
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      identity: workerIdentity(),
      workflowBundle,
      dataConverter: converter,
      activities: createActivities({
        dockerEndpoint, signals: signalIssuer(config, dockerEndpoint), catalog: loadCatalog(),
        // The engines stacks are placed on are the operator's: templates may name them too.
        engines: config.dockerEngines,
        endpointPolicy: { registryAuth: config.registryAuthEndpoints, allowed: config.allowedEndpoints && [...config.allowedEndpoints, ...config.dockerEngines] },
        stacks: () => (stacks ??= StackClient.connect(config)),
      }),
      maxConcurrentActivityTaskExecutions: 200,
      // In-worker types (None, RandomString) and planning run as local activities, up to MAX_PARALLEL for each stack
      // at once. With the SDK's 100 slots, twenty stacks of them (a large group's parts) queued behind each other, and
      // a workflow task whose local activities all waited for a slot timed out, losing its work (10,000 resources: 88 s, not 21 s).
      maxConcurrentLocalActivityExecutions: 1000,
      // An image pull's heartbeats carry its bytes, which `--wait` draws: sent every 2 s, not every 16 s.
      maxHeartbeatThrottleInterval: '2 seconds',
      // A stack's first workflow task schedules up to MAX_PARALLEL activities at once. The server hands them back
      // in its answer to this worker (eager execution) only for slots the worker reserved: the SDK's 3 left the
      // rest of the 50 to polls, which took them a few at a time (0.1-0.4 s at 200 containers).
      maxEagerActivityReservationsPerWorkflowTask: MAX_PARALLEL,
      // The SDK's deadlock detector interrupts an activation that runs longer than this, and Node 20 can die of the
      // interruption (`async hook stack has become corrupted`): a chain of 10,000 placeholders, all made in one
      // activation, took past the default 5 s on a busy machine and killed the worker. A real deadlock is still
      // caught, later; an activation this long still ends within the server's 10 s workflow task timeout. The SDK
      // reads the option (its defaults are overridden by what is given) but does not declare it.
      ...({ isolateExecutionTimeout: '9 seconds' } as object),
    });
    // The key id tells a worker and a CLI that disagree apart; the key itself is never printed.
    const codec = converter.payloadCodecs?.find((c): c is EncryptionCodec => c instanceof EncryptionCodec);
    const sealing = codec ? `payloads sealed with key ${codec.currentKeyId}${plaintextAllowed() ? ' (plaintext accepted)' : ''}` : 'payloads unencrypted';
    console.log(`stoke worker: task queue '${config.taskQueue}' on ${temporalAddress(config)}, Docker at ${dockerEndpoint}${gateway ? `, signal gateway on ${gateway.address}` : ''}, ${sealing}`);
    // Alongside the first polls: a failed attempt is retried as soon as this worker asks for work.
    const takingOver = takeOverDeadWorkers(config, (message) => console.log(`stoke worker: ${message}`))
      .catch((err: Error) => console.warn(`stoke worker: warning: could not look for activities of dead workers: ${err.message}`));
    await Promise.all([worker.run(), takingOver]);
  } finally {
    await (await stacks?.catch(() => undefined))?.close();
    await connection.close();
  }
}
