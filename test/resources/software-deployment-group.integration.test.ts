/**
 * A SoftwareDeploymentGroup on real servers through a real Temporal: one deployment per server in a nested
 * stack, its attributes maps of the servers' names, and a change of input values running the config again.
 */
import { showStack, stackContainers, stoke, uniqueName, writeTemplate, useWorker } from '../helpers';

useWorker();

const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  greeting: {type: string}
resources:
  config:
    type: OS::Heat::SoftwareConfig
    properties:
      group: script
      inputs: [{name: greeting}]
      outputs: [{name: result}]
      config: |
        #!/bin/sh
        echo "$deploy_resource_name $deploy_action $greeting"
        hostname > $heat_outputs_path.result
  a:
    type: OS::Nova::Server
    properties: {name: {list_join: ['-', [{get_param: 'OS::stack_name'}, a]]}, image: busybox, flavor: m1.tiny, user_data_format: SOFTWARE_CONFIG}
  b:
    type: OS::Nova::Server
    properties: {name: {list_join: ['-', [{get_param: 'OS::stack_name'}, b]]}, image: busybox, flavor: m1.tiny, user_data_format: SOFTWARE_CONFIG}
  deps:
    type: OS::Heat::SoftwareDeploymentGroup
    properties:
      config: {get_resource: config}
      servers: {first: {get_resource: a}, second: {get_resource: b}}
      input_values: {greeting: {get_param: greeting}}
outputs:
  stdouts: {value: {get_attr: [deps, deploy_stdouts]}}
  codes: {value: {get_attr: [deps, deploy_status_codes]}}
  result: {value: {get_attr: [deps, result]}}
`);

test('a deployment group runs the config on each server, gives its results by name, and runs it again when the inputs change', async () => {
  const stack = uniqueName('depgroup');
  const apply = (action: 'create' | 'update', greeting: string) => {
    const result = stoke('stack', action, stack, '-t', template, '--parameter', `greeting=${greeting}`, '--wait');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return showStack(stack);
  };
  const created = apply('create', 'hello');
  expect(created.outputs.stdouts!.value).toEqual({ first: 'first CREATE hello\n', second: 'second CREATE hello\n' });
  expect(created.outputs.codes!.value).toEqual({ first: 0, second: 0 });
  expect(created.outputs.result!.value).toEqual({ first: `${stack}-a\n`, second: `${stack}-b\n` });

  const updated = apply('update', 'hi');
  expect(updated.resources.deps!.physicalId).toBe(created.resources.deps!.physicalId);
  expect(updated.outputs.stdouts!.value).toEqual({ first: 'first UPDATE hi\n', second: 'second UPDATE hi\n' });

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
});
