/**
 * The image catalog and flavor table: how a template's image and flavor names become a local server
 * image and container limits. Built-in defaults below; a YAML or JSON file named by STOKE_CATALOG
 * adds to or overrides them ({images: {NAME: LOCAL_IMAGE}, flavors: {NAME: {vcpus, ram}}, standins: {NAME:TAG: LOCAL_IMAGE}}).
 */
import * as fs from 'node:fs';
import { parse } from 'yaml';
import { StokeError } from '../errors';

export interface Flavor {
  readonly vcpus: number;
  /** Memory in MiB, as Nova's flavors give it. */
  readonly ram: number;
}

export interface Catalog {
  /** Template image name → local image (a name the engine has, or one stoke's bootstrap builds). */
  readonly images: Readonly<Record<string, string>>;
  readonly flavors: Readonly<Record<string, Flavor>>;
  /**
   * Image (name:tag) → stoke's stand-in for it, used by a container on the local engine only when the
   * image itself is neither there nor pullable (`stoke images build` makes the stand-ins).
   */
  readonly standins: Readonly<Record<string, string>>;
}

/** The server image stoke builds from Debian: docker.io plus stand-ins for Fedora's tools (see README). */
export const DOCKER_HOST_IMAGE = 'stoke/docker-host:latest';

/** Stand-ins live under stoke's own names, so building one never replaces a user's image of the real name. */
export function standinName(image: string): string {
  const [name, tag] = image.split(':') as [string, string | undefined];
  return `stoke/standin-${name.replace(/\//g, '-')}:${tag ?? 'latest'}`;
}

/** The images the examples and seeds run that stoke can stand in for (built from Debian packages, see README). */
export const STANDIN_IMAGES = ['mysql:latest', 'mysql:5', 'mariadb:latest', 'marouen/mysql:latest', 'wordpress:latest',
  'marouen/apache:latest', 'larsks/simpleweb:latest'] as const;

export const DEFAULT_CATALOG: Catalog = {
  images: {
    'docker-host': DOCKER_HOST_IMAGE,
    // The image names the seeds' templates default to; each was a Fedora image with Docker installable.
    'fedora-software-config': DOCKER_HOST_IMAGE,
    'fedora-20-x86_64-updated': DOCKER_HOST_IMAGE,
    'fedora-20-x86_64': DOCKER_HOST_IMAGE,
    'fedora': DOCKER_HOST_IMAGE,
    'debian': DOCKER_HOST_IMAGE,
    'cirros': 'busybox:latest',
    'busybox': 'busybox:latest',
  },
  // Nova's historical default flavors, and the EC2 instance types Heat's CFN templates use.
  flavors: {
    'm1.tiny': { vcpus: 1, ram: 512 },
    'm1.small': { vcpus: 1, ram: 2048 },
    'm1.medium': { vcpus: 2, ram: 4096 },
    'm1.large': { vcpus: 4, ram: 8192 },
    'm1.xlarge': { vcpus: 8, ram: 16384 },
    't1.micro': { vcpus: 1, ram: 512 },
    't2.micro': { vcpus: 1, ram: 1024 },
    't2.small': { vcpus: 1, ram: 2048 },
    't2.medium': { vcpus: 2, ram: 4096 },
    'm3.medium': { vcpus: 1, ram: 3840 },
  },
  standins: Object.fromEntries(STANDIN_IMAGES.map((image) => [image, standinName(image)])),
};

/** The catalog in force: the defaults, then the STOKE_CATALOG file's entries over them. */
export function loadCatalog(env: NodeJS.ProcessEnv = process.env): Catalog {
  const file = env.STOKE_CATALOG;
  if (!file) return DEFAULT_CATALOG;
  let data: unknown;
  try {
    data = parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StokeError('CatalogInvalid', `cannot read the catalog STOKE_CATALOG=${file}: ${(err as Error).message}`);
  }
  const given = (data ?? {}) as { images?: Record<string, unknown>; flavors?: Record<string, unknown>; standins?: Record<string, unknown> };
  const images: Record<string, string> = { ...DEFAULT_CATALOG.images };
  for (const [name, image] of Object.entries(given.images ?? {})) {
    if (typeof image !== 'string') throw new StokeError('CatalogInvalid', `${file}: images.${name} must be an image name`);
    images[name] = image;
  }
  const flavors: Record<string, Flavor> = { ...DEFAULT_CATALOG.flavors };
  for (const [name, flavor] of Object.entries(given.flavors ?? {})) {
    const f = flavor as Partial<Flavor> | null;
    if (!f || typeof f.vcpus !== 'number' || typeof f.ram !== 'number') {
      throw new StokeError('CatalogInvalid', `${file}: flavors.${name} must be {vcpus: N, ram: MiB}`);
    }
    flavors[name] = { vcpus: f.vcpus, ram: f.ram };
  }
  const standins: Record<string, string> = { ...DEFAULT_CATALOG.standins };
  for (const [name, image] of Object.entries(given.standins ?? {})) {
    if (typeof image !== 'string' || !/:[^/]+$/.test(name)) throw new StokeError('CatalogInvalid', `${file}: standins.${name} must map NAME:TAG to an image name`);
    standins[name] = image;
  }
  return { images, flavors, standins };
}
