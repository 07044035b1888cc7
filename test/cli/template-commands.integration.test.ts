/**
 * The openstack CLI's template commands in stoke's CLI: template versions and their functions, a resource type's
 * generated template, and a stack's own template and environment (hidden values masked), with bad input refused
 * clearly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { stoke, uniqueName, useWorker, writeTemplate } from '../helpers';

const { stacks } = useWorker();

test('template version list and function list, as the openstack client lists them', () => {
  const versions = JSON.parse(stoke('template', 'version', 'list', '-f', 'json').stdout) as { Version: string; Type: string }[];
  expect(versions).toEqual(expect.arrayContaining([{ Version: 'heat_template_version.2016-10-14', Type: 'hot', Aliases: 'heat_template_version.newton' }]));
  expect(versions.map((v) => v.Type)).toEqual(expect.arrayContaining(['hot', 'cfn']));
  const functions = JSON.parse(stoke('template', 'function', 'list', 'heat_template_version.2016-10-14', '-f', 'json').stdout) as { Functions: string }[];
  expect(functions.map((f) => f.Functions)).toEqual(expect.arrayContaining(['get_attr', 'get_param', 'list_join']));
  expect(functions.map((f) => f.Functions)).not.toContain('equals');
  const withConditions = JSON.parse(stoke('template', 'function', 'list', 'heat_template_version.2016-10-14', '--with-conditions', '-f', 'json').stdout) as { Functions: string }[];
  expect(withConditions.map((f) => f.Functions)).toContain('equals');
  const unknown = stoke('template', 'function', 'list', 'heat_template_version.1999-01-01');
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain('Template with version heat_template_version.1999-01-01 not found');
  expect(unknown.stderr).not.toMatch(/\n\s+at /);
});

test('resource type show --template-type prints a template that validates', () => {
  const hot = stoke('resource', 'type', 'show', 'OS::Heat::RandomString', '--template-type', 'hot');
  expect(hot.status).toBe(0);
  const generated = parse(hot.stdout) as { resources: Record<string, { type: string }> };
  expect(generated.resources.RandomString!.type).toBe('OS::Heat::RandomString');
  const file = writeTemplate(hot.stdout);
  expect(stoke('template', 'validate', '-t', file).status).toBe(0);
  const cfn = JSON.parse(stoke('resource', 'type', 'show', 'OS::Heat::RandomString', '--template-type', 'cfn', '-f', 'json').stdout) as { HeatTemplateFormatVersion: string };
  expect(cfn.HeatTemplateFormatVersion).toBe('2012-12-12');
  const wrong = stoke('resource', 'type', 'show', 'OS::Heat::RandomString', '--template-type', 'xml');
  expect(wrong.status).toBe(1);
  expect(wrong.stderr).toContain("argument 'xml' is invalid");
});

test('stack template show and stack environment show give what the stack was made from, hidden values masked', () => {
  const template = writeTemplate(`heat_template_version: 2016-10-14
parameters:
  secret: {type: string, hidden: true}
  size: {type: number, default: 4}
resources:
  word: {type: OS::Heat::RandomString, properties: {length: {get_param: size}, salt: {get_param: secret}}}
`);
  const environment = path.join(path.dirname(template), 'env.yaml');
  fs.writeFileSync(environment, 'parameter_defaults: {size: 6}\n');
  const stack = uniqueName('template-show');
  stacks.push(stack);
  expect(stoke('stack', 'create', stack, '-t', template, '-e', environment, '--parameter', 'secret=hush-hush', '--wait').status).toBe(0);
  const shown = parse(stoke('stack', 'template', 'show', stack).stdout) as { parameters: Record<string, unknown>; resources: Record<string, unknown> };
  expect(Object.keys(shown.resources)).toEqual(['word']);
  const env = JSON.parse(stoke('stack', 'environment', 'show', stack, '-f', 'json').stdout) as { parameters: Record<string, unknown>; parameter_defaults: Record<string, unknown> };
  expect(env.parameters).toEqual({ secret: '******' });
  expect(env.parameter_defaults).toEqual({ size: 6 });
  const missing = stoke('stack', 'template', 'show', uniqueName('nothing'));
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/not found/);
});
