/**
 * The fence around workflow code (eslint.config.mjs): a workflow, or a module a workflow loads, that imports
 * Node, Docker, the worker/client/activity SDKs or an activity implementation fails the lint that `npm test` runs.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

/**
 * ESLint loads its config with a dynamic import(), which Jest's module sandbox refuses, so its Node API
 * runs in a child: `texts` are linted as if they were the named files, `dirs` as they are on disk.
 */
const runner = `
  import { ESLint } from 'eslint';
  import { readFileSync } from 'node:fs';
  const { texts, dirs } = JSON.parse(readFileSync(0, 'utf8'));
  const eslint = new ESLint();
  const results = [...(await eslint.lintFiles(dirs))];
  for (const { filePath, code } of texts) results.push(...(await eslint.lintText(code, { filePath })));
  console.log(JSON.stringify(results.map((r) => ({ filePath: r.filePath, messages: r.messages }))));
`;

interface Finding { file: string; line: number; ruleId: string | null; message: string }

function lint(texts: { filePath: string; code: string }[], dirs: string[]): Finding[] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', runner], { cwd: root, input: JSON.stringify({ texts, dirs }), encoding: 'utf8' });
  const results = JSON.parse(out) as { filePath: string; messages: Omit<Finding, 'file'>[] }[];
  return results.flatMap((r) => r.messages.map((m) => ({ ...m, file: path.relative(root, r.filePath) })));
}

const nodeImport = "import { randomBytes } from 'node:crypto';\nexport const random = randomBytes;\n";

/** Small files linted as if they stood at these paths; none is written to the tree. */
const fixtures: Record<string, string> = {
  'workflows/node-fs.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  'workflows/activity.ts': [
    "import type { createActivities } from '../activities';",
    "import { LABEL_STACK } from '../activities/docker';",
    'export const uses: [string, ReturnType<typeof createActivities> | undefined] = [LABEL_STACK, undefined];',
  ].join('\n'),
  'workflows/engine/others.ts': [
    "import * as path from 'path';",
    "import Docker from 'dockerode';",
    "import { Worker } from '@temporalio/worker';",
    "import { RESOURCE_TYPES } from '../../src/resources/registry';",
    "export { SEARCH_ATTRIBUTES } from '../../src/runtime/runtime';",
    'export const uses = [path, Docker, Worker, RESOURCE_TYPES];',
  ].join('\n'),
  'src/template/functions.ts': nodeImport,
  'src/errors.ts': nodeImport,
  'src/template/digest.ts': nodeImport,
  'src/template/load.ts': nodeImport,
  'activities/node-crypto.ts': nodeImport,
};

let findings: Finding[];
beforeAll(() => {
  findings = lint(Object.entries(fixtures).map(([filePath, code]) => ({ filePath, code })), ['workflows']);
});

/** The fence's findings in `file`, as `line: message`. */
const fenceIn = (file: string) =>
  findings.filter((f) => f.file === file && f.ruleId === '@typescript-eslint/no-restricted-imports').map((f) => `${f.line}: ${f.message}`);

test('a workflow importing node:fs is refused', () => {
  expect(fenceIn('workflows/node-fs.ts')).toEqual([expect.stringMatching(/^1: 'node:fs' import is restricted .*deterministic sandbox/)]);
});

test('a workflow importing an activity implementation is refused; a type-only import of it is allowed', () => {
  expect(fenceIn('workflows/activity.ts')).toEqual([expect.stringMatching(/^2: '\.\.\/activities\/docker' import is restricted .*import type/)]);
});

test('Node builtins, dockerode, the worker SDK, src/resources and src/runtime are refused in workflow code', () => {
  expect(fenceIn('workflows/engine/others.ts').map((f) => f.split(':')[0])).toEqual(['1', '2', '3', '4', '5']);
});

test('modules that workflows load at run time, directly or not, are fenced too; others are not', () => {
  expect(fenceIn('src/template/functions.ts')).toHaveLength(1);
  // Only functions.ts imports digest.ts: the fence follows imports transitively.
  expect(fenceIn('src/template/digest.ts')).toHaveLength(1);
  expect(fenceIn('src/errors.ts')).toHaveLength(1);
  expect(fenceIn('src/template/load.ts')).toEqual([]);
  expect(fenceIn('activities/node-crypto.ts')).toEqual([]);
});

test('workflows/ as it is passes the lint', () => {
  const onDisk = findings.filter((f) => !(f.file in fixtures));
  expect(onDisk.map((f) => `${f.file}:${f.line} ${f.ruleId}: ${f.message}`)).toEqual([]);
});
