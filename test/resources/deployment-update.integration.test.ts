/**
 * A SoftwareDeployment in a stack update, on the real engine and a real Temporal: Heat's deployment update
 * runs the config again with deploy_action UPDATE when its input values change, and only then.
 */
import { showStack, stackContainers, stoke, uniqueName, writeTemplate, execIn, useWorker } from '../helpers';

useWorker();

/** Two deployments of one config on one server: `each` runs on CREATE and UPDATE (the default), `once` on CREATE only. */
const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  greeting: {type: string}
  unrelated: {type: string}
resources:
  config:
    type: OS::Heat::SoftwareConfig
    properties:
      group: script
      inputs: [{name: greeting}]
      config: |
        #!/bin/sh
        echo "$deploy_resource_name $deploy_action $greeting" >> /tmp/runs
        echo "$deploy_action $greeting"
  server:
    type: OS::Nova::Server
    properties: {image: busybox, flavor: m1.tiny, user_data_format: SOFTWARE_CONFIG}
  each:
    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: config}
      server: {get_resource: server}
      input_values: {greeting: {get_param: greeting}}
  once:
    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: config}
      server: {get_resource: server}
      input_values: {greeting: {get_param: greeting}}
      actions: [CREATE]
  other:
    type: OS::Heat::None
    properties: {value: {get_param: unrelated}}
outputs:
  each: {value: {get_attr: [each, deploy_stdout]}}
  once: {value: {get_attr: [once, deploy_stdout]}}
`);

test('a deployment runs its config again with deploy_action UPDATE when its input values change, not on an unrelated change', async () => {
  const stack = uniqueName('deployupd');
  const apply = (action: 'create' | 'update', greeting: string, unrelated: string) => {
    const result = stoke('stack', action, stack, '-t', template, '--parameter', `greeting=${greeting}`, '--parameter', `unrelated=${unrelated}`, '--wait');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return showStack(stack);
  };
  const first = apply('create', 'hello', 'a');
  expect(first.outputs.each!.value).toBe('CREATE hello\n');
  const server = first.resources.server!.physicalId;
  const runs = async () => (await execIn(server, 'cat /tmp/runs')).trim().split(/\r?\n/).sort();
  expect(await runs()).toEqual(['each CREATE hello', 'once CREATE hello']);

  // Only the other resource changes: neither deployment runs.
  const unrelated = apply('update', 'hello', 'b');
  expect(unrelated.resources.each).toMatchObject({ status: 'CREATE_COMPLETE', physicalId: first.resources.each!.physicalId });
  expect(unrelated.resources.other!.status).toBe('UPDATE_COMPLETE');
  expect(await runs()).toEqual(['each CREATE hello', 'once CREATE hello']);

  // The input changes: `each` runs again in place with UPDATE; `once`, whose actions lack UPDATE, is updated without running.
  const changed = apply('update', 'hi', 'b');
  expect(changed.resources.each).toMatchObject({ status: 'UPDATE_COMPLETE', physicalId: first.resources.each!.physicalId });
  expect(changed.resources.once).toMatchObject({ status: 'UPDATE_COMPLETE', physicalId: first.resources.once!.physicalId });
  expect(changed.outputs.each!.value).toBe('UPDATE hi\n');
  expect(changed.outputs.once!.value).toBe('CREATE hello\n');
  expect(changed.resources.server!.physicalId).toBe(server);
  expect(await runs()).toEqual(['each CREATE hello', 'each UPDATE hi', 'once CREATE hello']);

  // Back to the first value: an update of its own, so it runs again.
  const back = apply('update', 'hello', 'b');
  expect(back.outputs.each!.value).toBe('UPDATE hello\n');
  expect(await runs()).toEqual(['each CREATE hello', 'each UPDATE hello', 'each UPDATE hi', 'once CREATE hello']);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
});
