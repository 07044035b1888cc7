/**
 * `stoke ui`: the topology page, Horizon's stack view for stoke. The list of stacks, and per stack a graph of
 * its resources coloured by status, its events, outputs, parameters (hidden ones masked) and its actions,
 * each linked to its workflow in the Temporal UI. Everything is read from Temporal through the stack client,
 * as `stoke stack show` reads it: no second store. The page polls, so it follows an action as it runs.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { StackClient } from '../client/client';
import { EventReader } from '../client/events';
import { nestedStackOf } from '../client/nested';
import { stackView } from '../api/views';
import type { StokeConfig } from '../config';
import { StokeError } from '../errors';
import type { StackState } from '../template/types';
import { stackWorkflowId } from '../../workflows/definitions';
import { PAGE } from './page';

export interface UiOptions {
  readonly host: string;
  readonly port: number;
  /** The Temporal UI's base URL, which the actions link into. */
  readonly temporalUi: string;
}

/** Where the Temporal UI shows one run of a stack's workflow id. */
export function workflowLink(temporalUi: string, namespace: string, stack: string, runId: string): string {
  return `${temporalUi.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(stackWorkflowId(stack))}/${encodeURIComponent(runId)}/history`;
}

/** A node of the graph: a resource, inside the node of the nested resource whose stack holds it (`parent`). */
interface GraphNode {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly status: string;
  readonly requires: string[];
  readonly parent?: string;
}

/**
 * The graph's nodes: the stack's resources, and inside each nested resource's node the resources of its nested
 * stack, and so on down (ids are paths, `app/web`, so names repeat freely across stacks).
 */
async function graphOf(client: StackClient, state: StackState, parent?: string): Promise<GraphNode[]> {
  const id = (name: string) => (parent === undefined ? name : `${parent}/${name}`);
  const nodes = await Promise.all(Object.keys(state.resources).sort().map(async (name): Promise<GraphNode[]> => {
    const r = state.resources[name]!;
    const node: GraphNode = { id: id(name), name, type: r.type, status: r.status, requires: r.requires.map(id), ...(parent === undefined ? {} : { parent }) };
    const nested = nestedStackOf(state, name);
    const child = nested && await client.show(nested.name).catch((err: unknown) => {
      if (StokeError.isStokeError(err) && err.code === 'StackNotFound') return undefined;
      throw err;
    });
    return [node, ...(child ? await graphOf(client, child, node.id) : [])];
  }));
  return nodes.flat();
}

/** One stack as the page draws it: Heat's stack view, the resources with what they require, the graph, events, actions. */
async function stackPage(client: StackClient, config: StokeConfig, temporalUi: string, name: string) {
  const state = await client.show(name);
  const source = client.events(name);
  const [inputs, runs, { events }, graph] = await Promise.all([client.current(name), source.runs(), new EventReader(source).next(), graphOf(client, state)]);
  return {
    stack: stackView('', state, inputs),
    resources: Object.entries(state.resources).map(([resource, r]) => ({
      name: resource, type: r.type, status: r.status, reason: r.statusReason, physicalId: r.physicalId, requires: r.requires,
    })),
    graph,
    events,
    actions: runs.map((run) => ({ ...run, link: workflowLink(temporalUi, config.namespace, name, run.runId) })),
  };
}

const STATUS_OF: Record<string, number> = { StackNotFound: 404, InvalidStackName: 400 };

/** Starts the page's server; resolves once it listens. */
export async function startUi(client: StackClient, config: StokeConfig, options: UiOptions): Promise<http.Server> {
  const graphLibrary = require.resolve('cytoscape/dist/cytoscape.min.js');
  const server = http.createServer(async (req, res) => {
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(body);
    };
    const json = (status: number, body: unknown) => send(status, 'application/json', JSON.stringify(body));
    const url = new URL(req.url ?? '/', 'http://ui');
    if (req.method !== 'GET') return json(405, { error: 'the page only reads: use GET' });
    try {
      if (url.pathname === '/') return send(200, 'text/html; charset=utf-8', PAGE);
      if (url.pathname === '/cytoscape.min.js') return send(200, 'text/javascript', fs.readFileSync(graphLibrary));
      if (url.pathname === '/api/stacks') return json(200, { stacks: await client.list({ nested: true }), temporalUi: options.temporalUi });
      const stack = /^\/api\/stacks\/([^/]+)$/.exec(url.pathname);
      if (stack) return json(200, await stackPage(client, config, options.temporalUi, decodeURIComponent(stack[1]!)));
      json(404, { error: `no such page: ${url.pathname}` });
    } catch (err) {
      const code = StokeError.isStokeError(err) ? STATUS_OF[err.code] ?? 500 : 500;
      json(code, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
      ? new StokeError('UiPortInUse', `port ${options.port} is in use: give \`stoke ui\` another with --port or STOKE_UI_BIND`) : err));
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
