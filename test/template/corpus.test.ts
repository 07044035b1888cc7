/**
 * Every file of the compatibility corpus (public Heat templates, copied into test/template/corpus with their
 * STATS.md) must parse to the values Heat's own loader gives (HEAT-LOAD.sha256.json, made with
 * PyYAML by heat-load-hashes.py); every template either validates or fails only with clean errors
 * (file, line, column, template path), and nothing may crash.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../src/template/parse';
import { templateFiles } from '../../src/template/load';
import { planStack } from '../../src/template/plan';
import type { Json } from '../../src/template/types';

const root = path.join(__dirname, 'corpus');

function dataFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return dataFiles(full);
    return /\.(ya?ml|template)$/.test(entry.name) ? [full] : [];
  }).sort();
}

/** The serialization heat-load-hashes.py hashes: sorted keys, no spaces, integral numbers without a fraction. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`).join(',')}}`;
  return JSON.stringify(value);
}

/** What Heat's own loader (PyYAML over libyaml, or json) gives each file, as hashes of canonical JSON. */
const heatLoad = JSON.parse(fs.readFileSync(path.join(root, 'HEAT-LOAD.sha256.json'), 'utf8')) as Record<string, string>;

const isTemplate = (data: unknown): boolean => typeof data === 'object' && data !== null && !Array.isArray(data)
  && ['heat_template_version', 'HeatTemplateFormatVersion', 'AWSTemplateFormatVersion'].some((key) => key in data);

/** A template that fails only for types stoke lacks, or refuses as having no local meaning. */
const TYPE_MISSING = ['UnknownResourceType', 'UnsupportedResourceType'];

test('the corpus parses like Heat parses it and validates cleanly', () => {
  const files = dataFiles(root);
  const figures = { files: files.length, parsed: 0, sameAsHeat: 0, templates: 0, validated: 0, unsupportedTypeOnly: 0, otherErrors: 0 };
  const unclean: string[] = [];
  const differentFromHeat: string[] = [];
  /** For each type stoke lacks (or refuses as having no local meaning), the templates that fail for it: what to add next, most-used first. */
  const missing = new Map<string, Set<string>>();
  const otherErrors: string[] = [];
  for (const file of files) {
    const relative = path.relative(root, file);
    const parsed = parseFile(fs.readFileSync(file, 'utf8'), relative);
    expect(parsed.errors.map((e) => `${relative}: ${e.message}`)).toEqual([]);
    figures.parsed++;
    if (crypto.createHash('sha256').update(canonical(parsed.data)).digest('hex') === heatLoad[relative]) figures.sameAsHeat++;
    else differentFromHeat.push(relative);
    if (!isTemplate(parsed.data) || /_env\.yaml$/.test(file)) continue;
    figures.templates++;
    // Upstream's CI passes X_env.yaml as the environment of X.yaml.
    const envFile = file.replace(/\.yaml$/, '_env.yaml');
    const environments = envFile !== file && fs.existsSync(envFile) ? [parseFile(fs.readFileSync(envFile, 'utf8'), path.relative(root, envFile))] : [];
    const result = planStack({ stackName: 'corpus', template: parsed, environments, mode: 'validate', ...templateFiles(file) });
    for (const issue of result.errors) {
      if (!issue.file || !issue.line || !issue.column || typeof issue.path !== 'string' || !issue.message) unclean.push(`${relative}: ${JSON.stringify(issue)}`);
    }
    for (const issue of result.errors) {
      const unknown = issue.code === 'UnknownResourceType' ? /unknown resource type '([^']+)'/.exec(issue.message)?.[1] : undefined;
      const refused = issue.code === 'UnsupportedResourceType' ? /unsupported: '([^']+)'/.exec(issue.message)?.[1] : undefined;
      const type = unknown ?? (refused && `${refused} (no local meaning)`);
      if (type) (missing.get(type) ?? missing.set(type, new Set()).get(type)!).add(relative);
    }
    if (result.errors.length === 0) figures.validated++;
    else if (result.errors.every((e) => TYPE_MISSING.includes(e.code))) figures.unsupportedTypeOnly++;
    else {
      figures.otherErrors++;
      otherErrors.push(`${relative}: ${result.errors.filter((e) => !TYPE_MISSING.includes(e.code)).map((e) => `${e.code} at ${e.path}`).join('; ')}`);
    }
  }
  console.log(`corpus: ${figures.files} files, ${figures.parsed} parsed (${figures.sameAsHeat} to Heat's values), ${figures.templates} templates, ${figures.validated} validated, ` +
    `${figures.unsupportedTypeOnly} unsupported-type only, ${figures.otherErrors} other errors`);
  const byUse = [...missing].sort(([a, x], [b, y]) => y.size - x.size || a.localeCompare(b));
  console.log(`types still missing (templates that name each):\n${byUse.map(([type, templates]) => `${String(templates.size).padStart(4)}  ${type}`).join('\n')}`);
  console.log(`templates failing for other reasons than types:\n${otherErrors.join('\n')}`);
  expect(unclean).toEqual([]);
  expect(differentFromHeat).toEqual([]);
  expect(Object.keys(heatLoad).length).toBe(files.length);
  expect(figures.parsed).toBe(figures.files);
  // Floors, so that a regression fails: raise them when stoke validates more of the corpus.
  expect(figures.templates).toBe(149);
  expect(figures.validated).toBeGreaterThanOrEqual(64);
  expect(figures.otherErrors).toBeLessThanOrEqual(31);
});
