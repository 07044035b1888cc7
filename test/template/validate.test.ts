import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadPlan, MAX_FILE_BYTES, MAX_TEMPLATE_FILES_BYTES, TemplateInvalidError } from '../../src/template/load';
import { isDeferred, MAX_REPEAT_ITEMS } from '../../src/template/functions';
import { parseFile } from '../../src/template/parse';
import type { PropertySchema } from '../../src/resources/schema';
import { checkProperty, planStack, type PlanInput } from '../../src/template/plan';
import { MASK, redactState, redactText } from '../../src/template/redact';
import type { StackState } from '../../src/template/types';
import { HOT_RELEASE_NAMES, HOT_VERSION_DATES, hotVersion } from '../../src/template/versions';

const plan = (text: string, options: Partial<PlanInput> & { env?: string[] } = {}) =>
  planStack({
    stackName: 'demo',
    template: parseFile(text, 'demo.yaml'),
    environments: (options.env ?? []).map((env, i) => parseFile(env, `env${i}.yaml`)),
    ...options,
  });
const messages = (text: string, options: Partial<PlanInput> & { env?: string[] } = {}) =>
  plan(text, options).errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`);
const hot = (version: string, body: string) => `heat_template_version: ${version}\n${body}`;

describe('template versions', () => {
  test('every dated HOT version from 2013-05-23 to 2018-08-31 and every release name is accepted', () => {
    expect(HOT_VERSION_DATES).toEqual(['2013-05-23', '2014-10-16', '2015-04-30', '2015-10-15', '2016-04-08', '2016-10-14', '2017-02-24', '2017-09-01', '2018-03-02', '2018-08-31']);
    for (const version of [...HOT_VERSION_DATES, ...Object.keys(HOT_RELEASE_NAMES)]) {
      expect(plan(hot(version, 'resources: {}\n')).errors).toEqual([]);
    }
    expect(messages(hot('2019-01-01', 'resources: {}\n'))[0]).toMatch(/^1:1 heat_template_version: unknown heat_template_version string '2019-01-01' \(known: 2013-05-23, .*rocky\)$/);
  });

  // Each function with the first version that has it, checked one version earlier and at that version.
  const introduced: [string, string, string][] = [
    ['digest', '2015-04-30', "{digest: [md5, a]}"],
    ['repeat', '2015-04-30', "{repeat: {for_each: {x: [a]}, template: x}}"],
    ['str_split', '2015-10-15', "{str_split: [',', 'a,b']}"],
    ['map_merge', '2016-04-08', '{map_merge: [{a: 1}]}'],
    ['map_replace', '2016-10-14', '{map_replace: [{a: 1}, {keys: {a: b}}]}'],
    ['if', '2016-10-14', '{if: [true, a, b]}'],
    ['filter', '2017-02-24', '{filter: [[a], [a, b]]}'],
    ['str_replace_strict', '2017-02-24', '{str_replace_strict: {template: a, params: {a: b}}}'],
    ['make_url', '2017-09-01', '{make_url: {scheme: http, host: h}}'],
    ['list_concat', '2017-09-01', '{list_concat: [[a], [b]]}'],
    ['list_concat_unique', '2017-09-01', '{list_concat_unique: [[a], [a]]}'],
    ['str_replace_vstrict', '2017-09-01', '{str_replace_vstrict: {template: a, params: {a: b}}}'],
  ];
  test.each(introduced)('%s needs heat_template_version %s', (fn, since, call) => {
    const before = HOT_VERSION_DATES[HOT_VERSION_DATES.indexOf(since) - 1]!;
    const body = `outputs:\n  o: {value: ${call}}\n`;
    expect(messages(hot(before, body))).toEqual([`3:15 outputs.o.value.${fn}: '${fn}' needs heat_template_version ${since} or later (this template is heat_template_version ${before})`]);
    expect(plan(hot(since, body)).errors).toEqual([]);
  });

  test('CFN functions are HOT functions only in 2013-05-23; Fn::Select lasts until 2015-04-30', () => {
    const body = "outputs:\n  o: {value: {'Fn::Join': ['', [a, b]]}}\n";
    expect(plan(hot('2013-05-23', body)).plan!.outputs.o!.value).toBe('ab');
    expect(messages(hot('2014-10-16', body))[0]).toContain("'Fn::Join' was removed after heat_template_version 2013-05-23 (this template is heat_template_version 2014-10-16); use list_join");
    const select = "outputs:\n  o: {value: {'Fn::Select': [1, [a, b]]}}\n";
    expect(plan(hot('2015-04-30', select)).errors).toEqual([]);
    expect(messages(hot('2015-10-15', select))[0]).toContain("'Fn::Select' was removed after heat_template_version 2015-04-30");
  });

  test('list_join of several lists needs 2015-10-15', () => {
    const body = "outputs:\n  o: {value: {list_join: [',', [a], [b]]}}\n";
    expect(messages(hot('2015-04-30', body))[0]).toContain('joining several lists needs heat_template_version 2015-10-15 or later');
    expect(plan(hot('2015-10-15', body)).plan!.outputs.o!.value).toBe('a,b');
  });

  test('repeat over a mapping needs 2016-10-14, permutations needs 2017-09-01', () => {
    const overMap = 'outputs:\n  o: {value: {repeat: {for_each: {x: {a: 1}}, template: x}}}\n';
    expect(messages(hot('2016-04-08', overMap))[0]).toContain('a mapping in for_each needs heat_template_version 2016-10-14');
    expect(plan(hot('2016-10-14', overMap)).plan!.outputs.o!.value).toEqual(['a']);
    const zipped = 'outputs:\n  o: {value: {repeat: {for_each: {x: [a, b], y: [c, d]}, template: xy, permutations: false}}}\n';
    expect(messages(hot('2017-02-24', zipped))[0]).toContain('"permutations" needs heat_template_version 2017-09-01');
    expect(plan(hot('2017-09-01', zipped)).plan!.outputs.o!.value).toEqual(['ac', 'bd']);
  });

  test('get_attr with only a resource name needs 2015-10-15', () => {
    const body = 'resources:\n  r: {type: OS::Heat::RandomString}\noutputs:\n  o: {value: {get_attr: [r]}}\n';
    expect(messages(hot('2015-04-30', body))[0]).toContain('get_attr: arguments must be [resource, attribute, path…]');
    const result = plan(hot('2015-10-15', body));
    expect(result.errors).toEqual([]);
    expect(result.plan!.resources.r!.attributes).toEqual(['value']);
  });

  test('conditions need 2016-10-14; contains in conditions needs 2017-09-01', () => {
    expect(messages(hot('2016-04-08', 'conditions: {c: true}\n'))).toEqual(["2:1 conditions: unknown section 'conditions' (conditions need heat_template_version 2016-10-14 or later)"]);
    const body = 'parameters:\n  env: {type: string, default: prod}\nconditions:\n  c: {contains: [{get_param: env}, [prod]]}\n';
    expect(messages(hot('2017-02-24', body))[0]).toContain("'contains' needs heat_template_version 2017-09-01 or later");
    expect(plan(hot('2017-09-01', body)).errors).toEqual([]);
  });

  test('CFN: both format versions; Conditions only with AWSTemplateFormatVersion', () => {
    expect(plan("HeatTemplateFormatVersion: '2012-12-12'\nResources: {}\n").errors).toEqual([]);
    expect(plan("AWSTemplateFormatVersion: '2010-09-09'\nConditions: {C: true}\nResources: {}\n").errors).toEqual([]);
    expect(messages("HeatTemplateFormatVersion: '2012-12-12'\nConditions: {C: true}\n")[0]).toContain("unknown section 'Conditions'");
    expect(messages("AWSTemplateFormatVersion: '2011-01-01'\n")[0]).toContain('unknown AWSTemplateFormatVersion');
    expect(hotVersion('rocky')!.date).toBe('2018-08-31');
  });
});

describe('conditions', () => {
  const text = hot('2016-10-14', `parameters:
  env: {type: string, default: dev, constraints: [{allowed_values: [dev, prod]}]}
conditions:
  prod: {equals: [{get_param: env}, prod]}
  dev: {not: prod}
resources:
  big:
    type: OS::Heat::RandomString
    condition: prod
  small:
    type: OS::Heat::RandomString
    condition: dev
    properties:
      length: {if: [prod, 64, 8]}
outputs:
  big_value: {value: {get_attr: [big, value]}, condition: prod}
  either: {value: {get_attr: [big, value]}}
`);

  test('a false condition drops the resource and keeps the output with the value null, as Heat does; references to it resolve to null', () => {
    const dev = plan(text).plan!;
    expect(Object.keys(dev.resources)).toEqual(['small']);
    expect(dev.resources.small!.properties.length).toBe(8);
    expect(dev.outputs).toEqual({ big_value: { value: null }, either: { value: null } });
    const prod = plan(text, { parameters: { env: 'prod' } }).plan!;
    expect(Object.keys(prod.resources)).toEqual(['big']);
    expect(Object.keys(prod.outputs)).toEqual(['big_value', 'either']);
    expect(isDeferred(prod.outputs.big_value!.value)).toBe(true);
  });

  test('an output whose condition is false keeps its description, and its value is not evaluated (HOT and CFN)', () => {
    const hotOff = plan(hot('2016-10-14', 'outputs:\n  o: {value: {get_param: missing}, description: never set, condition: false}\n'));
    expect(hotOff.errors).toEqual([]);
    expect(hotOff.plan!.outputs).toEqual({ o: { value: null, description: 'never set' } });
    const cfnOff = plan(['AWSTemplateFormatVersion: 2010-09-09', 'Conditions:', "  Off: {'Fn::Equals': [a, b]}", 'Outputs:',
      '  O: {Value: x, Description: d, Condition: Off}', ''].join('\n'));
    expect(cfnOff.plan!.outputs).toEqual({ O: { value: null, description: 'd' } });
  });

  test('unknown and looping conditions are errors', () => {
    expect(messages(hot('2016-10-14', 'conditions:\n  a: b\n  b: a\n'))[0]).toContain('loop: a -> b -> a');
    expect(messages(hot('2016-10-14', 'resources:\n  r: {type: OS::Heat::None, condition: ghost}\n'))).toEqual(["3:29 resources.r.condition: the template has no condition 'ghost'"]);
  });
});

describe('parameters', () => {
  const check = (spec: string, value: string) => messages(hot('2017-02-24', `parameters:\n  p: ${spec}\n`), { parameters: { p: value } });

  test('types convert as Heat converts them', () => {
    const text = hot('2016-10-14', `parameters:
  n: {type: number}
  b: {type: boolean}
  l: {type: comma_delimited_list}
  j: {type: json}
outputs:
  o: {value: [{get_param: n}, {get_param: b}, {get_param: l}, {get_param: [j, k]}]}
`);
    const result = plan(text, { parameters: { n: '2.5', b: 'yes', l: 'a, b', j: '{"k": [1]}' } });
    expect(result.plan!.outputs.o!.value).toEqual([2.5, true, ['a', 'b'], [1]]);
    expect(check('{type: number}', 'ten')).toEqual(["3:3 parameters.p: parameter 'p' (number): value 'ten' is not a number"]);
    expect(check('{type: json}', '{bad')).toEqual(["3:3 parameters.p: parameter 'p' (json): value '{bad' is not valid JSON"]);
  });

  test('length, range, modulo, allowed_values and allowed_pattern constraints', () => {
    expect(check('{type: string, constraints: [{length: {min: 3}}]}', 'ab')[0]).toContain("value 'ab' is not allowed: length 2 is outside 3..∞");
    expect(check('{type: number, constraints: [{range: {min: 1, max: 5}, description: one to five}]}', '9')[0]).toContain('is not allowed: one to five');
    expect(check('{type: number, constraints: [{modulo: {step: 2, offset: 1}}]}', '4')[0]).toContain('is not 1 modulo 2');
    expect(check('{type: comma_delimited_list, constraints: [{allowed_values: [a, b]}]}', 'a,c')[0]).toContain('allowed values are a, b');
    expect(check('{type: string, constraints: [{allowed_pattern: "[a-z]+"}]}', 'abc1')[0]).toContain("does not match the pattern '[a-z]+'");
    expect(check('{type: string, constraints: [{allowed_pattern: "[a-z]+"}]}', 'abc')).toEqual([]);
    expect(check('{type: string, constraints: [{bogus: 1}]}', 'x')[0]).toContain("unknown constraint 'bogus'");
  });

  test('custom constraints are reported as unchecked, not as errors', () => {
    const result = plan(hot('2016-10-14', 'parameters:\n  f: {type: string, default: m1.small, constraints: [{custom_constraint: nova.flavor}]}\n'));
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.message)).toEqual(["custom_constraint 'nova.flavor' is not checked by stoke"]);
  });

  test('hidden values never appear in errors, and queries mask them', () => {
    const text = hot('2016-10-14', `parameters:
  pw: {type: string, hidden: true, label: Password, constraints: [{length: {min: 20}}]}
resources:
  r: {type: OS::Heat::None, properties: {secret: {get_param: pw}}}
`);
    expect(messages(text, { parameters: { pw: 'short-secret' } }).join('\n')).not.toContain('short-secret');
    const result = plan(text, { parameters: { pw: 'a-very-long-secret-value' } });
    expect(result.hiddenParameters).toEqual(['pw']);
    const state: StackState = {
      name: 'demo', id: 'id', status: 'CREATE_COMPLETE', statusReason: '', createdAt: '', updatedAt: '',
      outputs: { o: { value: 'pw=a-very-long-secret-value' } }, resources: {},
    };
    expect(redactState(state)).toEqual(state);
    const withHidden = { ...state, hiddenValues: result.plan!.hiddenValues };
    expect(redactState(withHidden)).toEqual({ ...state, outputs: { o: { value: `pw=${MASK}` } } });
    expect(redactText(withHidden, 'failed: a-very-long-secret-value rejected')).toBe(`failed: ${MASK} rejected`);
  });

  test('parameter_groups must name declared parameters, each once', () => {
    const text = hot('2016-10-14', `parameters:
  a: {type: string, default: x}
parameter_groups:
- label: one
  parameters: [a, ghost]
- parameters: [a]
`);
    expect(messages(text)).toEqual([
      "6:19 parameter_groups[0].parameters[1]: 'ghost' is not a parameter of this template",
      '7:16 parameter_groups[1].parameters[0]: parameter \'a\' is already in parameter group 0',
    ]);
  });

  test('validate mode needs no values; create mode does', () => {
    const text = hot('2016-10-14', 'parameters:\n  n: {type: number}\nresources:\n  r: {type: OS::Heat::RandomString, properties: {length: {get_param: n}}}\n');
    expect(plan(text, { mode: 'validate' }).errors).toEqual([]);
    expect(messages(text)[0]).toContain("the parameter 'n' has no default and no value");
  });
});

describe('environments', () => {
  const text = hot('2016-10-14', 'parameters:\n  n: {type: string}\nresources:\n  x: {type: My::Thing}\n  nested: {type: sub.yaml}\n');

  test('parameters, parameter_defaults, aliases, event_sinks (ignored with a notice)', () => {
    const env = 'parameter_defaults: {n: from-env, undeclared: 1}\nresource_registry: {"My::Thing": "OS::Heat::None"}\nevent_sinks: []\n';
    const result = plan(text, { env: [env], mode: 'validate', readFile: (name) => (name === 'sub.yaml' ? 'heat_template_version: 2016-10-14\n' : undefined) });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.message)).toEqual(["event_sinks are ignored: stoke's events are the Temporal history"]);
    expect(result.plan!.resources.x!.type).toBe('OS::Heat::None');
  });

  test('properties of a template-file resource are checked against the nested template\'s parameters', () => {
    const nested = 'heat_template_version: 2016-10-14\nparameters:\n  size: {type: number}\n  name: {type: string, default: x}\n';
    const files = { readFile: () => nested, parseFile: (name: string) => parseFile(nested, name) };
    const text = hot('2016-10-14', 'resources:\n  a: {type: sub.yaml, properties: {name: y, colour: red}}\n  b: {type: sub.yaml, properties: {size: 3}}\n');
    expect(messages(text, { mode: 'validate', ...files })).toEqual([
      "3:23 resources.a.properties: the nested template 'sub.yaml' requires the parameter 'size'",
      "3:45 resources.a.properties.colour: the nested template 'sub.yaml' has no parameter 'colour' (it has: size, name)",
    ]);
  });

  test('a template file as a type is planned as a child stack: its source carried, its errors reported in its own file', () => {
    const env = 'parameters: {n: v}\nresource_registry: {"My::Thing": "thing.yaml"}\n';
    const readFile = (name: string) => (name === 'sub.yaml' ? 'heat_template_version: 2016-10-14\n' : undefined);
    expect(messages(text, { env: [env], mode: 'validate', readFile })).toEqual([
      "5:7 resources.x.type: cannot read the nested template 'thing.yaml' (mapped from 'My::Thing' by env0.yaml)",
    ]);
    expect(messages(hot('2016-10-14', 'resources:\n  x: {type: OS::Heat::RandomStrin}\n'))).toEqual([
      expect.stringMatching(/^3:7 resources\.x\.type: unknown resource type 'OS::Heat::RandomStrin'; OS::Heat types stoke has: .*OS::Heat::RandomString/),
    ]);
    const created = plan(text, { env: ['parameters: {n: v}\nresource_registry: {"My::Thing": "OS::Heat::None"}\n'], readFile });
    expect(created.errors).toEqual([]);
    expect(created.plan!.resources.nested).toMatchObject({
      type: 'sub.yaml', handler: 'OS::Heat::TemplateResource', runs: { where: 'stack', copies: true },
      nested: { template: { name: 'sub.yaml', text: 'heat_template_version: 2016-10-14\n' }, files: {}, environment: { resource_registry: { 'My::Thing': 'OS::Heat::None' } } },
    });
    // The child's own files travel by the names it reads them by; its errors carry its file and line.
    const files: Record<string, string> = {
      'lib/child.yaml': 'heat_template_version: 2016-10-14\nresources:\n  s: {type: OS::Heat::None, properties: {script: {get_file: run.sh}}}\n  bad: {type: OS::Heat::RandomString, properties: {length: 0}}\n',
      'lib/run.sh': 'echo hi',
    };
    const twoLevels = plan(hot('2016-10-14', 'resources:\n  c: {type: lib/child.yaml}\n'), { readFile: (name) => files[name] });
    expect(twoLevels.errors.map((e) => `${e.file}:${e.line} ${e.path}: ${e.message}`)).toEqual([expect.stringMatching(/^lib\/child\.yaml:4 resources\.bad\.properties\.length: /)]);
    files['lib/child.yaml'] = files['lib/child.yaml']!.replace(/ {2}bad:.*\n/, '');
    expect(plan(hot('2016-10-14', 'resources:\n  c: {type: lib/child.yaml}\n'), { readFile: (name) => files[name] }).plan!.resources.c!.nested!.files).toEqual({ 'run.sh': 'echo hi' });
  });

  test('a per-resource registry entry maps the type of that resource only, before the type\'s own mapping', () => {
    const template = hot('2016-10-14', 'resources:\n  db: {type: OS::Foo}\n  cache: {type: OS::Foo}\n  web: {type: My::Thing}\n');
    const env = 'resource_registry:\n  My::Thing: OS::Heat::None\n  resources:\n    db: {OS::Foo: lib/db.yaml}\n    web: {My::Thing: OS::Heat::RandomString}\n';
    const files: Record<string, string> = { 'lib/db.yaml': 'heat_template_version: 2016-10-14\nresources:\n  box: {type: OS::Heat::None}\n' };
    expect(messages(template, { env: [env], readFile: (name) => files[name] })).toEqual([
      expect.stringMatching(/^4:11 resources\.cache\.type: unknown resource type 'OS::Foo'/),
    ]);
    const mapped = plan(template.replace(/ {2}cache:.*\n/, ''), { env: [env], readFile: (name) => files[name] });
    expect(mapped.errors).toEqual([]);
    expect(mapped.plan!.resources.db).toMatchObject({ type: 'OS::Foo', handler: 'OS::Heat::TemplateResource', nested: { template: { name: 'lib/db.yaml' } } });
    expect(mapped.plan!.resources.web!.type).toBe('OS::Heat::RandomString');
    expect(mapped.summary.Environment.resource_registry).toEqual({
      'My::Thing': 'OS::Heat::None', resources: { db: { 'OS::Foo': 'lib/db.yaml' }, web: { 'My::Thing': 'OS::Heat::RandomString' } },
    });
    // Where a per-resource entry fails, the error says which entry mapped it.
    expect(messages(template.replace(/ {2}cache:.*\n/, ''), { env: [env], readFile: () => undefined })).toEqual([
      "3:8 resources.db.type: cannot read the nested template 'lib/db.yaml' (mapped from 'OS::Foo' by env0.yaml for 'db')",
    ]);
  });

  test('per-resource entries for a nested stack go down to the resources of that name in it; later environments win', () => {
    const files: Record<string, string> = {
      'lib/app.yaml': 'heat_template_version: 2016-10-14\nresources:\n  inner: {type: OS::Foo}\n  other: {type: OS::Heat::None}\n',
      'lib/inner.yaml': 'heat_template_version: 2016-10-14\nresources:\n  x: {type: OS::Heat::None}\n',
    };
    const template = hot('2016-10-14', 'resources:\n  app: {type: lib/app.yaml}\n');
    const first = 'resource_registry:\n  resources:\n    app*: {inner: {OS::Foo: OS::Heat::None}}\n';
    const second = 'resource_registry:\n  resources:\n    app*: {inner: {OS::Foo: lib/inner.yaml}}\n';
    const one = plan(template, { env: [first], readFile: (name) => files[name] });
    expect(one.errors).toEqual([]);
    expect(one.plan!.resources.app!.nested!.environment).toMatchObject({ resource_registry: { resources: { inner: { 'OS::Foo': 'OS::Heat::None' } } } });
    const two = plan(template, { env: [first, second], readFile: (name) => files[name] });
    expect(two.errors).toEqual([]);
    // The file is named as the child reads it, relative to its own folder, and carried with it.
    expect(two.plan!.resources.app!.nested).toMatchObject({
      environment: { resource_registry: { resources: { inner: { 'OS::Foo': 'inner.yaml' } } } }, files: { 'inner.yaml': files['lib/inner.yaml'] },
    });
    const other = plan(hot('2016-10-14', 'resources:\n  web: {type: lib/app.yaml}\n'), { env: [first], readFile: (name) => files[name] });
    expect(other.errors.map((e) => `${e.file} ${e.path}: ${e.message}`)).toEqual([expect.stringMatching(/^lib\/app\.yaml resources\.inner\.type: unknown resource type 'OS::Foo'/)]);
  });

  test('per-resource hooks and restricted_actions are taken with a notice; a malformed entry is refused where it is', () => {
    const template = hot('2016-10-14', 'resources:\n  r: {type: OS::Heat::None}\n');
    const hooks = plan(template, { env: ['resource_registry:\n  resources:\n    r: {hooks: pre-create, restricted_actions: replace}\n'] });
    expect(hooks.errors).toEqual([]);
    expect(hooks.warnings.map((w) => `${w.file}:${w.line} ${w.path}: ${w.message}`)).toEqual([
      'env0.yaml:3 resource_registry.resources.r.hooks: hooks are ignored: stoke has no breakpoints, an action does not stop at them',
      'env0.yaml:3 resource_registry.resources.r.restricted_actions: restricted_actions are not enforced: an update may still change or replace the resource',
    ]);
    const bad = (env: string) => plan(template, { env: [env] }).errors.map((e) => `${e.file}:${e.line} ${e.path}: ${e.message}`);
    expect(bad('resource_registry:\n  resources: [r]\n')).toEqual(['env0.yaml:2 resource_registry.resources: per-resource entries map resource names to mappings, got a list']);
    expect(bad('resource_registry:\n  resources:\n    r: OS::Heat::None\n')).toEqual([
      "env0.yaml:3 resource_registry.resources.r: a per-resource entry maps type names to types or template files, got string 'OS::Heat::None'",
    ]);
    expect(bad('resource_registry:\n  resources:\n    r: {OS::Foo: 3}\n')).toEqual([
      "env0.yaml:3 resource_registry.resources.r.OS::Foo: a per-resource entry maps a type name to a type or a template file, got number '3'",
    ]);
  });

  test('a template using itself as a type is refused at the depth limit', () => {
    const self = 'heat_template_version: 2016-10-14\nresources:\n  again: {type: self.yaml}\n';
    const result = plan(hot('2016-10-14', 'resources:\n  top: {type: self.yaml}\n'), { readFile: (name) => (name === 'self.yaml' ? self : undefined) });
    expect(result.errors.map((e) => `${e.file} ${e.path}: ${e.message}`)).toEqual([
      "self.yaml resources.again.type: nested stacks go more than 5 levels deep (Heat's max_nested_stack_depth): is 'self.yaml' used inside itself?",
    ]);
  });
});

describe('resources', () => {
  test('every cycle is reported with all its members', () => {
    const text = hot('2016-10-14', `resources:
  a: {type: OS::Heat::None, depends_on: b}
  b: {type: OS::Heat::None, depends_on: [c]}
  c: {type: OS::Heat::None, properties: {x: {get_resource: a}}}
  d: {type: OS::Heat::None, depends_on: e}
  e: {type: OS::Heat::None, depends_on: d}
  f: {type: OS::Heat::None, depends_on: a}
`);
    expect(messages(text)).toEqual([
      '3:3 resources.a: circular dependency among a, b, c: a -> b -> c -> a',
      '6:3 resources.d: circular dependency among d, e: d -> e -> d',
    ]);
  });

  test('unknown type, unknown and missing properties, bad values, unknown attributes, missing references: all at once', () => {
    const text = hot('2016-10-14', `resources:
  r:
    type: OS::Heat::RandomString
    properties: {length: 1000, sequence: emoji, colour: red}
  c:
    type: DockerInc::Docker::Container
    properties: {name: {get_attr: [r, nope]}}
  n:
    type: OS::Trove::Instance
    depends_on: [ghost]
    deletion_policy: Sometimes
outputs:
  o: {value: {get_attr: [nowhere, a]}}
`);
    // get_attr of no resource fails an output in Heat (get_resource does not: that output only has no value).
    expect(messages(text)).toEqual([
      "5:18 resources.r.properties.length: 1000 is out of range (1..512)",
      "5:32 resources.r.properties.sequence: 'emoji' is not one of lettersdigits, letters, lowercase, uppercase, digits, hexdigits, octdigits",
      expect.stringMatching(/^5:49 resources\.r\.properties\.colour: OS::Heat::RandomString has no property 'colour' \(it has: length, sequence, .*salt.*\)$/),
      '8:5 resources.c.properties: DockerInc::Docker::Container requires the property \'image\'',
      "8:25 resources.c.properties.name.get_attr: OS::Heat::RandomString 'r' has no attribute 'nope' (it has: value)",
      "10:5 resources.n.type: unknown resource type 'OS::Trove::Instance'; see `stoke resource type list`",
      "11:18 resources.n.depends_on[0]: 'ghost' is not another resource of this template",
      "12:5 resources.n.deletion_policy: deletion policy must be one of Delete, Retain, Snapshot, delete, retain, snapshot, got string 'Sometimes'",
      expect.stringMatching(/^14:15 outputs\.o\.value\.get_attr.*'nowhere'/),
    ]);
  });

  test('malformed functions and non-mapping sections are clean errors', () => {
    expect(messages(hot('2016-10-14', 'resources: [a]\n'))).toEqual(["2:1 resources: 'resources' must be a mapping of resource names to definitions"]);
    expect(messages(hot('2016-10-14', 'outputs:\n  o: {value: {str_split: oops}}\n'))).toEqual(['3:15 outputs.o.value.str_split: str_split: arguments must be [delimiter, string, index]']);
  });

  test('CFN: Mappings, pseudo parameters, Conditions and Condition on resources', () => {
    const text = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Size: {Type: String, Default: small, AllowedValues: [small, large]}
Mappings:
  Len: {small: {N: 8}, large: {N: 64}}
Conditions:
  Large: {'Fn::Equals': [{Ref: Size}, large]}
Resources:
  Pw:
    Type: OS::Heat::RandomString
    Properties: {length: {'Fn::FindInMap': [Len, {Ref: Size}, N]}}
  Extra:
    Type: OS::Heat::RandomString
    Condition: Large
Outputs:
  Where: {Value: {'Fn::Join': [':', [{Ref: 'AWS::StackName'}, {Ref: 'AWS::Region'}]]}}
`;
    const small = plan(text).plan!;
    expect(small.resources.Pw!.properties.length).toBe(8);
    expect(Object.keys(small.resources)).toEqual(['Pw']);
    expect(small.outputs.Where!.value).toBe('demo:ap-southeast-1');
    expect(Object.keys(plan(text, { parameters: { Size: 'large' } }).plan!.resources)).toEqual(['Pw', 'Extra']);
    expect(messages(text, { parameters: { Size: 'huge' } })[0]).toContain("value 'huge' is not allowed: allowed values are small, large");
  });
});

describe('files', () => {
  test('get_file reads relative to the template; loadPlan throws every error at once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-files-'));
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.writeFileSync(path.join(dir, 'scripts', 'boot.sh'), 'echo hi\n');
    const file = path.join(dir, 't.yaml');
    fs.writeFileSync(file, hot('2016-10-14', 'outputs:\n  o: {value: {get_file: scripts/boot.sh}}\n'));
    expect(loadPlan({ stackName: 's', templateFile: file }).plan.outputs.o!.value).toBe('echo hi\n');
    fs.writeFileSync(file, hot('2016-10-14', 'outputs:\n  o: {value: {get_file: nope.sh}}\n  p: {value: {get_param: none}}\n'));
    expect(() => loadPlan({ stackName: 's', templateFile: file })).toThrow(TemplateInvalidError);
    try {
      loadPlan({ stackName: 's', templateFile: file });
    } catch (err) {
      expect((err as TemplateInvalidError).issues.map((i) => `${path.basename(i.file!)}:${i.line}:${i.column}`)).toEqual(['t.yaml:3:15', 't.yaml:4:15']);
    }
    fs.rmSync(dir, { recursive: true });
  });
});

describe('file bounds', () => {
  const errorsOf = (file: string) => {
    try {
      loadPlan({ stackName: 's', templateFile: file, mode: 'validate' });
    } catch (err) {
      if (err instanceof TemplateInvalidError) return err.issues.map((i) => `${path.basename(i.file!)}:${i.line}:${i.column}: ${i.path}: ${i.message}`);
      throw err;
    }
    return [];
  };
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-bounds-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true }));

  test('get_file refuses directories, FIFOs and devices without blocking, and reads symlinks to files and any local path', () => {
    fs.mkdirSync(path.join(dir, 'folder'));
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    fs.writeFileSync(path.join(dir, 'real.sh'), 'echo real\n');
    fs.symlinkSync(path.join(dir, 'real.sh'), path.join(dir, 'link.sh'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-outside-'));
    fs.writeFileSync(path.join(outside, 'abs.txt'), 'absolute\n');
    const file = path.join(dir, 't.yaml');
    fs.writeFileSync(file, hot('2016-10-14', [
      'outputs:',
      '  a: {value: {get_file: folder}}',
      '  b: {value: {get_file: pipe}}',
      '  c: {value: {get_file: /dev/null}}',
      '  d: {value: {get_file: link.sh}}',
      `  e: {value: {get_file: ${path.join(outside, 'abs.txt')}}}`,
      `  f: {value: {get_file: ../${path.basename(outside)}/abs.txt}}`,
      '',
    ].join('\n')));
    expect(errorsOf(file)).toEqual([
      "t.yaml:3:15: outputs.a.value.get_file: get_file: 'folder' is a directory, not a regular file",
      "t.yaml:4:15: outputs.b.value.get_file: get_file: 'pipe' is a FIFO, not a regular file",
      "t.yaml:5:15: outputs.c.value.get_file: get_file: '/dev/null' is a character device, not a regular file",
    ]);
    fs.writeFileSync(file, hot('2016-10-14', `outputs:\n  d: {value: {get_file: link.sh}}\n  e: {value: {get_file: 'file://${path.join(outside, 'abs.txt')}'}}\n  f: {value: {get_file: ../${path.basename(outside)}/abs.txt}}\n`));
    const outputs = loadPlan({ stackName: 's', templateFile: file }).plan.outputs;
    expect([outputs.d!.value, outputs.e!.value, outputs.f!.value]).toEqual(['echo real\n', 'absolute\n', 'absolute\n']);
    fs.rmSync(outside, { recursive: true });
  });

  test(`get_file reads at most ${MAX_FILE_BYTES} bytes of a file and ${MAX_TEMPLATE_FILES_BYTES} for a template; a file read twice counts once`, () => {
    fs.writeFileSync(path.join(dir, 'fits.txt'), 'x'.repeat(MAX_FILE_BYTES));
    fs.writeFileSync(path.join(dir, 'big.txt'), 'x'.repeat(MAX_FILE_BYTES + 1));
    const file = path.join(dir, 't.yaml');
    fs.writeFileSync(file, hot('2016-10-14', 'outputs:\n  a: {value: {get_file: fits.txt}}\n  b: {value: {get_file: fits.txt}}\n  c: {value: {get_file: big.txt}}\n'));
    expect(errorsOf(file)).toEqual([
      `t.yaml:5:15: outputs.c.value.get_file: get_file: 'big.txt' has ${MAX_FILE_BYTES + 1} bytes, more than the ${MAX_FILE_BYTES} bytes get_file reads of one file`,
    ]);
    const count = MAX_TEMPLATE_FILES_BYTES / MAX_FILE_BYTES;
    for (let i = 0; i <= count; i++) fs.writeFileSync(path.join(dir, `part${i}.txt`), 'y'.repeat(MAX_FILE_BYTES));
    const outputs = Array.from({ length: count + 1 }, (_, i) => `  o${i}: {value: {get_file: part${i}.txt}}`);
    fs.writeFileSync(file, hot('2016-10-14', `outputs:\n${outputs.join('\n')}\n`));
    expect(errorsOf(file)).toEqual([
      `t.yaml:${count + 3}:${15 + String(count).length}: outputs.o${count}.value.get_file: get_file: 'part${count}.txt' has ${MAX_FILE_BYTES} bytes, more than the 0 bytes left of the ${MAX_TEMPLATE_FILES_BYTES} all files of one template may take`,
    ]);
  });

  test('a repeat over too many combinations is reported at its place with the count', () => {
    const file = path.join(dir, 't.yaml');
    fs.writeFileSync(file, hot('2016-10-14', 'parameters:\n  n: {type: comma_delimited_list}\noutputs:\n  o:\n    value:\n      repeat: {for_each: {"%a%": {get_param: n}, "%b%": {get_param: n}}, template: "%a%-%b%"}\n'));
    const many = Array.from({ length: 101 }, (_, i) => i).join(',');
    expect(() => loadPlan({ stackName: 's', templateFile: file, parameters: { n: many } })).toThrow(
      `t.yaml:7:7: outputs.o.value.repeat: repeat: 10201 combinations, more than the ${MAX_REPEAT_ITEMS} one repeat may produce`,
    );
  });
});

describe('property schemas', () => {
  const schema: PropertySchema = {
    type: 'list', description: 'devices',
    items: {
      type: 'map', description: 'a device',
      keys: {
        path: { type: 'string', description: 'host path', required: true, pattern: '/dev/[a-z]+' },
        mode: { type: 'string', description: 'permissions', default: 'rwm', maxLength: 3 },
        ro: { type: 'boolean', description: 'read only', default: false },
      },
    },
  };

  test('nested defaults are filled in and Heat boolean spellings accepted', () => {
    expect(checkProperty(schema, [{ path: '/dev/null', ro: 'yes' }])).toEqual({ ok: true, value: [{ path: '/dev/null', mode: 'rwm', ro: true }] });
  });

  test('a bad nested value is reported with the path below the property', () => {
    expect(checkProperty(schema, [{ path: '/dev/null' }, { path: '/etc/passwd' }])).toEqual({ ok: false, at: '[1].path', problem: "'/etc/passwd' does not match the pattern /dev/[a-z]+" });
    expect(checkProperty(schema, [{ path: '/dev/x', mode: 'rwmx' }])).toEqual({ ok: false, at: '[0].mode', problem: "'rwmx' is longer than 3 characters" });
    expect(checkProperty(schema, [{ mode: 'r' }])).toEqual({ ok: false, at: '[0].path', problem: 'is required' });
    expect(checkProperty(schema, [{ path: '/dev/x', colour: 1 }])).toMatchObject({ ok: false, at: '[0].colour' });
  });

  test('constraints with a description report the description', () => {
    expect(checkProperty({ type: 'integer', description: 'n', constraints: [{ range: { min: 2 }, description: 'at least two' }] }, 1)).toEqual({ ok: false, problem: 'at least two' });
  });
});
