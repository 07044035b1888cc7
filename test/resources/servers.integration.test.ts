/**
 * Servers through the docker compute driver, software deployments on them, and Neutron networks, on
 * the real engine and a real Temporal. Servers here boot the small busybox image, so these tests stay
 * fast; the docker-host image and the seeds run in acceptance.integration.test.ts.
 */
import { docker, showStack, stackContainers, stoke, uniqueName, writeTemplate, execIn, useWorker } from '../helpers';

useWorker();

test('a server runs its user_data once, a deployment runs its config with inputs and reads its outputs', async () => {
  const stack = uniqueName('server');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  config:
    type: OS::Heat::SoftwareConfig
    properties:
      group: script
      inputs: [{name: greeting}, {name: who, default: world}]
      outputs: [{name: result}]
      config: |
        #!/bin/sh
        echo "$greeting $who from $deploy_resource_name"
        echo warning >&2
        printf '%s' "$greeting-$who" > $heat_outputs_path.result
  boot:
    type: OS::Heat::CloudConfig
    properties:
      cloud_config:
        write_files: [{path: /etc/motd, content: "built by cloud-config\\n"}]
        runcmd: ["echo ran > /tmp/runcmd"]
  user_data:
    type: OS::Heat::MultipartMime
    properties:
      parts:
        - config: {get_resource: boot}
        - config: "#!/bin/sh\\necho script part > /tmp/part"
  server:
    type: OS::Nova::Server
    properties:
      image: busybox
      flavor: m1.tiny
      security_groups: [default]
      user_data_format: RAW
      user_data: {get_resource: user_data}
  deployment:
    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: config}
      server: {get_resource: server}
      input_values: {greeting: hello}
outputs:
  stdout: {value: {get_attr: [deployment, deploy_stdout]}}
  stderr: {value: {get_attr: [deployment, deploy_stderr]}}
  code: {value: {get_attr: [deployment, deploy_status_code]}}
  result: {value: {get_attr: [deployment, result]}}
  ip: {value: {get_attr: [server, networks, private, 0]}}
  first: {value: {get_attr: [server, first_address]}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const state = showStack(stack);
  expect(state.outputs.stdout!.value).toBe('hello world from deployment\n');
  expect(state.outputs.stderr!.value).toBe('warning\n');
  expect(state.outputs.code!.value).toBe(0);
  expect(state.outputs.result!.value).toBe('hello-world');
  expect(state.outputs.ip!.value).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect(state.outputs.first!.value).toBe(state.outputs.ip!.value);
  const [server] = (await stackContainers(stack)).filter((c) => c.Labels['org.stoke.resource'] === 'server');
  const info = await docker().getContainer(server!.Id).inspect();
  expect(info.HostConfig.Memory).toBe(512 * 1024 * 1024);
  expect(info.NetworkSettings.Networks.bridge!.IPAddress).toBe(state.outputs.ip!.value);
  // user_data runs in the background after boot, as cloud-init does.
  let files = '';
  for (let i = 0; i < 50 && !files.includes('script part'); i++) {
    files = await execIn(server!.Id, 'cat /etc/motd /tmp/runcmd /tmp/part /var/lib/cloud/instance/user-data.status 2>&1');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(files).toContain('built by cloud-config');
  expect(files).toContain('ran');
  expect(files).toContain('script part');

  const deleted = stoke('stack', 'delete', stack, '--wait');
  expect(deleted.status).toBe(0);
  expect(await stackContainers(stack)).toHaveLength(0);
});

test('a deployment whose config exits non-zero fails the stack with its stderr tail', async () => {
  const stack = uniqueName('deployfail');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  config:
    type: OS::Heat::SoftwareConfig
    properties:
      config: "#!/bin/sh\\necho 'cannot configure the widget' >&2\\nexit 3"
  server:
    type: OS::Nova::Server
    properties: {image: busybox, flavor: m1.tiny, user_data_format: SOFTWARE_CONFIG}
  deployment:
    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: config}
      server: {get_resource: server}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.status).not.toBe(0);
  expect(created.stdout + created.stderr).toContain('non-zero status code: 3');
  expect(created.stdout + created.stderr).toContain('cannot configure the widget');
  expect(showStack(stack).status).toBe('ROLLBACK_COMPLETE');
  expect(await stackContainers(stack)).toHaveLength(0);
});

test('user_data with #include is refused clearly, and an unknown flavor names the flavor table', async () => {
  const stack = uniqueName('include');
  const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  flavor: {type: string}
resources:
  server:
    type: OS::Nova::Server
    properties:
      image: busybox
      flavor: {get_param: flavor}
      user_data: "#include https://get.docker.io"
`);
  const refused = stoke('stack', 'create', stack, '-t', template, '--parameter', 'flavor=m1.tiny', '--wait', '--disable-rollback');
  expect(refused.status).not.toBe(0);
  expect(refused.stdout + refused.stderr).toContain('resources.server.properties.user_data: #include user_data fetches URLs');
  stoke('stack', 'delete', stack, '--wait');
  const unknown = stoke('stack', 'create', `${stack}-f`, '-t', template, '--parameter', 'flavor=m9.huge', '--wait');
  expect(unknown.stdout + unknown.stderr).toContain("unknown flavor 'm9.huge' (the flavor table has: m1.tiny");
});

test('a Net with a Subnet is a Docker network with that CIDR; a port fixes the server address and a floating IP reaches it', async () => {
  const stack = uniqueName('net');
  // A third octet of its own, so a network left by an interrupted run never overlaps this one.
  const octet = Math.floor(Math.random() * 250);
  const template = writeTemplate(`
heat_template_version: 2016-10-14
resources:
  net:
    type: OS::Neutron::Net
    properties: {name: fixed}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: 10.251.${octet}.0/24}
  router:
    type: OS::Neutron::Router
  router_interface:
    type: OS::Neutron::RouterInterface
    properties: {router: {get_resource: router}, subnet: {get_resource: subnet}}
  sg:
    type: OS::Neutron::SecurityGroup
    properties: {rules: [{protocol: tcp, port_range_min: 22, port_range_max: 22}]}
  port:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      fixed_ips: [{subnet: {get_resource: subnet}}]
      security_groups: [{get_resource: sg}]
  floating:
    type: OS::Neutron::FloatingIP
    depends_on: router_interface
    properties: {floating_network: public, port_id: {get_resource: port}}
  server:
    type: OS::Nova::Server
    properties:
      image: busybox
      flavor: m1.tiny
      networks: [{port: {get_resource: port}}]
outputs:
  floating: {value: {get_attr: [floating, floating_ip_address]}}
  server_ip: {value: {get_attr: [server, networks, fixed, 0]}}
  sg: {value: {get_attr: [sg, show, not_enforced]}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const state = showStack(stack);
  expect(state.outputs.floating!.value).toMatch(new RegExp(`^10\\.251\\.${octet}\\.\\d+$`));
  expect(state.outputs.server_ip!.value).toBe(state.outputs.floating!.value);
  expect(state.outputs.sg!.value).toContain('NOT enforced');
  const network = await docker().getNetwork(`${stack}-fixed`).inspect();
  expect(network.IPAM.Config![0]!.Subnet).toBe(`10.251.${octet}.0/24`);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  await expect(docker().getNetwork(`${stack}-fixed`).inspect()).rejects.toMatchObject({ statusCode: 404 });
});

test('AWS::EC2::Instance boots through the same driver: UserData runs, PublicIp and PrivateIp are its address', async () => {
  const stack = uniqueName('ec2');
  const template = writeTemplate(`
HeatTemplateFormatVersion: '2012-12-12'
Resources:
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: cirros
      InstanceType: t1.micro
      KeyName: mykey
      SecurityGroups: [default]
      UserData: {'Fn::Join': ['', ["#!/bin/sh\\n", "echo from-userdata > /tmp/ec2\\n"]]}
Outputs:
  PublicIp: {Value: {'Fn::GetAtt': [Instance, PublicIp]}}
  PrivateIp: {Value: {'Fn::GetAtt': [Instance, PrivateIp]}}
  Zone: {Value: {'Fn::GetAtt': [Instance, AvailabilityZone]}}
`);
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const state = showStack(stack);
  expect(state.outputs.PublicIp!.value).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect(state.outputs.PrivateIp!.value).toBe(state.outputs.PublicIp!.value);
  expect(state.outputs.Zone!.value).toBe('nova');
  const [server] = await stackContainers(stack);
  let out = '';
  for (let i = 0; i < 50 && !out.includes('from-userdata'); i++) {
    out = await execIn(server!.Id, 'cat /tmp/ec2 2>&1');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(out).toContain('from-userdata');
  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
});
