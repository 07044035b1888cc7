import * as fs from 'node:fs';
import type { DockerOptions } from 'dockerode';
import { StokeError } from './errors';

/** Client certificates for https:// endpoints, from DOCKER_CERT_PATH as the docker CLI reads them. */
function tlsFiles(): Pick<DockerOptions, 'ca' | 'cert' | 'key'> {
  const dir = process.env.DOCKER_CERT_PATH;
  if (!dir) return {};
  const read = (name: string) => (fs.existsSync(`${dir}/${name}`) ? fs.readFileSync(`${dir}/${name}`) : undefined);
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/**
 * Turns a Docker endpoint as templates write it (`unix:///var/run/docker.sock`, `tcp://host:2375`,
 * `http://host:2345/`, `https://host:2376`) into dockerode options.
 */
export function dockerOptions(endpoint: string): DockerOptions {
  if (endpoint.startsWith('/')) return { socketPath: endpoint };
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new StokeError('DockerEndpointInvalid', `docker endpoint '${endpoint}' is not a URL (unix://, tcp://, http:// or https://)`);
  }
  switch (url.protocol) {
    case 'unix:':
      return { socketPath: url.pathname };
    case 'tcp:':
    case 'http:':
      return { protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
    case 'https:':
      return { protocol: 'https', host: url.hostname, port: Number(url.port || 2376), ...tlsFiles() };
    default:
      throw new StokeError('DockerEndpointInvalid', `docker endpoint '${endpoint}' has an unsupported scheme '${url.protocol}'`);
  }
}
