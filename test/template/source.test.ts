/** A stack's source, and `stack update --existing`'s merge of it with what is given (Heat's PATCH rules). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mergeSource, planSource, readSourceFile } from '../../src/template/source';
import type { StackSource } from '../../src/template/types';
import { tempDir } from '../helpers';

const TEMPLATE = `heat_template_version: 2016-10-14
parameters:
  image: {type: string, default: busybox}
  greeting: {type: string, default: hello}
  pw: {type: string, hidden: true, default: from-template}
resources:
  web:
    type: OS::Heat::None
    properties: {image: {get_param: image}, greeting: {get_param: greeting}, pw: {get_param: pw}, script: {get_file: script.sh}}
`;

function folder(files: Record<string, string>): string {
  const dir = tempDir('stoke-source');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The source and resolved properties of a create from files on disk. */
function created(): StackSource {
  const dir = folder({ 'web.yaml': TEMPLATE, 'script.sh': 'echo one', 'env.yaml': 'parameters: {greeting: from-env, pw: env-secret}\n' });
  const { source } = planSource({
    template: readSourceFile(path.join(dir, 'web.yaml'), 'template'), templateFile: path.join(dir, 'web.yaml'),
    environments: [readSourceFile(path.join(dir, 'env.yaml'), 'environment')], parameters: { image: 'alpine' },
  }, { stackName: 'demo' });
  return source;
}

const properties = (input: Parameters<typeof planSource>[0]) => planSource(input, { stackName: 'demo' }).plan.resources.web!.properties;

test('a create keeps its template, environments, the files the template read, and the parameters given', () => {
  const source = created();
  expect(source.template.text).toBe(TEMPLATE);
  expect(source.environments.map((e) => e.text)).toEqual(['parameters: {greeting: from-env, pw: env-secret}\n']);
  expect(source.files).toEqual({ 'script.sh': 'echo one' });
  expect(source.parameters).toEqual({ image: 'alpine' });
});

test('--existing alone plans the stack as it was, its files read from the source, not from disk', () => {
  expect(properties(mergeSource(created(), { environments: [], parameters: {}, clear: [] })))
    .toEqual({ image: 'alpine', greeting: 'from-env', pw: 'env-secret', script: 'echo one' });
});

test('--existing --parameter merges over the stored values; a new environment is merged after the stored ones', () => {
  const env = { name: 'more.yaml', text: 'parameters: {greeting: from-new-env}\n' };
  const stored = created();
  const merged = mergeSource(stored, { environments: [env], parameters: { pw: 'new-secret' }, clear: [] });
  expect(merged.parameters).toEqual({ image: 'alpine', pw: 'new-secret' });
  expect(merged.environments.map((e) => e.name)).toEqual([stored.environments[0]!.name, 'more.yaml']);
  expect(properties(merged)).toEqual({ image: 'alpine', greeting: 'from-new-env', pw: 'new-secret', script: 'echo one' });
});

test('--clear-parameter drops the stored value, from the stored parameters and environments alike: the default applies again', () => {
  const merged = mergeSource(created(), { environments: [], parameters: {}, clear: ['image', 'pw'] });
  expect(merged.parameters).toEqual({});
  expect(properties(merged)).toEqual({ image: 'busybox', greeting: 'from-env', pw: 'from-template', script: 'echo one' });
  // The rewritten environment is what the next update's source holds: the value stays cleared.
  const next = planSource(merged, { stackName: 'demo' }).source;
  expect(properties(mergeSource(next, { environments: [], parameters: {}, clear: [] })).pw).toBe('from-template');
  // A value given with the clear, in a new environment or as --parameter, is taken.
  expect(properties(mergeSource(created(), { environments: [], parameters: { pw: 'again' }, clear: ['pw'] })).pw).toBe('again');
});

test('--existing -t: the new template, stored values it no longer declares dropped; its files read from disk, else from the source', () => {
  const dir = folder({ 'v2.yaml': `heat_template_version: 2016-10-14
parameters:
  greeting: {type: string, default: hi}
resources:
  web:
    type: OS::Heat::None
    properties: {greeting: {get_param: greeting}, script: {get_file: script.sh}, extra: {get_file: extra.txt}}
`, 'extra.txt': 'two' });
  const merged = mergeSource(created(), { template: readSourceFile(path.join(dir, 'v2.yaml'), 'template'), templateFile: path.join(dir, 'v2.yaml'), environments: [], parameters: {}, clear: [] });
  expect(merged.parameters).toEqual({});
  expect(merged.environments[0]!.text).not.toContain('pw');
  const planned = planSource(merged, { stackName: 'demo' });
  expect(planned.plan.resources.web!.properties).toEqual({ greeting: 'from-env', script: 'echo one', extra: 'two' });
  expect(planned.source.files).toEqual({ 'script.sh': 'echo one', 'extra.txt': 'two' });
});

test('an invalid merged template fails as a create would, naming the file', () => {
  const broken = { ...created(), template: { name: 'web.yaml', text: 'heat_template_version: 2016-10-14\nresources: {web: {type: Nope::Such}}\n' } };
  expect(() => planSource(mergeSource(broken, { environments: [], parameters: {}, clear: [] }), { stackName: 'demo' }))
    .toThrow(/template is invalid[\s\S]*web\.yaml:2:\d+: resources\.web/);
});
