/**
 * `stoke stack update --existing` and `--dry-run` against the real server and engine: the stack's stored
 * template, environment and parameters are reused with only what is given applied; a dry run reports the
 * change and changes nothing; a stack whose create kept no source is told to give the template.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { ResourcePreview } from '../../src/client/preview';
import { SLEEPER, docker, latestStackRun, showStack, startStackWorkflow, startWorker, stoke, stopWorker, uniqueName, waitUntil, writeTemplate } from '../helpers';

let worker: ChildProcess | undefined;
const stacks: string[] = [];
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  for (const stack of stacks) {
    if (showStack(stack).status !== 'DELETE_COMPLETE') stoke('stack', 'delete', stack, '--wait');
  }
  await stopWorker(worker);
});

const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  greeting: {type: string, default: hello}
  other: {type: string, default: other-default}
  from_env: {type: string, default: env-default}
resources:
  greeter:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, env: [{list_join: ['=', [GREETING, {get_param: greeting}]]}]}
  bystander:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, env: [{list_join: ['=', [OTHER, {get_param: other}]]}]}
  configured:
    type: DockerInc::Docker::Container
    properties: {image: busybox, cmd: ${SLEEPER}, env: [{list_join: ['=', [FROM_ENV, {get_param: from_env}]]}]}
`);
const environment = path.join(path.dirname(template), 'env.yaml');
fs.writeFileSync(environment, 'parameters: {from_env: set-in-env}\n');

const ids = (stack: string) => Object.fromEntries(Object.entries(showStack(stack).resources).map(([n, r]) => [n, r.physicalId]));
const env = async (id: string) => (await docker().getContainer(id).inspect()).Config.Env;

test('--dry-run reports and changes nothing; --existing --parameter changes only what that parameter feeds; --clear-parameter goes back to the default', async () => {
  const stack = uniqueName('existing');
  stacks.push(stack);
  const dryCreate = stoke('stack', 'create', stack, '-t', template, '-e', environment, '--dry-run');
  expect(dryCreate.status).toBe(0);
  expect(dryCreate.stdout).toMatch(/^bystander +add +DockerInc::Docker::Container/m);
  expect(stoke('stack', 'show', stack).stderr).toContain('not found');

  expect(stoke('stack', 'create', stack, '-t', template, '-e', environment, '--parameter', 'other=given-at-create', '--wait').status).toBe(0);
  const before = ids(stack);
  const run = await latestStackRun(stack);

  const dry = stoke('stack', 'update', stack, '--existing', '--parameter', 'greeting=bye', '--dry-run', '-f', 'json');
  expect(dry.status).toBe(0);
  expect(JSON.parse(dry.stdout) as ResourcePreview[]).toEqual([
    { resource: 'bystander', type: 'DockerInc::Docker::Container', action: 'unchanged', changed: [] },
    { resource: 'configured', type: 'DockerInc::Docker::Container', action: 'unchanged', changed: [] },
    { resource: 'greeter', type: 'DockerInc::Docker::Container', action: 'replace', changed: ['env'] },
  ]);
  expect(ids(stack)).toEqual(before);
  expect(await latestStackRun(stack)).toEqual(run);

  const updated = stoke('stack', 'update', stack, '--existing', '--parameter', 'greeting=bye', '--wait');
  expect(updated.stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`);
  const after = ids(stack);
  expect(after.greeter).not.toBe(before.greeter);
  expect(after.bystander).toBe(before.bystander);
  expect(after.configured).toBe(before.configured);
  expect(await env(after.greeter!)).toContain('GREETING=bye');

  // The stored source is now the update's: greeting stays bye, other goes back to its default.
  expect(stoke('stack', 'update', stack, '--existing', '--clear-parameter', 'other', '--wait').stdout).toContain(`Stack ${stack} UPDATE_COMPLETE`);
  const cleared = ids(stack);
  expect(cleared.greeter).toBe(after.greeter);
  expect(cleared.configured).toBe(before.configured);
  expect(cleared.bystander).not.toBe(before.bystander);
  expect(await env(cleared.bystander!)).toContain('OTHER=other-default');
  expect(await env(cleared.configured!)).toContain('FROM_ENV=set-in-env');
});

test('--existing on a stack an older stoke created, which kept no source, asks for -t; a bad template fails the dry run as it fails the update', async () => {
  const stack = uniqueName('no-source');
  stacks.push(stack);
  const { plan } = planStack({ stackName: stack, template: parseFile('heat_template_version: 2016-10-14\nresources:\n  r: {type: OS::Heat::None}\n', 'old.yaml') });
  await startStackWorkflow(stack, 'createStack', { plan });
  await waitUntil('the old create to complete', () => (showStack(stack).status === 'CREATE_COMPLETE' ? true : undefined));

  const refused = stoke('stack', 'update', stack, '--existing', '--parameter', 'x=1');
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain(`ERROR: stack '${stack}' was made by an older stoke, which kept no template to reuse: update it without --existing, giving its template with -t`);
  expect(refused.stderr).not.toMatch(/\n\s+at /);

  const bad = writeTemplate('heat_template_version: 2016-10-14\nresources:\n  r: {type: No::Such::Type}\n');
  const dry = stoke('stack', 'update', stack, '-t', bad, '--dry-run');
  expect(dry.status).toBe(1);
  expect(dry.stderr).toBe(stoke('stack', 'update', stack, '-t', bad).stderr);
  expect(dry.stderr).toContain('template is invalid');

  // Without --existing, the template given: the stack now keeps its source.
  const next = writeTemplate('heat_template_version: 2016-10-14\nresources:\n  r: {type: OS::Heat::None}\n  s: {type: OS::Heat::None}\n');
  expect(stoke('stack', 'update', stack, '-t', next, '--wait').status).toBe(0);
  expect(stoke('stack', 'update', stack, '--existing', '--dry-run').stdout).toMatch(/^s +unchanged +OS::Heat::None/m);
});

test('after an update that rolled back, --existing reuses the source the stack went back to', () => {
  const stack = uniqueName('existing-rollback');
  stacks.push(stack);
  const base = 'heat_template_version: 2016-10-14\nparameters:\n  v: {type: string, default: a}\nresources:\n  r: {type: OS::Heat::None, properties: {v: {get_param: v}}}\n';
  expect(stoke('stack', 'create', stack, '-t', writeTemplate(base), '--parameter', 'v=kept', '--wait').status).toBe(0);
  const failing = writeTemplate(`${base}  boom: {type: OS::Heat::TestResource, depends_on: r, properties: {fail: true}}\n`);
  expect(stoke('stack', 'update', stack, '--existing', '-t', failing, '--parameter', 'v=failed', '--wait').stdout).toContain('ROLLBACK_COMPLETE');
  const dry = stoke('stack', 'update', stack, '--existing', '--dry-run', '-f', 'json');
  expect(JSON.parse(dry.stdout)).toEqual([{ resource: 'r', type: 'OS::Heat::None', action: 'unchanged', changed: [] }]);
});
