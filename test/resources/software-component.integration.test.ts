/**
 * A SoftwareComponent deployed on a real server through a real Temporal: each stack action runs the config
 * listed for it, as Heat's component hook does, whatever the deployment's own actions say.
 */
import { showStack, stoke, uniqueName, writeTemplate, execIn, useWorker } from '../helpers';

useWorker();

const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  greeting: {type: string}
resources:
  component:
    type: OS::Heat::SoftwareComponent
    properties:
      inputs: [{name: greeting}]
      outputs: [{name: last_action}]
      configs:
        - actions: [CREATE]
          tool: script
          config: |
            #!/bin/sh
            echo "create $greeting" >> /tmp/component
            echo CREATE > $heat_outputs_path.last_action
        - actions: [UPDATE]
          tool: script
          config: |
            #!/bin/sh
            echo "update $greeting" >> /tmp/component
            echo UPDATE > $heat_outputs_path.last_action
  server:
    type: OS::Nova::Server
    properties: {image: busybox, flavor: m1.tiny, user_data_format: SOFTWARE_CONFIG}
  deployment:
    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: component}
      server: {get_resource: server}
      input_values: {greeting: {get_param: greeting}}
      actions: [CREATE]
outputs:
  last_action: {value: {get_attr: [deployment, last_action]}}
`);

test('a deployment of a component runs its CREATE config at create and its UPDATE config when the inputs change', async () => {
  const stack = uniqueName('component');
  const apply = (action: 'create' | 'update', greeting: string) => {
    const result = stoke('stack', action, stack, '-t', template, '--parameter', `greeting=${greeting}`, '--wait');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return showStack(stack);
  };
  const created = apply('create', 'hello');
  expect(created.outputs.last_action!.value).toBe('CREATE\n');
  const server = created.resources.server!.physicalId;
  expect((await execIn(server, 'cat /tmp/component')).trim()).toBe('create hello');

  const updated = apply('update', 'hi');
  expect(updated.resources.deployment).toMatchObject({ status: 'UPDATE_COMPLETE', physicalId: created.resources.deployment!.physicalId });
  expect(updated.outputs.last_action!.value).toBe('UPDATE\n');
  expect((await execIn(server, 'cat /tmp/component')).trim().split(/\r?\n/)).toEqual(['create hello', 'update hi']);
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});
