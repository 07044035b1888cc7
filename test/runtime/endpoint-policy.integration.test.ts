/**
 * A template's docker_endpoint is chosen by its author: the worker's registry logins go only to its own
 * engine and the ones STOKE_REGISTRY_AUTH_ENDPOINTS lists, and STOKE_ALLOWED_ENDPOINTS, when set, refuses
 * every other engine. Each engine here is a recording proxy in front of the test engine, whose registry
 * refuses the pull: what matters is the X-Registry-Auth header each engine was sent.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDockerProxy, startWorker, stokeAsync, stopWorker, uniqueName, writeTemplate, type DockerProxy } from '../helpers';

const REGISTRY = 'registry.stoke.test:5000';
const IMAGE = `${REGISTRY}/stoke/absent:1`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-policy-'));
let worker: ChildProcess | undefined;
let home: DockerProxy;
let trusted: DockerProxy;
let other: DockerProxy;
let outside: DockerProxy;

/** An engine whose registry refuses every pull, as one without the image would. */
const refusingPulls = () => startDockerProxy({
  answer: (req, res) => {
    if (req.method !== 'POST' || !req.url!.includes('/images/create')) return false;
    req.resume();
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `pull access denied for ${REGISTRY}/stoke/absent` }));
    return true;
  },
});

/** The registry logins each pull request carried. */
function loginsSent(proxy: DockerProxy): { username?: string; password?: string }[] {
  return proxy.requests
    .filter((r) => r.method === 'POST' && r.path.includes('/images/create'))
    .map((r) => {
      const header = r.headers['x-registry-auth'];
      return typeof header === 'string' ? JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) : {};
    });
}

async function createOn(endpoint: string | undefined): Promise<{ stack: string; stdout: string }> {
  const stack = uniqueName('policy');
  const template = writeTemplate(`
heat_template_version: 2015-04-30
resources:
  app:
    type: DockerInc::Docker::Container
    properties: {image: "${IMAGE}"${endpoint ? `, docker_endpoint: "${endpoint}"` : ''}}
`);
  // The engines are served by this process: the CLI must not block it.
  const result = await stokeAsync('stack', 'create', stack, '-t', template, '--wait');
  expect(result.stdout).toContain(`Stack ${stack} ROLLBACK_COMPLETE`);
  return { stack, stdout: result.stdout };
}

beforeAll(async () => {
  [home, trusted, other, outside] = await Promise.all([refusingPulls(), refusingPulls(), refusingPulls(), refusingPulls()]);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [REGISTRY]: { auth: Buffer.from('stoke:s3cret').toString('base64') } } }));
  worker = await startWorker({
    ...process.env,
    DOCKER_HOST: home.endpoint,
    DOCKER_CONFIG: dir,
    // Another spelling of the same engine: the list is matched by engine, not by text.
    STOKE_REGISTRY_AUTH_ENDPOINTS: `${trusted.endpoint.replace('tcp://', 'http://')}/`,
    STOKE_ALLOWED_ENDPOINTS: `${trusted.endpoint}, ${other.endpoint}`,
  });
});

afterAll(async () => {
  await stopWorker(worker);
  for (const proxy of [home, trusted, other, outside]) await proxy?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('registry logins go to the worker\'s engine and the listed ones only', async () => {
  await createOn(undefined);
  await createOn(trusted.endpoint);
  await createOn(other.endpoint);
  expect(loginsSent(home)).toEqual([expect.objectContaining({ username: 'stoke', password: 's3cret', serveraddress: REGISTRY })]);
  expect(loginsSent(trusted)).toEqual([expect.objectContaining({ username: 'stoke', password: 's3cret' })]);
  expect(loginsSent(other)).toEqual([{}]);
});

test('an engine outside STOKE_ALLOWED_ENDPOINTS is refused, naming it and the setting, and never contacted', async () => {
  const { stdout } = await createOn(outside.endpoint);
  expect(stdout).toContain(`resources.app.properties.docker_endpoint: '${outside.endpoint}' is not an engine this worker may use (STOKE_ALLOWED_ENDPOINTS:`);
  expect(outside.requests).toEqual([]);
});
