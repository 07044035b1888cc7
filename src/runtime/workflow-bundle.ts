/**
 * Run by the worker as a short-lived child: bundles the workflow code (webpack) into a file, so the
 * bundler's memory is returned to the system instead of staying in the long-running worker.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { StokeError } from '../errors';

async function main(): Promise<void> {
  const [out, workflowsPath, failureConverterPath] = process.argv.slice(2);
  if (!out || !workflowsPath) throw new StokeError('Usage', 'usage: workflow-bundle OUT WORKFLOWS_PATH [FAILURE_CONVERTER_PATH]');
  const { code } = await bundleWorkflowCode({
    workflowsPath, failureConverterPath: failureConverterPath || undefined, logger: new DefaultLogger('WARN'),
    preloadModules: [path.join(path.dirname(workflowsPath), 'sandbox')],
  });
  fs.writeFileSync(out, code, { mode: 0o600 });
}

main().catch((err) => {
  // A bundling failure's stack says where in the workflow code; a usage error needs only its message.
  console.error(StokeError.isStokeError(err) ? err.message : err);
  process.exit(1);
});
