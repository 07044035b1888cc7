/**
 * How long reading and validating takes, client side, before any workflow starts: every template of
 * the compatibility corpus, and one generated 1000-resource template. Prints figures; asserts nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { templateFiles } from '../src/template/load';
import { parseFile } from '../src/template/parse';
import { planStack } from '../src/template/plan';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const corpus = path.resolve(__dirname, '..', '..', 'test', 'corpus');

function templates(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return templates(full);
    return /\.(ya?ml|template)$/.test(entry.name) && !entry.name.endsWith('_env.yaml') ? [full] : [];
  });
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function large(n: number): string {
  const lines = ['heat_template_version: 2018-08-31', 'parameters:', '  prefix: {type: string, default: app}', 'resources:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  r${i}:`, '    type: OS::Heat::RandomString', '    properties:');
    lines.push(i === 0 ? '      length: 8' : `      salt: {str_replace: {template: "$p-$v", params: {$p: {get_param: prefix}, $v: {get_attr: [r${Math.floor((i - 1) / 2)}, value]}}}}`);
  }
  lines.push('outputs:', `  last: {value: {get_attr: [r${n - 1}, value]}}`);
  return `${lines.join('\n')}\n`;
}

function run(): void {
  const files = templates(corpus).map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
  const perFile: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const { file, text } of files) {
      perFile.push(timed(() => planStack({ stackName: 'bench', template: parseFile(text, file), mode: 'validate', ...templateFiles(file) })));
    }
  }
  console.log(`corpus: ${files.length} files x ${ROUNDS} rounds, parse+validate per file: median ${percentile(perFile, 50).toFixed(2)} ms, p95 ${percentile(perFile, 95).toFixed(2)} ms, max ${Math.max(...perFile).toFixed(2)} ms`);

  for (const n of [100, 1000]) {
    const text = large(n);
    const times: number[] = [];
    let errors = 0;
    for (let round = 0; round < ROUNDS; round++) {
      times.push(timed(() => {
        errors = planStack({ stackName: 'bench', template: parseFile(text, 'large.yaml') }).errors.length;
      }));
    }
    console.log(`generated: ${n} resources (${(text.length / 1024).toFixed(0)} KiB), parse+validate+plan: median ${percentile(times, 50).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms, ${errors} errors`);
  }
}

run();
