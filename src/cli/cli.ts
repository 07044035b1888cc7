/** `stoke`: stack commands in the style of `openstack stack …`, plus the worker and the embedded runtime. */
import * as path from 'node:path';
import { Argument, Command, Option } from 'commander';
import { loadConfig, temporalAddress, type StokeConfig } from '../config';
import { StokeError } from '../errors';
import { checkStackName, isFinal, listStacksOverHttp } from '../client/stacks';
import { eventCommands } from './events';
import { listOptions, renderList, renderShow, showOptions, table, type FormatOptions } from './format';
// Temporal's client (gRPC and protobuf), the runtime (dockerode), the worker (Temporal's native bridge), the
// template loader and the schemas (yaml) load only in the commands that use them, so `stoke stack list`,
// which reads Temporal's HTTP API, starts in a fraction of the time.
import type { StackClient } from '../client/client';
import type { StartedService } from '../runtime/runtime';
import type { Json, StackState } from '../template/types';
import { runsOf } from '../../workflows/legacy';
import type { ResourcePreview } from '../client/preview';

const log = (message: string) => console.error(`stoke: ${message}`);

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parameterValues(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new StokeError('InvalidParameter', `--parameter '${pair}' must be NAME=VALUE`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function print(format: string, data: unknown, text: () => string): void {
  console.log(format === 'json' ? JSON.stringify(data, null, 2) : text());
}

/** A yes from the terminal: y or yes, in any case; anything else, or the end of input, is a no. */
async function confirmed(question: string): Promise<boolean> {
  const readline = await import('node:readline/promises');
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answered = new Promise<string>((resolve) => prompt.once('close', () => resolve('')));
  try {
    return /^y(es)?$/i.test((await Promise.race([prompt.question(question), answered])).trim());
  } finally {
    prompt.close();
  }
}

async function withClient<T>(config: StokeConfig, fn: (client: StackClient) => Promise<T>, withCodec = true): Promise<T> {
  const { StackClient } = await import('../client/client');
  const client = await StackClient.connect(config, withCodec);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function outputLines(state: StackState): string {
  return Object.entries(state.outputs)
    .map(([name, o]) => `  ${name}: ${o.error ? `(error: ${o.error})` : typeof o.value === 'string' ? o.value : JSON.stringify(o.value)}`)
    .join('\n');
}

/** `stack resource list --nested-depth`: the openstack client's rows, the stack each resource belongs to last. */
async function printNestedResources(client: StackClient, state: StackState, depth: string, opts: FormatOptions): Promise<void> {
  const { nestedDepth, resourcesDown } = await import('../client/nested');
  const found = await resourcesDown((name) => client.show(name), state, nestedDepth(depth), (s) => Object.keys(s.resources).sort());
  const rows = found.map(({ stack, resource }) => {
    const r = stack.resources[resource]!;
    return [resource, r.physicalId, r.type, r.status, r.updatedAt, stack.name];
  });
  console.log(await renderList(opts, ['resource_name', 'physical_resource_id', 'resource_type', 'resource_status', 'updated_time', 'stack_name'], rows));
}

/**
 * Follows a stack action, printing each resource's status change (and on a terminal what is still in
 * progress), until it ends; exits non-zero on failure, or when the final state is not one `expected` accepts.
 */
async function waitAndReport(client: StackClient, name: string, expected = (s: StackState) => s.status.endsWith('_COMPLETE') && s.status !== 'ROLLBACK_COMPLETE'): Promise<StackState> {
  const { WaitView } = await import('./progress');
  const view = new WaitView(process.stdout);
  const final = await client.wait(name, (state, pulls) => view.show(state, pulls));
  view.done();
  console.log(`Stack ${name} ${final.status}: ${final.statusReason}`);
  if (!expected(final)) process.exitCode = 1;
  return final;
}

/** The plan of `stack create` and what it was made from: the template validated with its environments and parameters; warnings printed. */
async function planOf(name: string, opts: { template: string; environment: string[]; parameter: string[]; timeout: string; disableRollback?: boolean }) {
  checkStackName(name);
  const [{ formatIssue }, { planSource, readSourceFile }, { timeoutMinutes }] = await Promise.all([import('../template/load'), import('../template/source'), import('./update-options')]);
  const { plan, source, warnings } = planSource({
    template: readSourceFile(opts.template, 'template'),
    templateFile: opts.template,
    environments: opts.environment.map((file) => readSourceFile(file, 'environment')),
    parameters: parameterValues(opts.parameter),
  }, { stackName: name, disableRollback: Boolean(opts.disableRollback), timeoutMinutes: timeoutMinutes(opts.timeout) });
  for (const warning of warnings) console.error(`warning: ${formatIssue(warning)}`);
  return { plan, source };
}

/** What `--dry-run` found for each resource, as a table or JSON. */
async function printPreview(format: string, previews: ResourcePreview[]): Promise<void> {
  const { PREVIEW_HEADERS, previewRows } = await import('./dry-run');
  print(format, previews, () => table(PREVIEW_HEADERS, previewRows(previews)));
}

function stackCommands(program: Command, config: StokeConfig): void {
  const stack = program.command('stack').description('create, inspect and delete stacks');

  stack.command('create <name>')
    .description('validate a template and create a stack from it')
    .requiredOption('-t, --template <file>', 'template file (HOT or CFN, YAML or JSON)')
    .option('-e, --environment <file>', 'environment file (repeatable, merged in order)', collect, [])
    .option('--parameter <name=value>', 'parameter value (repeatable)', collect, [])
    .option('--timeout <minutes>', 'stack create timeout in minutes', '60')
    .option('--wait', 'follow the stack until it is complete or failed')
    .option('--disable-rollback', 'keep what was created when the create fails')
    .option('--dry-run', 'print what the create would make, resource by resource, and create nothing')
    .option('--engine <endpoint>', 'put the stack\'s containers on this Docker engine, one the workers may use (else the least loaded of STOKE_DOCKER_ENGINES)')
    .addOption(new Option('-f, --format <format>', 'output format of --dry-run').choices(['table', 'json']).default('table'))
    .action(async (name: string, opts) => {
      const planned = await planOf(name, opts);
      const { source } = planned;
      const plan = opts.engine ? { ...planned.plan, engine: String(opts.engine) } : planned.plan;
      if (opts.dryRun) return printPreview(opts.format, (await import('../client/preview')).previewCreate(plan));
      await withClient(config, async (client) => {
        await client.create(plan, source);
        console.log(`Stack ${name} CREATE_IN_PROGRESS (${Object.keys(plan.resources).length} resources)`);
        if (opts.wait) {
          const final = await waitAndReport(client, name);
          if (final.status === 'CREATE_COMPLETE' && Object.keys(final.outputs).length > 0) console.log(`Outputs:\n${outputLines(final)}`);
        }
      });
    });

  stack.command('update <name>')
    .description('bring a stack to a new template: unchanged resources are kept, changed ones updated in place or replaced')
    .option('-t, --template <file>', 'template file (HOT or CFN, YAML or JSON); with --existing, the stack\'s own when absent')
    .option('-e, --environment <file>', 'environment file (repeatable, merged in order; with --existing, after the stack\'s own)', collect, [])
    .option('--parameter <name=value>', 'parameter value (repeatable; with --existing, over the stack\'s own)', collect, [])
    .option('--existing', 'reuse the stack\'s template, environments, files and parameters, applying only what is given')
    .option('--clear-parameter <name>', 'with --existing: forget the stack\'s value of a parameter, back to its default (repeatable)', collect, [])
    .option('--timeout <minutes>', 'stack update timeout in minutes (default: the stack\'s)')
    .option('--rollback <enabled|disabled|keep>', 'go back to the template the stack had when the update fails, or leave it UPDATE_FAILED (default: keep the stack\'s setting)')
    .option('--disable-rollback', 'the same as --rollback disabled')
    .option('--wait', 'follow the stack until the update is complete or failed')
    .option('--dry-run', 'print what the update would do, resource by resource, and change nothing')
    .addOption(new Option('-f, --format <format>', 'output format of --dry-run').choices(['table', 'json']).default('table'))
    .action(async (name: string, opts) => {
      checkStackName(name);
      const { checkUpdateOptions, planUpdate } = await import('./update-options');
      checkUpdateOptions(opts);
      await withClient(config, async (client) => {
        const current = await client.current(name);
        const { plan, source } = planUpdate(name, opts, parameterValues(opts.parameter), current);
        if (opts.dryRun) return printPreview(opts.format, (await import('../client/preview')).previewUpdate(await client.updatable(name), plan));
        await client.update(plan, source, current);
        console.log(`Stack ${name} UPDATE_IN_PROGRESS (${Object.keys(plan.resources).length} resources)`);
        if (opts.wait) {
          const final = await waitAndReport(client, name);
          if (final.status === 'UPDATE_COMPLETE' && Object.keys(final.outputs).length > 0) console.log(`Outputs:\n${outputLines(final)}`);
        }
      });
    });

  stack.command('abandon <name>')
    .description('forget a stack and leave its resources as they are; prints the data `stack adopt` takes them back with (JSON)')
    .option('--output-file <file>', 'write the adopt data to this file instead of printing it')
    .action(async (name: string, opts) => withClient(config, async (client) => (await import('./abandon')).abandonStack(client, name, opts.outputFile)));

  stack.command('adopt <name>')
    .description('create a stack whose resources take the objects an abandoned stack left, as `stack abandon` printed them; the rest are created')
    .requiredOption('-t, --template <file>', 'template file (HOT or CFN, YAML or JSON)')
    .requiredOption('--adopt-file <file>', 'the data `stoke stack abandon` printed')
    .option('-e, --environment <file>', 'environment file (repeatable, merged in order)', collect, [])
    .option('--parameter <name=value>', 'parameter value (repeatable)', collect, [])
    .option('--timeout <minutes>', 'stack adopt timeout in minutes', '60')
    .option('--wait', 'follow the stack until the adopt is complete or failed')
    .action(async (name: string, opts) => {
      const { plan, source } = await planOf(name, opts);
      const adoption = (await import('./abandon')).readAdoption(plan, opts.adoptFile);
      await withClient(config, async (client) => {
        await client.create(plan, source, adoption);
        console.log(`Stack ${name} ADOPT_IN_PROGRESS (${Object.keys(plan.resources).length} resources, ${Object.keys(adoption.adopted).length} adopted)`);
        if (opts.wait) {
          const final = await waitAndReport(client, name);
          if (final.status === 'ADOPT_COMPLETE' && Object.keys(final.outputs).length > 0) console.log(`Outputs:\n${outputLines(final)}`);
        }
      });
    });

  listOptions(stack.command('list'))
    .description('list stacks (from Temporal visibility)')
    .option('--nested', 'list nested stacks too, with their parents')
    .option('--deleted', 'list deleted stacks too')
    .option('--long', 'list the stacks\' ids and projects too')
    .option('--property <key=value>', 'only stacks whose property has this value: name or status (repeatable; values of one key are alternatives)', collect, [])
    .action(async (opts: FormatOptions & { nested?: boolean; deleted?: boolean; long?: boolean; property: string[] }) => {
      const { listColumns, listRows, stackFilter } = await import('./stack-list');
      const keep = stackFilter(opts.property);
      const wanted = { nested: Boolean(opts.nested), deleted: Boolean(opts.deleted) };
      // Ids and projects are in the actions' memos, which only the codec's client opens.
      const [stacks, ids] = opts.long
        ? await withClient(config, async (client) => [await client.list(wanted), await client.stackIds()] as const)
        : [(await listStacksOverHttp(config, wanted)) ?? (await withClient(config, (client) => client.list(wanted), false)), undefined];
      const columns = listColumns(opts);
      console.log(await renderList(opts, columns, listRows(columns, stacks.filter(keep), ids)));
    });

  showOptions(stack.command('show <name>'))
    .description('show a stack as `openstack stack show` does: status and reason, parameters (hidden ones masked), outputs, links, timeout, rollback, parent')
    .option('--state', 'print stoke\'s own record of the stack instead, as JSON: every resource\'s state too (hidden values masked)')
    .action(async (name: string, opts: FormatOptions & { state?: boolean }) => withClient(config, async (client) => {
      const s = await client.show(name);
      if (opts.state) return console.log(JSON.stringify(s, null, 2));
      const { stackView } = await import('../api/views');
      const base = `http://${config.apiBind.host ?? '127.0.0.1'}:${config.apiBind.port}/v1/${encodeURIComponent(config.tenant)}`;
      // A table has room for structures laid out in YAML, as the openstack client's does.
      // A nested stack's place, beside Heat's `parent` (the parent's id).
      const place = s.parent ? { parent_resource: s.parent.resource, root_stack: s.parent.root.name } : {};
      console.log(await renderShow(opts, { ...stackView(base, s, await client.current(name)), ...place }, 'yaml'));
    }));

  stack.command('delete <name...>')
    .description('delete stacks and everything they created; asks first when stdin is a terminal')
    .option('-y, --yes', 'do not ask: delete')
    .option('--wait', 'follow each delete until it is complete or failed')
    .action(async (names: string[], opts: { yes?: boolean; wait?: boolean }) => {
      if (!opts.yes && process.stdin.isTTY && !(await confirmed(`Are you sure you want to delete ${names.length === 1 ? 'this stack' : `these ${names.length} stacks`} [y/N]? `))) {
        return log('not confirmed: nothing deleted');
      }
      await withClient(config, async (client) => {
        let failed = 0;
        // One stack that cannot go does not keep the others, as the openstack client goes on past it.
        for (const name of names) {
          try {
            await client.delete(name, (action) => console.log(`Stack ${name}: cancelling its ${action} in progress first`));
            console.log(`Stack ${name} DELETE_IN_PROGRESS`);
          } catch (err) {
            if (!StokeError.isStokeError(err) || names.length === 1) throw err;
            console.error(`ERROR: ${err.message}`);
            failed++;
            continue;
          }
          if (opts.wait && (await waitAndReport(client, name)).status !== 'DELETE_COMPLETE') failed++;
        }
        if (failed > 0 && names.length > 1) throw new StokeError('StackDeleteFailed', `unable to delete ${failed} of the ${names.length} stacks`);
      });
    });

  stack.command('cancel <name>')
    .description('cancel a create or update in progress and roll it back, as `openstack stack cancel`')
    .option('--no-rollback', 'leave what was done, the stack CREATE_FAILED or UPDATE_FAILED')
    .option('--wait', 'follow the stack until the cancel (and rollback) is done')
    .action(async (name: string, opts) => withClient(config, async (client) => {
      const action = await client.cancel(name, opts.rollback !== false);
      console.log(`Stack ${name}: cancel requested`);
      // The cancel worked when the action ended as it was asked to; an adopt is never rolled back.
      const failed = action === 'updateStack' ? 'UPDATE_FAILED' : 'CREATE_FAILED';
      if (opts.wait) await waitAndReport(client, name, (s) => s.status === 'ADOPT_FAILED' || s.status === (opts.rollback === false ? failed : 'ROLLBACK_COMPLETE'));
    }));

  for (const [action, description] of [['suspend', 'suspend a stack: pause its containers, dependents first'], ['resume', 'resume a suspended stack: unpause its containers']] as const) {
    stack.command(`${action} <name>`)
      .description(description)
      .option('--wait', `follow the ${action} until it is complete or failed`)
      .action(async (name: string, opts) => withClient(config, async (client) => {
        await (action === 'suspend' ? client.suspend(name) : client.resume(name));
        console.log(`Stack ${name} ${action.toUpperCase()}_IN_PROGRESS`);
        if (opts.wait) await waitAndReport(client, name);
      }));
  }
  stack.command('check <name>')
    .description('check that every resource of a stack is as the stack expects it (containers running their image, networks present)')
    .option('--wait', 'follow the check until it is complete or failed')
    .action(async (name: string, opts) => withClient(config, async (client) => {
      await client.check(name);
      console.log(`Stack ${name} CHECK_IN_PROGRESS`);
      if (opts.wait) await waitAndReport(client, name);
    }));
  stack.command('signal <name> <handle>')
    .description('signal a wait condition handle of a stack being created or updated, as a server would through the gateway')
    .addOption(new Option('--status <status>', 'signal status').choices(['SUCCESS', 'FAILURE']).default('SUCCESS'))
    .option('--reason <reason>', 'reason, shown when the wait fails')
    .option('--data <data>', 'data, returned in the wait condition\'s data attribute')
    .option('--id <id>', 'unique id: a repeated id replaces the earlier signal instead of counting again')
    .action(async (name: string, handle: string, opts) => withClient(config, async (client) => {
      await client.signal(name, {
        handle, status: opts.status,
        ...(opts.reason === undefined ? {} : { reason: opts.reason }),
        ...(opts.data === undefined ? {} : { data: opts.data }),
        ...(opts.id === undefined ? {} : { id: opts.id }),
      });
      console.log(`Signalled ${name}/${handle}: ${opts.status}`);
    }));

  const resource = stack.command('resource').description('stack resources');
  listOptions(resource.command('list <name>'))
    .description('list a stack\'s resources with their status and physical id')
    .option('-n, --nested-depth <depth>', 'list the resources of nested stacks too, down to this many levels, each with its stack\'s name')
    .action(async (name: string, opts: FormatOptions & { nestedDepth?: string }) => withClient(config, async (client) => {
      const s = await client.show(name);
      if (opts.nestedDepth !== undefined) return printNestedResources(client, s, opts.nestedDepth, opts);
      console.log(await renderList(opts, ['resource_name', 'physical_resource_id', 'resource_type', 'resource_status', 'updated_time'],
        Object.entries(s.resources).sort(([a], [b]) => a.localeCompare(b)).map(([n, r]) => [n, r.physicalId, r.type, r.status, r.updatedAt])));
    }));
  showOptions(resource.command('show <name> <resource>'))
    .description('show one resource of a stack: status and reason, physical id, attributes and properties (hidden values masked), what it depends on and what requires it')
    .action(async (name: string, resourceName: string, opts: FormatOptions) => withClient(config, async (client) => {
      const { resourceDetail } = await import('./resource-detail');
      console.log(await renderShow(opts, { ...resourceDetail(await client.show(name), resourceName) }));
    }));

  resource.command('mark-unhealthy <name> <resource> [reason]')
    .description('mark a resource of a stack unhealthy (CHECK_FAILED, with the reason), so that the next stack update replaces it')
    .option('--reset', 'take the mark back: the resource is healthy (CHECK_COMPLETE) again, and an update keeps it')
    .action(async (name: string, resourceName: string, reason: string | undefined, opts) => withClient(config, async (client) => {
      await client.markUnhealthy(name, resourceName, reason ?? '', Boolean(opts.reset));
      const final = await client.wait(name, () => undefined);
      const r = final.resources[resourceName];
      console.log(`Resource ${name}/${resourceName} ${r?.status ?? 'not found'}${r?.statusReason ? `: ${r.statusReason}` : ''}`);
    }));

  resource.command('signal <name> <resource>')
    .description('signal a resource: a scaling policy scales its group (waited for), a wait condition handle takes a SUCCESS')
    .option('--data <json>', 'the signal\'s data, JSON')
    .action(async (name: string, resourceName: string, opts: { data?: string }) => withClient(config, async (client) => {
      let data: Json | undefined;
      try {
        data = opts.data === undefined ? undefined : JSON.parse(opts.data) as Json;
      } catch (err) {
        throw new StokeError('InvalidSignal', `--data is not JSON: ${(err as Error).message}`);
      }
      const target = (await client.show(name)).resources[resourceName];
      if (target && runsOf(target).signals === 'handle') {
        await client.signal(name, { handle: resourceName, status: 'SUCCESS', ...(data === undefined ? {} : { data }) });
        console.log(`Signal SUCCESS sent to ${name}/${resourceName}`);
        return;
      }
      await client.scale(name, resourceName, data);
      const final = await client.wait(name, () => undefined);
      const r = final.resources[resourceName];
      console.log(`Resource ${name}/${resourceName} ${r?.status ?? 'not found'}${r?.statusReason ? `: ${r.statusReason}` : ''}`);
      if (r?.status !== 'SIGNAL_COMPLETE') process.exitCode = 1;
    }));

  eventCommands(stack, { withClient: (fn) => withClient(config, fn) });

  stack.command('template').description('a stack\'s template').command('show <name>')
    .description('print the template the stack was last brought to, as `openstack stack template show`')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (name: string, opts: { format: 'yaml' | 'json' }) => withClient(config, async (client) => {
      const [{ templateOf }, { stringify }] = await Promise.all([import('../api/views'), import('yaml')]);
      // The state first: an unknown stack is "not found", not one that kept nothing.
      await client.state(name);
      const template = templateOf(await client.current(name));
      if (!template) throw new StokeError('TemplateNotKept', `stack '${name}' keeps no template: it was created before stacks kept their source`);
      console.log(opts.format === 'json' ? JSON.stringify(template, null, 2) : stringify(template).trimEnd());
    }));
  stack.command('environment').description('a stack\'s environment').command('show <name>')
    .description('print the environment the stack was last brought to (parameters, parameter_defaults, resource_registry), hidden values masked')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (name: string, opts: { format: 'yaml' | 'json' }) => withClient(config, async (client) => {
      const [{ environmentView }, { stringify }] = await Promise.all([import('../api/views'), import('yaml')]);
      await client.state(name);
      const inputs = await client.current(name);
      if (!inputs) throw new StokeError('TemplateNotKept', `stack '${name}' keeps no environment: it was created before stacks kept their source`);
      const environment = environmentView(inputs);
      console.log(opts.format === 'json' ? JSON.stringify(environment, null, 2) : stringify(environment).trimEnd());
    }));

  const output = stack.command('output').description('stack outputs');
  listOptions(output.command('list <name>'))
    .description('list a stack\'s outputs: key and description')
    .action(async (name: string, opts: FormatOptions) => withClient(config, async (client) => {
      const { outputView } = await import('../api/views');
      const views = Object.entries((await client.show(name)).outputs).map(([key, o]) => outputView(key, o, false));
      console.log(await renderList(opts, ['output_key', 'description'], views.map((v) => [v.output_key, v.description])));
    }));
  showOptions(output.command('show <name> [output]'))
    .description('show one output (key, value, description), or all of them with --all or no output named')
    .option('--all', 'every output: key, value and description')
    .action(async (name: string, key: string | undefined, opts: FormatOptions & { all?: boolean }) => withClient(config, async (client) => {
      const [s, { outputView }] = await Promise.all([client.show(name), import('../api/views')]);
      if (key === undefined || opts.all) {
        if (key !== undefined) throw new StokeError('InvalidArguments', `give an output's name or --all, not both`);
        if (opts.format === 'shell') throw new StokeError('InvalidOption', '-f shell prints one output: name it, or list them all as table, json, yaml or value');
        const rows = Object.entries(s.outputs).map(([k, o]) => [k, o.error ? `(error: ${o.error})` : o.value, outputView(k, o, false).description]);
        console.log(await renderList(opts, ['output_key', 'output_value', 'description'], rows));
        return;
      }
      const o = s.outputs[key];
      if (!o) throw new StokeError('OutputNotFound', `stack '${name}' has no output '${key}'${isFinal(s.status) ? '' : ` yet (${s.status})`}`);
      if (o.error) throw new StokeError('OutputError', `output '${key}': ${o.error}`);
      console.log(await renderShow(opts, outputView(key, o)));
    }));
}

function templateCommands(program: Command): void {
  const template = program.command('template').description('templates');
  const version = template.command('version').description('template versions');
  listOptions(version.command('list'))
    .description('list the template versions stoke reads, as `openstack orchestration template version list`')
    .action(async (opts: FormatOptions) => {
      const { templateVersions } = await import('../api/templates');
      console.log(await renderList(opts, ['Version', 'Type', 'Aliases'], templateVersions().map((v) => [v.version, v.type, (v.aliases as string[]).join(', ')])));
    });
  const fn = template.command('function').description('template functions');
  listOptions(fn.command('list <version>'))
    .description('list the functions a template version offers, as `openstack orchestration template function list`')
    .option('--with-conditions', 'the condition functions too')
    .action(async (name: string, opts: FormatOptions & { withConditions?: boolean }) => {
      const { templateFunctions } = await import('../api/templates');
      const functions = templateFunctions(name, new URLSearchParams(opts.withConditions ? 'with_condition_func=true' : ''));
      console.log(await renderList(opts, ['Functions', 'Description'], functions.map((f) => [f.functions, f.description])));
    });
  template
    .command('validate')
    .description('validate a template with its environments and parameters; prints every error')
    .requiredOption('-t, --template <file>', 'template file')
    .option('-e, --environment <file>', 'environment file (repeatable)', collect, [])
    .option('--parameter <name=value>', 'parameter value (repeatable)', collect, [])
    .addOption(new Option('-f, --format <format>', 'output format: a summary line, or description and parameters (hidden defaults masked)').choices(['table', 'json', 'yaml']).default('table'))
    .action(async (opts) => {
      const [{ formatIssue, loadPlan }, { printData }] = await Promise.all([import('../template/load'), import('./resource-types')]);
      const { plan, warnings, summary } = loadPlan({
        stackName: 'validate', templateFile: opts.template, environmentFiles: opts.environment, parameters: parameterValues(opts.parameter), mode: 'validate',
      });
      for (const warning of warnings) console.error(`warning: ${formatIssue(warning)}`);
      if (opts.format !== 'table') printData(opts.format, summary);
      else console.log(`${opts.template}: valid (${Object.keys(plan.resources).length} resources, ${Object.keys(plan.outputs).length} outputs)`);
    });

  const resource = program.command('resource').description('resource types');
  const type = resource.command('type').description('resource types stoke knows');
  listOptions(type.command('list')).description('list resource types')
    .action(async (opts: FormatOptions) => {
      const [{ RESOURCE_TYPES }, { listedTypes }] = await Promise.all([import('../resources/registry'), import('../client/resource-types')]);
      console.log(await renderList(opts, ['Resource Type'], listedTypes(Object.values(RESOURCE_TYPES)).map((n) => [n])));
    });
  showOptions(type.command('show <type>'), 'yaml').description('show a resource type\'s properties and attributes, as `openstack orchestration resource type show` does')
    .addOption(new Option('--template-type <format>', 'print a template using the type instead, each property a parameter and each attribute an output').choices(['hot', 'cfn']))
    .action(async (name: string, opts: FormatOptions & { templateType?: 'hot' | 'cfn' }) => {
      if (opts.templateType) {
        const [{ typeTemplate }, { stringify }] = await Promise.all([import('../api/templates'), import('yaml')]);
        const generated = typeTemplate(name, new URLSearchParams(`template_type=${opts.templateType}`));
        return console.log(opts.format === 'json' ? JSON.stringify(generated, null, opts.noindent ? undefined : 2) : stringify(generated).trimEnd());
      }
      const [{ resourceType }, { constraintsOf }, { resourceTypeView, supportStatusView }, { noLocalMeaning }] = await Promise.all([
        import('../resources/registry'), import('../resources/schema'), import('../client/resource-types'), import('../resources/unsupported'),
      ]);
      const schema = resourceType(name);
      const refused = noLocalMeaning(name);
      if (refused) throw new StokeError('UnsupportedResourceType', refused);
      if (!schema) throw new StokeError('UnknownResourceType', `unknown resource type '${name}' (see \`stoke resource type list\`)`);
      // The whole type in a table is two: its properties, and its attributes.
      if (opts.format !== 'table' || opts.column.length > 0) return console.log(await renderShow(opts, resourceTypeView(schema)));
      const support = supportStatusView(schema);
      console.log(`${schema.name}: ${schema.description}`);
      console.log(`support_status: ${[support.status, support.version && `since ${support.version}`, support.message].filter(Boolean).join(', ')}\n`);
      console.log(table(['property', 'type', 'required', 'update_allowed', 'default', 'constraints', 'description'],
        Object.entries(schema.properties).map(([p, s]) => [p, s.type, String(Boolean(s.required)), String(Boolean(s.updateAllowed)),
          s.default === undefined ? '' : JSON.stringify(s.default), constraintsOf(s).map((c) => JSON.stringify(c)).join(' '), s.description])));
      console.log(`\n${table(['attribute', 'description'], Object.entries(schema.attributes).map(([a, s]) => [a, s.description]))}`);
    });
}

async function workerEndpoint(config: StokeConfig): Promise<string> {
  const { findDocker } = await import('../runtime/runtime');
  const endpoint = await findDocker(config);
  if (!endpoint) throw new StokeError('DockerUnreachable', 'no Docker engine answers: set DOCKER_HOST, or run `stoke dev` to start the embedded one');
  return endpoint;
}

/** Where the embedded Temporal UI finds the codec server of `stoke dev` and `quickstart`: on loopback, so the key never leaves this machine. */
const codecEndpoint = (config: StokeConfig) => `http://127.0.0.1:${config.codecPort}`;

/** `stoke dev`'s codec server, in its own process: none against a cluster, whose UI is not ours to set up. */
async function devCodecServer(config: StokeConfig): Promise<import('node:http').Server | undefined> {
  if (config.temporalAddress) return undefined;
  const [{ chained, codecKeys, payloadCodecs }, { embeddedUiOrigins, startCodecServer }] = await Promise.all([import('../client/codec'), import('../gateway/codec-server')]);
  try {
    return await startCodecServer(chained(payloadCodecs(codecKeys(config)!)), { host: '127.0.0.1', port: config.codecPort, origins: embeddedUiOrigins(config) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new StokeError('CodecPortInUse', `port ${config.codecPort} is in use: set STOKE_CODEC_PORT to serve the Temporal UI's codec server on another`);
  }
}

/** Starts what the embedded default needs; returns the services this call started. */
async function bootstrap(config: StokeConfig): Promise<{ services: StartedService[]; dockerEndpoint: string }> {
  const { ensureDocker, ensureImages, ensureTemporal, stopServices } = await import('../runtime/runtime');
  const services: StartedService[] = [];
  try {
    const temporal = await ensureTemporal(config, log, codecEndpoint(config));
    if (temporal) services.push(temporal);
    const docker = await ensureDocker(config, log);
    if (docker.service) services.push(docker.service);
    await ensureImages(docker.endpoint, log);
    return { services, dockerEndpoint: docker.endpoint };
  } catch (err) {
    // Half a runtime is of no use, and nothing else would stop what this call started.
    await stopServices(services, log);
    throw err;
  }
}

/** Heat's API as `stoke worker` and `stoke dev` serve it: its token, or none when STOKE_API_AUTH=none is allowed. */
async function apiOptions(config: StokeConfig): Promise<{ token: string | undefined }> {
  return { token: (await import('../api/auth')).apiTokenOf(config) };
}

function runtimeCommands(program: Command, config: StokeConfig): void {
  program.command('worker')
    .description('run the stoke worker (stack workflows and their activities); with STOKE_API=1 or STOKE_API_BIND, Heat\'s API too')
    .action(async () => {
      // The API's access settings are checked before anything starts.
      const api = config.apiEnabled === true ? await apiOptions(config) : undefined;
      await (await import('../runtime/worker')).runWorker(config, await workerEndpoint(config), { api });
    });

  program.command('gateway')
    .description('run only the signal gateway (`stoke worker` runs one too): servers signal wait condition handles here')
    .action(async () => {
      const [{ startGateway }, { findDocker }] = await Promise.all([import('../gateway/gateway'), import('../runtime/runtime')]);
      const gateway = await startGateway(config, await findDocker(config), (message) => console.log(`stoke gateway: ${message}`));
      if (!gateway) throw new StokeError('GatewayPortInUse', `port ${config.signalBind.port} has a gateway already: set STOKE_SIGNAL_BIND to run another`);
      console.log(`stoke gateway: listening on ${gateway.address}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await gateway.close();
    });

  program.command('api')
    .description('serve Heat\'s orchestration API v1 for the openstack CLI and heatclient (`stoke worker` with STOKE_API=1 and `stoke dev` serve it too)')
    .action(async () => {
      const [{ serveApi }, { apiTokenOf }] = await Promise.all([import('../api/server'), import('../api/auth')]);
      const api = await serveApi(config, apiTokenOf(config), (message) => console.log(`stoke api: ${message}`));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await api.close();
    });

  program.command('dev')
    .description('start the embedded Temporal dev server, a Docker engine if none answers, the worker and Heat\'s API (unless STOKE_API=0); Ctrl-C stops them all')
    .action(async () => {
      const api = config.apiEnabled !== false ? await apiOptions(config) : undefined;
      const codec = await devCodecServer(config);
      try {
        const { services, dockerEndpoint } = await bootstrap(config);
        const [{ runWorker }, { stopServices }] = await Promise.all([import('../runtime/worker'), import('../runtime/runtime')]);
        if (codec) log(`Temporal UI: http://127.0.0.1:${config.devServerPort + 1000} (payloads decrypted by the codec server at ${codecEndpoint(config)})`);
        try {
          await runWorker(config, dockerEndpoint, { api });
        } finally {
          await stopServices(services, log);
        }
      } finally {
        codec?.close();
      }
    });

  program.command('quickstart')
    .description('set up the embedded runtime and create the example stack (two linked containers), printing its URL')
    .option('--name <name>', 'stack name', 'hello')
    .action(async (opts) => {
      await bootstrap(config);
      const { recordedServices, startDaemon } = await import('../runtime/runtime');
      const running = recordedServices(config).map((s) => s.name);
      if (!config.temporalAddress && !running.includes('codec-server')) {
        startDaemon(config, 'codec-server', process.execPath, [path.join(__dirname, 'cli.js'), 'codec-server', '--port', String(config.codecPort)]);
      }
      if (!running.includes('worker')) {
        log('starting a stoke worker in the background');
        startDaemon(config, 'worker', process.execPath, [path.join(__dirname, 'cli.js'), 'worker']);
      }
      const { plan, source } = await planOf(opts.name, { template: path.join(config.projectRoot, 'examples', 'hello.yaml'), environment: [], parameter: [], timeout: '60' });
      await withClient(config, async (client) => {
        const existing = (await client.list()).find((s) => s.name === opts.name);
        if (existing) log(`stack ${opts.name} exists already (${existing.status})`);
        else {
          await client.create(plan, source);
          await waitAndReport(client, opts.name);
        }
        const state = await client.show(opts.name);
        console.log(`Outputs:\n${outputLines(state)}`);
      });
      if (!config.temporalAddress) log(`Temporal UI: http://127.0.0.1:${config.devServerPort + 1000}  (stop the background services with \`npx stoke down\`)`);
    });

  const cluster = program.command('cluster')
    .description('the production topology on this machine: Temporal on PostgreSQL, its UI, two workers, two Docker engines, the gateway and the codec server');
  cluster.command('up')
    .description('build (once, from Go modules) and start what of the cluster is not running; it answers where `stoke dev` would, so nothing else needs a setting')
    .action(async () => (await import('../runtime/cluster')).clusterUp(config, path.join(__dirname, 'cli.js'), log));
  cluster.command('down')
    .description('stop the cluster\'s services, workers first and PostgreSQL last; data and binaries stay for the next `up`')
    .action(async () => (await import('../runtime/cluster')).clusterDown(config, log));
  listOptions(cluster.command('status'))
    .description('each service of the cluster, its pid and where it answers; exit 1 when any is stopped (an engine it found running is `external`)')
    .action(async (opts: FormatOptions) => {
      const status = (await import('../runtime/cluster')).clusterStatus(config);
      console.log(await renderList(opts, ['service', 'state', 'pid', 'address'], status.map((s) => [s.service, s.state, s.pid ?? '', s.address])));
      if (status.some((s) => s.state === 'stopped')) process.exitCode = 1;
    });

  const images = program.command('images').description('stoke\'s own images');
  images.command('build')
    .description('build the docker-host server image and the stand-in images from Debian packages (root; about 6 min the first time, '
      + 'cached after), and start and fill the local registry that servers\' engines pull from; `stoke down` stops the registry')
    .action(async () => {
      const [{ ensureDocker, ensureImages }, { ensureServerImages }] = await Promise.all([import('../runtime/runtime'), import('../runtime/images')]);
      const docker = await ensureDocker(config, log);
      await ensureImages(docker.endpoint, log);
      await ensureServerImages(config, docker.endpoint, log);
      log('server and stand-in images built, local registry running');
    });
  images.command('compose')
    .description('build stand-ins for docker-compose.yml\'s images, for docker-compose.override-local.yml where Docker Hub is unreachable: '
      + 'PostgreSQL from Debian, Temporal\'s server and UI from their Go modules, Node 20 from the npm registry (root; minutes the first time, cached after)')
    .action(async () => {
      const [{ ensureDocker }, { COMPOSE_STANDINS, ensureComposeImages }] = await Promise.all([import('../runtime/runtime'), import('../runtime/compose-images')]);
      const docker = await ensureDocker(config, log);
      await ensureComposeImages(config, docker.endpoint, log);
      for (const [image, standin] of Object.entries(COMPOSE_STANDINS)) log(`${image} → ${standin}`);
    });

  program.command('codec-server')
    .description('serve Temporal\'s remote codec protocol (/encode, /decode) so the Temporal UI can show decrypted payloads')
    .option('--port <port>', 'port to listen on (STOKE_CODEC_PORT)', String(config.codecPort))
    .option('--host <address>', 'address to listen on: whoever reaches it can decrypt', '127.0.0.1')
    .option('--origin <url>', 'browser origin allowed to call it (repeatable; * for any)', collect, [])
    .action(async (opts) => {
      const { chained, codecKeys, payloadCodecs } = await import('../client/codec');
      const { embeddedUiOrigins, startCodecServer } = await import('../gateway/codec-server');
      const keys = codecKeys(config);
      if (!keys) throw new StokeError('CodecKeyMissing', 'no encryption key: set STOKE_CODEC_KEY or STOKE_CODEC_KEY_FILE to the key the worker uses');
      const origins = opts.origin.length > 0 ? opts.origin : embeddedUiOrigins(config);
      const codecs = payloadCodecs(keys);
      await startCodecServer(chained(codecs), { host: opts.host, port: Number(opts.port), origins });
      console.log(`stoke codec server: http://${opts.host}:${opts.port} (key ${codecs[1]!.currentKeyId}; origins ${origins.join(', ')})`);
    });

  program.command('ui')
    .description('serve the topology page: stacks, each one\'s resource graph coloured by status, events, outputs, parameters and links to its workflows in the Temporal UI')
    .option('--port <port>', 'port to listen on (STOKE_UI_BIND)', String(config.uiBind.port))
    .option('--host <address>', 'address to listen on: whoever reaches it reads every stack', config.uiBind.host ?? '127.0.0.1')
    .option('--temporal-ui <url>', 'the Temporal UI that actions link to (STOKE_TEMPORAL_UI)', config.temporalUi)
    .action(async (opts) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StokeError('InvalidPort', `--port '${opts.port}' must be a port number`);
      const [{ StackClient }, { startUi }] = await Promise.all([import('../client/client'), import('../ui/server')]);
      const client = await StackClient.connect(config);
      const server = await startUi(client, config, { host: opts.host, port, temporalUi: opts.temporalUi });
      console.log(`stoke ui: http://${opts.host}:${(server.address() as import('node:net').AddressInfo).port}/ (Temporal UI ${opts.temporalUi})`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      server.close();
      await client.close();
    });

  program.command('down')
    .description('stop the services that `stoke quickstart` and `stoke images build` left running (worker, codec server, Temporal dev server, dockerd, registry)')
    .action(async () => {
      const { recordedServices, stopServices } = await import('../runtime/runtime');
      await stopServices(recordedServices(config), log);
    });
}

function completionCommands(program: Command, config: StokeConfig): void {
  program.command('completion')
    .description('print a completion script for commands, stack and resource names; bash: `source <(stoke completion bash)`, zsh: `source <(stoke completion zsh)`')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action(async (shell: string) => console.log((await import('./completion')).completionScript(shell, program)));
  // The completion script's source of names: one a line, nothing else.
  program.command('_complete <what> [stack]', { hidden: true })
    .action(async (what: string, stackName: string | undefined) => {
      if (what === 'stacks') {
        const stacks = (await listStacksOverHttp(config)) ?? (await withClient(config, (client) => client.list(), false));
        return console.log(stacks.map((s) => s.name).join('\n'));
      }
      if (what === 'resources' && stackName) return withClient(config, async (client) => console.log(Object.keys((await client.show(stackName)).resources).sort().join('\n')));
      throw new StokeError('InvalidArguments', `_complete takes 'stacks' or 'resources STACK', not '${what}'`);
    });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const program = new Command('stoke')
    .description(`Heat stacks on Temporal (Temporal ${temporalAddress(config)}, task queue ${config.taskQueue})`)
    .showHelpAfterError()
    .exitOverride();
  stackCommands(program, config);
  templateCommands(program);
  runtimeCommands(program, config);
  completionCommands(program, config);
  await program.parseAsync(process.argv);
}

main().catch((err: unknown) => {
  const e = err as { code?: string; exitCode?: number; message?: string };
  // commander has printed its own usage message already.
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
    process.exit(e.exitCode ?? 2);
  }
  if (StokeError.isStokeError(err)) console.error(`ERROR: ${err.message}`);
  else console.error(`ERROR: ${e.message ?? String(err)}`);
  if (process.env.STOKE_DEBUG && err instanceof Error) console.error(err.stack);
  process.exit(1);
});
