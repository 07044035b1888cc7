// ESLint for stoke: typescript-eslint's recommended rules, and the fence around workflow code.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import ts from 'typescript';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Modules that workflow code must never load at run time: Temporal runs workflows in a deterministic
 * sandbox (webpack bundle) where Node's I/O, Docker and the worker/client/activity SDKs either do not
 * exist or would break replay. Type-only imports are erased by the compiler, so they stay allowed.
 */
const nodeOnly = 'workflow code runs in the deterministic sandbox: Node and side effects belong in activities';
const workflowFence = {
  paths: [
    ...builtinModules.filter((name) => !name.startsWith('_')).map((name) => ({ name, message: nodeOnly, allowTypeImports: true })),
    ...['dockerode', '@temporalio/worker', '@temporalio/client', '@temporalio/activity', '@temporalio/testing'].map((name) => ({
      name,
      message: nodeOnly,
      allowTypeImports: true,
    })),
  ],
  patterns: [
    { regex: '^node:', message: nodeOnly, allowTypeImports: true },
    { regex: '^(dockerode|@temporalio/(worker|client|activity|testing))/', message: nodeOnly, allowTypeImports: true },
    {
      // Relative imports only exist in this repository, so a path segment names the folder it reaches.
      regex: '^\\.{1,2}/(.*/)?(activities|resources|runtime|client|gateway|cli)(/|$)',
      message: 'workflow code may not load activities or src/{resources,runtime,client,gateway,cli} (use `import type`)',
      allowTypeImports: true,
    },
  ],
};

/** Folders workflow code may not reach; the closure below does not follow imports into them. */
const outsideFence = /^(activities|src\/(resources|runtime|client|gateway|cli))(\/|$)/;

/** The file an import of `specifier` from `from` loads, for this repository's relative TypeScript imports. */
function resolveLocal(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((file) => existsSync(file));
}

/** Module specifiers a file loads at run time: `import type` and `export type … from` are erased by tsc. */
function runtimeImports(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const specifiers = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) {
      const named = statement.importClause?.namedBindings;
      const onlyTypes = !statement.importClause?.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) specifiers.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push(statement.moduleSpecifier.text);
    }
  }
  return specifiers;
}

/**
 * Every file the workflow bundle contains: workflows/ and, transitively, the repository modules they import
 * at run time. Computed at each lint so the fence follows the code as it moves. Today that is workflows/,
 * src/template/{functions,graph,redact,versions,digest}.ts and src/errors.ts; src/template/types.ts, which
 * workflows import as types only, is fenced as well: the plan's types are meant to stay shareable with them.
 */
function workflowModules() {
  const seen = new Set();
  const workflowsDir = join(root, 'workflows');
  const pending = readdirSync(workflowsDir, { recursive: true })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(workflowsDir, name));
  pending.push(join(root, 'src/template/types.ts'));
  while (pending.length > 0) {
    const file = pending.pop();
    if (seen.has(file) || !existsSync(file) || outsideFence.test(relative(root, file))) continue;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      const target = resolveLocal(file, specifier);
      if (target) pending.push(target);
    }
  }
  return [...seen].map((file) => relative(root, file)).sort();
}

const fencedFiles = ['workflows/**/*.ts', ...workflowModules().filter((file) => !file.startsWith('workflows/'))];

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.stoke/', 'test/template/corpus/', 'bench/results/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  // `const { dropped: _, ...kept } = x` is how this code leaves a field out of a copy.
  { rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] } },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    // bin/, bench/ and the jest config are plain CommonJS scripts by design.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  // Tests require() on purpose: bench/ JavaScript, which has no types, and modules loaded inside jest.isolateModules.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: fencedFiles, rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowFence] } },
);
