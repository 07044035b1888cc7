/**
 * Recorded histories of real stack actions (test/workflows/histories, written by the integration tests with
 * STOKE_RECORD_HISTORIES=1) must replay against the current workflow code: a change that would break
 * stacks already running fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Runtime, Worker, makeTelemetryFilterString, DefaultLogger } from '@temporalio/worker';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((file) => file.endsWith('.json')).sort();

beforeAll(() => {
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } } });
});

async function replay(histories: { workflowId: string; history: unknown }[]): Promise<{ workflowId: string; error?: string }[]> {
  const results: { workflowId: string; error?: string }[] = [];
  const workflowsPath = require.resolve('../../workflows');
  for await (const result of Worker.runReplayHistories({ workflowsPath }, histories as never)) {
    results.push({ workflowId: result.workflowId, ...(result.error ? { error: String(result.error.message) } : {}) });
  }
  return results;
}

const load = (file: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));

test('there are recorded histories of creates, rollbacks, deletes, checks and signalled waits', () => {
  expect(files).toEqual(expect.arrayContaining([
    'closed-handles-createStack.json',
    'linked-containers-createStack.json',
    'linked-containers-deleteStack.json',
    'local-activities-createStack.json',
    'local-activities-deleteStack.json',
    'local-creates-createStack.json',
    'local-deletes-deleteStack.json',
    // Of a delete whose sweep, after its containers' deletes, ran as a local activity too.
    'local-sweep-deleteStack.json',
    // Of containers made by local activities, one of which handed its wait for health to an ordinary activity.
    'hand-over-createStack.json',
    'rollback-createStack.json',
    'suspend-resume-suspendStack.json',
    'suspend-resume-resumeStack.json',
    'wait-condition-createStack.json',
    'cancelled-create-createStack.json',
    'sweep-deleteStack.json',
    // Of the workflows that decide by run profiles and hand activities their siblings.
    'run-profiles-linked-containers-createStack.json',
    'run-profiles-linked-containers-deleteStack.json',
    'run-profiles-local-activities-createStack.json',
    'run-profiles-rollback-createStack.json',
    'run-profiles-wait-condition-createStack.json',
    'run-profiles-closed-handles-createStack.json',
    'run-profiles-suspend-resume-suspendStack.json',
    'run-profiles-suspend-resume-resumeStack.json',
    'check-checkStack.json',
    // Of creates stopped as a whole: by `stack cancel`, and by the stack's one deadline.
    'cancel-createStack.json',
    'stack-deadline-createStack.json',
    // Of stack updates: kept, in place, replaced, added and removed resources; and one that rolled back.
    'update-updateStack.json',
    'update-rollback-updateStack.json',
    // Of placeholders made, replaced, checked, suspended and deleted by the workflow alone.
    'placeholders-createStack.json',
    'placeholders-updateStack.json',
    'placeholders-deleteStack.json',
    // Of replacements made new copy first, one of them failed and rolled back; and of a resource marked unhealthy.
    'replace-new-copy-first-updateStack.json',
    'replace-failed-updateStack.json',
    'mark-unhealthy-markResourceUnhealthy.json',
    // Of updates stopped as a whole (by `stack cancel`, by the update's deadline) and of one that waited for signals.
    'update-cancel-updateStack.json',
    'update-deadline-updateStack.json',
    'update-wait-updateStack.json',
    // Of an abandon, the adopt of what it left (containers and a random string taken, one container created) and that stack's delete.
    'abandon-adopt-abandonStack.json',
    'abandon-adopt-adoptStack.json',
    'abandon-adopt-deleteStack.json',
  ]));
});

test('every recorded history replays against the current workflow code', async () => {
  const results = await replay(files.map((file) => ({ workflowId: file, history: load(file) })));
  expect(results).toEqual(files.map((file) => ({ workflowId: file })));
});

test('a history that does not match the workflow code is detected', async () => {
  // The rollback history with its activities renamed: replay must report nondeterminism.
  const text = fs.readFileSync(path.join(dir, 'rollback-createStack.json'), 'utf8').replaceAll('"createResource"', '"somethingElse"');
  const [result] = await replay([{ workflowId: 'tampered', history: historyFromJSON(JSON.parse(text)) }]);
  expect(result!.error).toMatch(/[Nn]ondetermin/);
});
