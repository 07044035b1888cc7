/**
 * OS::Zun::Container on the real engine through a real Temporal: Zun's properties reach `docker inspect` of the
 * container the Docker handler made, its attributes read as Heat gives them, and the delete removes it.
 */
import { docker, showStack, stackContainers, stoke, uniqueName, useWorker, writeTemplate } from '../helpers';

useWorker();

const template = writeTemplate(`
heat_template_version: rocky
resources:
  web:
    type: OS::Zun::Container
    properties:
      image: busybox
      command: "sh -c 'echo \\"$GREETING from $(pwd)\\"; exec sleep 600'"
      environment: {GREETING: hello}
      workdir: /tmp
      memory: 64
      labels: {tier: front}
      restart_policy: "on-failure:2"
      networks: [{network: private}]
outputs:
  name: {value: {get_attr: [web, name]}}
  addr: {value: {get_attr: [web, addresses, private, 0, addr]}}
`);

test('a Zun container runs as its properties say and gives its name and addresses', async () => {
  const stack = uniqueName('zun');
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const state = showStack(stack);
  const info = await docker().getContainer(state.resources.web!.physicalId).inspect();
  expect(info.Config.Cmd).toEqual(['sh', '-c', 'echo "$GREETING from $(pwd)"; exec sleep 600']);
  expect(info.Config.Env).toContain('GREETING=hello');
  expect(info.Config.WorkingDir).toBe('/tmp');
  expect(info.Config.Labels).toMatchObject({ tier: 'front' });
  expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
  expect(info.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
  expect(state.outputs.name!.value).toBe(info.Name.replace(/^\//, ''));
  expect(state.outputs.addr!.value).toBe(info.NetworkSettings.Networks.bridge!.IPAddress);
  const logs = (await docker().getContainer(info.Id).logs({ stdout: true })).toString();
  expect(logs).toContain('hello from /tmp');

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
});
