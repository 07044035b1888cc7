/** `stoke stack abandon` and `stoke stack adopt`: the adopt data written or printed, and read back. */
import * as fs from 'node:fs';
import { StokeError } from '../errors';
import type { StackClient } from '../client/client';
import { adoptionsOf, parseAdoptData } from '../client/adopt';
import type { StackPlan } from '../template/types';

/**
 * Abandons the stack. With `outputFile` the data is written before the stack is forgotten, so that a file
 * that cannot be written loses nothing; a refused abandon takes its file back, the stack being kept.
 */
export async function abandonStack(client: StackClient, name: string, outputFile: string | undefined): Promise<void> {
  let text = '';
  let written = false;
  try {
    await client.abandon(name, (data) => {
      text = `${JSON.stringify(data, null, 2)}\n`;
      if (!outputFile) return;
      try {
        // The data holds the stack's real values, hidden parameters and random strings included.
        fs.writeFileSync(outputFile, text, { mode: 0o600 });
      } catch (err) {
        throw new StokeError('OutputFileUnwritable', `cannot write the adopt data to ${outputFile}: ${(err as Error).message}; the stack was kept`);
      }
      written = true;
    });
  } catch (err) {
    if (written && StokeError.isStokeError(err)) fs.rmSync(outputFile!, { force: true });
    throw err;
  }
  if (outputFile) console.error(`Stack ${name} abandoned: its resources were left as they are; adopt data written to ${outputFile}`);
  else process.stdout.write(text);
}

/** The adopt file read and checked against the plan; its warnings printed. */
export function readAdoption(plan: StackPlan, file: string) {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new StokeError('AdoptDataInvalid', `cannot read the adopt file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const data = parseAdoptData(text, file);
  const { adopted, warnings } = adoptionsOf(plan, data, file);
  for (const warning of warnings) console.error(`warning: ${warning}`);
  return { stackId: data.id, adopted };
}
