/** The stoke worker: runs stack workflows and their activities from one task queue. */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { temporalAddress, type StokeConfig } from './config';
import { SEARCH_ATTRIBUTES } from './runtime';

/**
 * Registers StackName and StackStatus on the namespace when missing, so stacks can be listed through
 * visibility on any cluster, not only on a dev server started with them.
 */
export async function ensureSearchAttributes(config: StokeConfig): Promise<void> {
  const connection = await Connection.connect({ address: temporalAddress(config) });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: config.namespace });
    const missing = SEARCH_ATTRIBUTES.filter((name) => !(name in (customAttributes ?? {})));
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace: config.namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
  } finally {
    await connection.close();
  }
}

/** Runs until SIGINT/SIGTERM (the SDK's own handlers), then drains and returns. */
export async function runWorker(config: StokeConfig, dockerEndpoint: string): Promise<void> {
  await ensureSearchAttributes(config);
  const connection = await NativeConnection.connect({ address: temporalAddress(config) });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      workflowsPath: require.resolve('../workflows'),
      activities: createActivities({ dockerEndpoint }),
      maxConcurrentActivityTaskExecutions: 200,
    });
    console.log(`stoke worker: task queue '${config.taskQueue}' on ${temporalAddress(config)}, Docker at ${dockerEndpoint}`);
    await worker.run();
  } finally {
    await connection.close();
  }
}
