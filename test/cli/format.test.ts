/** The shared output options of list and show commands, the stack list's filters and creation time, and the completion script. */
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { parse } from 'yaml';
import { completionScript } from '../../src/cli/completion';
import { listOptions, renderList, renderShow, showOptions, table, type FormatOptions } from '../../src/cli/format';
import { listColumns, listRows, stackFilter } from '../../src/cli/stack-list';
import { newestPerStack, type ActionRecord } from '../../src/client/stacks';

const opts = (format: string, more: Partial<FormatOptions> = {}): FormatOptions => ({ format, column: [], ...more });
const COLUMNS = ['name', 'status', 'size'];
const ROWS = [['web', 'CREATE_COMPLETE', 2], ['db', 'CREATE_FAILED', 10], ['app "x"', 'CREATE_COMPLETE', { a: 1 }]];

test('a list in each format: a table, JSON objects keyed by column, YAML, values, CSV', async () => {
  expect((await renderList(opts('table'), COLUMNS, ROWS)).split('\n')).toEqual([
    'name     status           size', '-------  ---------------  -------', 'web      CREATE_COMPLETE  2', 'db       CREATE_FAILED    10', 'app "x"  CREATE_COMPLETE  {"a":1}',
  ]);
  expect(JSON.parse(await renderList(opts('json'), COLUMNS, ROWS))[2]).toEqual({ name: 'app "x"', status: 'CREATE_COMPLETE', size: { a: 1 } });
  expect(await renderList(opts('json', { noindent: true }), COLUMNS, ROWS.slice(0, 1))).toBe('[{"name":"web","status":"CREATE_COMPLETE","size":2}]');
  expect(parse(await renderList(opts('yaml'), COLUMNS, ROWS))[1]).toEqual({ name: 'db', status: 'CREATE_FAILED', size: 10 });
  expect(parse(await renderList(opts('yaml'), COLUMNS, []))).toEqual([]);
  expect(await renderList(opts('value', { column: ['name', 'size'] }), COLUMNS, ROWS)).toBe('web 2\ndb 10\napp "x" {"a":1}');
  expect(await renderList(opts('csv', { column: ['name', 'size'] }), COLUMNS, ROWS)).toBe('"name","size"\n"web",2\n"db",10\n"app ""x""","{""a"":1}"');
});

test('-c picks and orders columns; --sort-column sorts, --sort-descending the other way; an unknown column is named', async () => {
  expect(await renderList(opts('value', { column: ['size', 'name'], sortColumn: ['name'] }), COLUMNS, ROWS.slice(0, 2))).toBe('10 db\n2 web');
  expect(await renderList(opts('value', { column: ['name'], sortColumn: ['size'], sortDescending: true }), COLUMNS, ROWS.slice(0, 2))).toBe('db\nweb');
  await expect(renderList(opts('table', { column: ['Name'] }), COLUMNS, ROWS)).rejects.toThrow("unknown column 'Name' (the columns are: name, status, size)");
  await expect(renderList(opts('table', { sortColumn: ['age'] }), COLUMNS, ROWS)).rejects.toThrow("unknown column 'age'");
  await expect(renderShow(opts('json', { column: ['nope'] }), { a: 1 })).rejects.toThrow("unknown column 'nope' (the columns are: a)");
});

test('--max-width wraps the widest cells so that no line is wider; a bad width is named', async () => {
  const rows = [['web', 'a long reason that goes on and on past any narrow terminal']];
  const text = await renderList(opts('table', { maxWidth: '30' }), ['name', 'reason'], rows);
  expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(30);
  expect(text.split('\n').slice(2).map((l) => l.slice(5).trim()).join(' ')).toBe(rows[0]![1]);
  expect(await renderList(opts('table', { maxWidth: '0' }), ['name', 'reason'], rows)).toContain(rows[0]![1]);
  await expect(renderList(opts('table', { maxWidth: 'wide' }), ['name'], [])).rejects.toThrow("--max-width 'wide' must be a whole number");
  expect(table(['a', 'b'], [['x\ny', 'z']]).split('\n')).toEqual(['a  b', '-  -', 'x  z', 'y']);
});

test('a show in each format: Field and Value rows (structures in YAML where asked), JSON, YAML, values, shell variables', async () => {
  const item = { stack_name: 'web', 'stack status': 'CREATE_COMPLETE', outputs: [{ output_key: 'url' }], parent: null };
  expect(await renderShow(opts('table'), item, 'yaml')).toBe([
    'Field         Value', '------------  -----------------', 'stack_name    web', 'stack status  CREATE_COMPLETE', 'outputs       - output_key: url', 'parent        null',
  ].join('\n'));
  expect(JSON.parse(await renderShow(opts('json', { column: ['parent', 'stack_name'] }), item))).toEqual({ parent: null, stack_name: 'web' });
  expect(parse(await renderShow(opts('yaml'), item))).toEqual(item);
  expect(await renderShow(opts('value', { column: ['stack_name', 'outputs'] }), item)).toBe('web\n[{"output_key":"url"}]');
  expect(await renderShow(opts('shell', { prefix: 'st_', column: ['stack status'] }), item)).toBe('st_stack_status="CREATE_COMPLETE"');
  expect(await renderShow(opts('shell'), { 'a-b': 'say "$HOME" `x` \\' })).toBe('a_b="say \\"\\$HOME\\" \\`x\\` \\\\"');
});

test('the options as commander parses them; an unknown format is refused with the choices', () => {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  let seen: unknown;
  listOptions(program.command('list')).action((o) => { seen = o; });
  showOptions(program.command('show'), 'yaml').action((o) => { seen = o; });
  program.parse(['list', '-f', 'csv', '-c', 'a', '-c', 'b', '--sort-column', 'a', '--sort-descending', '--max-width', '9'], { from: 'user' });
  expect(seen).toEqual({ format: 'csv', column: ['a', 'b'], sortColumn: ['a'], sortDescending: true, maxWidth: '9' });
  program.parse(['show', '--noindent'], { from: 'user' });
  expect(seen).toEqual({ format: 'yaml', column: [], noindent: true, prefix: '' });
  expect(() => program.parse(['list', '-f', 'shell'], { from: 'user' })).toThrow(/argument 'shell' is invalid. Allowed choices are table, json, yaml, value, csv/);
  expect(() => program.parse(['show', '-f', 'xml'], { from: 'user' })).toThrow(/Allowed choices are table, json, yaml, value, shell/);
});

const summary = (name: string, status: string, parent?: string) => ({ name, status, ...(parent ? { parent } : {}) });

test('stack list --property: name and status (with or without the action), repeated values any of them; a bad key named', () => {
  const stacks = [summary('a', 'CREATE_COMPLETE'), summary('b', 'UPDATE_FAILED'), summary('c', 'CREATE_FAILED')];
  const names = (...pairs: string[]) => stacks.filter(stackFilter(pairs)).map((s) => s.name);
  expect(names('status=CREATE_COMPLETE')).toEqual(['a']);
  expect(names('status=FAILED')).toEqual(['b', 'c']);
  expect(names('status=FAILED', 'name=c')).toEqual(['c']);
  expect(names('name=a', 'name=b')).toEqual(['a', 'b']);
  expect(names('action=CREATE')).toEqual(['a', 'c']);
  expect(() => stackFilter(['owner=me'])).toThrow("--property 'owner=me' must be KEY=VALUE with KEY one of name, status, action");
  expect(() => stackFilter(['status'])).toThrow("--property 'status' must be KEY=VALUE");
  const columns = listColumns({ long: true, nested: true, deleted: true });
  expect(columns).toEqual(['ID', 'Stack Name', 'Project', 'Stack Status', 'Creation Time', 'Updated Time', 'Parent', 'Deletion Time']);
  const at = new Date('2026-01-02T03:04:05.678Z');
  expect(listRows(columns, [{ ...summary('n', 'DELETE_COMPLETE', 'p'), tenant: 't', createdAt: at, updatedAt: at }], new Map([['n', 'id-1']])))
    .toEqual([['id-1', 'n', 't', 'DELETE_COMPLETE', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z', 'p', '2026-01-02T03:04:05Z']]);
});

test('a stack\'s creation time is its create\'s start, not its newest action\'s; a name created again is a new stack', () => {
  const record = (action: string, minute: number, stackStatus: string): ActionRecord =>
    ({ stackName: 's', stackStatus, action, workflowStatus: 'COMPLETED', startTime: new Date(Date.UTC(2026, 0, 1, 0, minute)) });
  const updated = newestPerStack([record('createStack', 1, 'CREATE_COMPLETE'), record('updateStack', 5, 'UPDATE_COMPLETE'), record('checkStack', 9, 'CHECK_COMPLETE')]);
  expect(updated[0]).toMatchObject({ status: 'CHECK_COMPLETE', createdAt: new Date(Date.UTC(2026, 0, 1, 0, 1)) });
  const again = newestPerStack([record('createStack', 1, 'CREATE_COMPLETE'), record('deleteStack', 2, 'DELETE_COMPLETE'), record('adoptStack', 3, 'ADOPT_COMPLETE'), record('suspendStack', 4, 'SUSPEND_COMPLETE')]);
  expect(again[0]!.createdAt).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 3)));
  // Retention dropped the create: the oldest action kept is the best known.
  expect(newestPerStack([record('updateStack', 7, 'UPDATE_COMPLETE'), record('checkStack', 8, 'CHECK_COMPLETE')])[0]!.createdAt).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 7)));
});

/** What bash offers after `words` (the last one being completed), `stoke` answering from a stub. */
function complete(shell: 'bash' | 'zsh', words: string[]): string[] {
  const program = new Command('stoke');
  const stack = program.command('stack');
  stack.command('create <name>').option('-t, --template <file>');
  showOptions(stack.command('show <name>'));
  stack.command('delete <name...>').option('-y, --yes');
  stack.command('resource').command('show <name> <resource>');
  program.command('_complete <what> [stack]', { hidden: true });
  const script = completionScript('bash', program);
  const stub = `stoke() { [[ "$1 $2" == "_complete stacks" ]] && printf 'web\\nweb2\\ndb\\n'; [[ "$1 $2 $3" == "_complete resources web" ]] && printf 'box\\nnet\\n'; }`;
  const run = `${script}\n${stub}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _stoke; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['-c', run], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(shell === 'zsh' ? completionScript('zsh', program) : script).toContain('complete -o default -F _stoke stoke');
  return result.stdout.split('\n').filter(Boolean);
}

test('completion: commands, stack names after a stack command (past options and their values), resource names after a stack', () => {
  expect(complete('bash', ['stoke', 'st'])).toEqual(['stack']);
  expect(complete('bash', ['stoke', 'stack', ''])).toEqual(['create', 'show', 'delete', 'resource']);
  expect(complete('bash', ['stoke', 'stack', 'show', '-f', 'json', 'we'])).toEqual(['web', 'web2']);
  expect(complete('bash', ['stoke', 'stack', 'delete', 'web', 'd'])).toEqual(['db']);
  expect(complete('bash', ['stoke', 'stack', 'resource', 'show', 'web', ''])).toEqual(['box', 'net']);
  expect(complete('bash', ['stoke', 'stack', 'create', ''])).toEqual([]);
  expect(complete('zsh', ['stoke', 'stack', 'show', '--'])).toEqual(['--format', '--column', '--noindent', '--max-width', '--prefix', '--help']);
});
