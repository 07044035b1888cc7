/**
 * The Temporal UI tells a stack's story without JSON: each action's workflow carries a summary naming the
 * stack and the action, each activity one naming what it does to which resource. Real Temporal and Docker.
 */
import { Client, Connection } from '@temporalio/client';
import { decodeFromPayloadsAtIndex, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { dataConverter } from '../../src/client/codec';
import { loadConfig, temporalAddress } from '../../src/config';
import { SLEEPER, stoke, uniqueName, writeTemplate, useWorker } from '../helpers';

useWorker();

/** Every summary the history of the stack's latest action holds, in order, decoded as the UI's codec server would. */
async function summaries(stack: string): Promise<string[]> {
  const config = loadConfig();
  const connection = await Connection.connect({ address: temporalAddress(config) });
  try {
    const converter = dataConverter(config);
    const history = await new Client({ connection, namespace: config.namespace, dataConverter: converter }).workflow.getHandle(`stack:${stack}`).fetchHistory();
    const loaded = loadDataConverter(converter);
    const found: string[] = [];
    for (const event of (history.events ?? []) as temporal.api.history.v1.IHistoryEvent[]) {
      const summary = event.userMetadata?.summary;
      if (summary) found.push(await decodeFromPayloadsAtIndex<string>(loaded, 0, [summary]));
    }
    return found;
  } finally {
    await connection.close();
  }
}

test('a create and a delete name the stack, and each activity the resource it works on and its type', async () => {
  const stack = uniqueName('summaries');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  secret:
    type: OS::Heat::RandomString
  web:
    type: DockerInc::Docker::Container
    properties:
      image: busybox
      cmd: ${SLEEPER}
      env: [{list_join: ['=', [SECRET, {get_attr: [secret, value]}]]}]
`);
  expect(stoke('stack', 'create', stack, '-t', template, '--wait').status).toBe(0);
  expect(await summaries(stack)).toEqual([
    `create stack ${stack}`, `place stack ${stack} on an engine`, 'create OS::Heat::RandomString secret', 'create DockerInc::Docker::Container web',
  ]);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await summaries(stack)).toEqual(expect.arrayContaining([`delete stack ${stack}`, 'delete DockerInc::Docker::Container web', `sweep what stack ${stack} left`]));
});
