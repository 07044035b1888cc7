/**
 * A key pair of the stack reaches the servers that name it: its public key in their user's authorized_keys,
 * on the real engine and a real Temporal, before the server's user_data runs.
 */
import { showStack, stackContainers, stoke, uniqueName, waitUntil, writeTemplate, execIn, useWorker } from '../helpers';

useWorker();

test('a generated key pair\'s public key is installed for root and for an admin_user the image lacks; the user_data runs after', async () => {
  const stack = uniqueName('keypair');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  key:
    type: OS::Nova::KeyPair
    properties: {name: {list_join: ['-', [{get_param: OS::stack_name}, key]]}, save_private_key: true}
  root_server:
    type: OS::Nova::Server
    properties: {image: busybox, flavor: m1.tiny, key_name: {get_resource: key}, user_data_format: RAW, user_data: "#!/bin/sh\\necho booted > /tmp/booted"}
  user_server:
    type: OS::Nova::Server
    properties: {image: busybox, flavor: m1.tiny, key_name: {get_resource: key}, admin_user: fedora}
outputs:
  public_key: {value: {get_attr: [key, public_key]}}
  private_key: {value: {get_attr: [key, private_key]}}
  name: {value: {get_resource: key}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  try {
    const { outputs } = showStack(stack);
    expect(outputs.name!.value).toBe(`${stack}-key`);
    expect(outputs.public_key!.value).toMatch(new RegExp(`^ssh-rsa AAAA\\S+ ${stack}-key$`));
    expect(outputs.private_key!.value).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const servers = Object.fromEntries((await stackContainers(stack)).map((c) => [c.Labels['org.stoke.resource'], c.Id]));
    const read = (server: string, command: string) => waitUntil(`${server}: ${command}`, async () => {
      const done = await execIn(servers[server]!, 'cat /var/lib/cloud/instance/boot-finished 2>/dev/null && echo finished');
      return done.includes('finished') ? execIn(servers[server]!, command) : undefined;
    });
    expect((await read('root_server', 'cat /root/.ssh/authorized_keys /tmp/booted /var/lib/cloud/instance/user-data.status')).split(/\r?\n/))
      .toEqual([outputs.public_key!.value, 'booted', '0', '']);
    expect(await read('root_server', 'stat -c %a /root/.ssh /root/.ssh/authorized_keys')).toBe('700\r\n600\r\n');
    expect((await read('user_server', 'cat /home/fedora/.ssh/authorized_keys; stat -c %U /home/fedora/.ssh/authorized_keys')).split(/\r?\n/))
      .toEqual([outputs.public_key!.value, 'fedora', '']);
  } finally {
    expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  }
  expect(await stackContainers(stack)).toHaveLength(0);
});
