import type { ResourceTypeSchema } from './schema';

/** Heat's contrib plugin `DockerInc::Docker::Container`: same property names, types and defaults. */
export const dockerContainer: ResourceTypeSchema = {
  name: 'DockerInc::Docker::Container',
  description: 'A Docker container, created and started on the stack\'s Docker engine or on docker_endpoint.',
  properties: {
    image: { type: 'string', required: true, description: 'Image name, with optional tag or digest.' },
    name: { type: 'string', description: 'Name of the container (default: <stack>-<resource>).' },
    cmd: { type: 'list', default: [], description: 'Command to run after spawning the container.' },
    env: { type: 'list', description: 'Set environment variables, as a list of "KEY=value".' },
    links: { type: 'map', description: 'Links to other containers, as {container name: alias}.' },
    port_specs: { type: 'list', description: 'TCP/UDP ports the container exposes (80, "53/udp").' },
    port_bindings: {
      type: 'map',
      description: 'TCP/UDP ports bindings: {"80/tcp": [{"HostPort": "8080", "HostIp": "127.0.0.1"}]} or {80: 8080}.',
    },
    volumes: {
      type: 'map',
      default: {},
      description: 'Create a bind mount: {host path: {bind: container path, ro: false}}, or {container path: {}} for a volume.',
    },
    docker_endpoint: { type: 'string', description: 'Docker daemon endpoint (by default the local docker daemon will be used).' },
  },
  attributes: {
    info: { description: 'Container info (docker inspect).' },
    network_info: { description: 'Container network info.' },
    network_ip: { description: 'Container ip address.' },
    network_gateway: { description: 'Container ip gateway.' },
    network_tcp_ports: { description: 'Container TCP ports bound on the host, comma separated.' },
    network_udp_ports: { description: 'Container UDP ports bound on the host, comma separated.' },
    logs: { description: 'Container logs.' },
    logs_head: { description: 'Container first logs line.' },
    logs_tail: { description: 'Container last logs line.' },
  },
};
