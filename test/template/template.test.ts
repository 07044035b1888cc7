import { cycleGroups, findCycle, reversed, walkDepthFirst } from '../../src/template/graph';
import { FunctionError, isDeferred, resolve, type ResolveContext } from '../../src/template/functions';
import { formatIssue } from '../../src/template/load';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { Json } from '../../src/template/types';

const plan = (text: string, parameters: Record<string, string> = {}, environments: string[] = []) =>
  planStack({
    stackName: 'demo',
    template: parseFile(text, 'demo.yaml'),
    environments: environments.map((env, i) => parseFile(env, `env${i}.yaml`)),
    parameters,
  });

const messages = (text: string, parameters: Record<string, string> = {}) =>
  plan(text, parameters).errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`);

const ctx = (extra: Partial<ResolveContext> = {}): ResolveContext => ({
  format: 'hot', stackName: 'demo', stackId: 'id-1', parameters: { name: 'web', ports: [80, 443], conf: { a: { b: 'deep' } } },
  resourceNames: new Set(['server', 'db']), ...extra,
});

describe('intrinsic functions', () => {
  test('get_param reads values and follows paths into json and lists', () => {
    expect(resolve({ get_param: 'name' }, ctx())).toBe('web');
    expect(resolve({ get_param: ['ports', 1] }, ctx())).toBe(443);
    expect(resolve({ get_param: ['conf', 'a', 'b'] }, ctx())).toBe('deep');
    expect(resolve({ get_param: 'OS::stack_name' }, ctx())).toBe('demo');
    expect(() => resolve({ get_param: 'nope' }, ctx(), 'x')).toThrow(new FunctionError('x.get_param', "get_param: the template has no parameter 'nope'"));
  });

  test('str_replace replaces longer keys first and never re-replaces replaced text', () => {
    const value = { str_replace: { template: 'host:hostname port', params: { host: 'a', hostname: 'host-b', port: 80 } } };
    expect(resolve(value, ctx())).toBe('a:host-b 80');
  });

  test('list_join joins strings and stringifies other values', () => {
    expect(resolve({ list_join: [',', ['a', { get_param: 'name' }, 3]] }, ctx())).toBe('a,web,3');
    expect(() => resolve({ list_join: [','] }, ctx())).toThrow('list_join: arguments must be [delimiter, list…]');
  });

  test('functions over resources are deferred until the resources exist, then resolved', () => {
    const value: Json = { str_replace: { template: 'http://host:2345/', params: { host: { get_attr: ['server', 'networks', 'private', 0] } } } };
    const early = resolve(value, ctx());
    expect(isDeferred(early)).toBe(true);
    const late = resolve(JSON.parse(JSON.stringify(early)), ctx({
      physicalId: () => 'abc',
      attribute: (resource, attribute) => (resource === 'server' && attribute === 'networks' ? { private: ['10.0.0.5'] } : null),
    }));
    expect(late).toBe('http://10.0.0.5:2345/');
  });

  test('CFN Ref, Fn::GetAtt and Fn::Join', () => {
    const cfn = ctx({ format: 'cfn', physicalId: () => 'c-1', attribute: () => '172.17.0.3' });
    expect(resolve({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': ['db', 'NetworkIp'] }, ':', { Ref: 'name' }]] }, cfn)).toBe('http://172.17.0.3:web');
    expect(resolve({ Ref: 'db' }, cfn)).toBe('c-1');
    expect(resolve({ Ref: 'AWS::StackName' }, cfn)).toBe('demo');
  });
});

describe('dependency graph', () => {
  test('finds a cycle and names every resource in it', () => {
    expect(findCycle({ a: ['b'], b: ['c'], c: ['a'], d: [] })).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle({ a: ['b'], b: [], c: ['a', 'b'] })).toBeUndefined();
  });

  test('reversing the graph gives the delete order', () => {
    expect(reversed({ web: ['db'], db: [], cache: ['db'] })).toEqual({ web: [], db: ['cache', 'web'], cache: [] });
  });

  test('a chain of 20,000 resources, either way round, is checked and walked without running out of stack', () => {
    const chain: Record<string, string[]> = {};
    for (let i = 0; i < 20_000; i++) chain[`r${String(i).padStart(5, '0')}`] = i < 19_999 ? [`r${String(i + 1).padStart(5, '0')}`] : [];
    for (const graph of [chain, reversed(chain)]) {
      expect(findCycle(graph)).toBeUndefined();
      expect(cycleGroups(graph)).toEqual([]);
    }
    chain.r19999 = ['r00000'];
    expect(findCycle(chain)).toHaveLength(20_001);
    expect(cycleGroups(chain)).toEqual([Object.keys(chain).sort()]);
    expect(cycleGroups({ a: ['b'], b: ['a'], c: ['c'], d: ['a'], e: [] })).toEqual([['a', 'b'], ['c']]);
  });

  test('the walk finishes names in the order a recursive walk would, which the workflows start resources in', () => {
    // A recursive post-order walk, as runGraph once started its nodes, on graphs of every shape.
    const recursive = (requires: Record<string, string[]>) => {
      const order: string[] = [];
      const seen = new Set<string>();
      const visit = (name: string): void => {
        if (seen.has(name)) return;
        seen.add(name);
        for (const dep of requires[name] ?? []) visit(dep);
        order.push(name);
      };
      Object.keys(requires).sort().forEach(visit);
      return order;
    };
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const names = Array.from({ length: 1 + random(30) }, (_, i) => `n${random(1000)}x${i}`);
      // Acyclic: a node requires only nodes after it, in an order that is not the names' sorted one.
      const requires = Object.fromEntries(names.map((name, i) => [name, names.slice(i + 1).filter(() => random(4) === 0)]));
      const order: string[] = [];
      const seen = new Set<string>();
      walkDepthFirst(Object.keys(requires).sort(), (name) => requires[name] ?? [], (name) => (seen.has(name) ? 'skip' : (seen.add(name), 'enter')), (name) => order.push(name));
      expect(order).toEqual(recursive(requires));
    }
  });
});

describe('planning', () => {
  const valid = `heat_template_version: 2013-05-23
parameters:
  port: {type: number, default: 8080}
  password: {type: string, hidden: true}
resources:
  pw:
    type: OS::Heat::RandomString
  db:
    type: DockerInc::Docker::Container
    properties:
      image: mysql
      env: [{str_replace: {template: PW=x, params: {x: {get_attr: [pw, value]}}}}]
  web:
    type: DockerInc::Docker::Container
    depends_on: db
    properties:
      image: wordpress
      port_bindings: {80/tcp: [{HostPort: {get_param: port}}]}
outputs:
  url: {value: {list_join: ['', ['http://', {get_attr: [web, network_ip]}]]}}
`;

  test('a valid template becomes a plan with requirements, used attributes and defaults', () => {
    const result = plan(valid, { password: 's3cret', port: '9000' });
    expect(result.errors).toEqual([]);
    expect(result.hiddenParameters).toEqual(['password']);
    const p = result.plan!;
    expect(p.format).toBe('hot');
    expect(p.resources.db!.requires).toEqual(['pw']);
    expect(p.resources.web!.requires).toEqual(['db']);
    expect(p.resources.pw!.attributes).toEqual(['value']);
    expect(p.resources.web!.attributes).toEqual(['network_ip']);
    expect(p.resources.pw!.properties).toEqual({ length: 32 });
    expect(p.resources.web!.properties.port_bindings).toEqual({ '80/tcp': [{ HostPort: 9000 }] });
    expect(JSON.stringify(p)).not.toContain('s3cret');
  });

  test('the version date stays a string', () => {
    expect(parseFile('heat_template_version: 2013-05-23\n', 'x').data).toEqual({ heat_template_version: '2013-05-23' });
  });

  test('every error is reported at once with its line, column and path', () => {
    const text = `heat_template_version: 2013-05-23
parameters:
  count: {type: number}
resources:
  a:
    type: OS::Heat::None
    depends_on: [b, ghost]
  b:
    type: OS::Heat::None
    depends_on: a
  web:
    type: DockerInc::Docker::Container
    properties:
      image: [not, a, string]
      links: {get_param: missing}
`;
    expect(messages(text)).toEqual([
      "3:3 parameters.count: the parameter 'count' has no default and no value: give it with --parameter count=VALUE or in an environment file",
      '5:3 resources.a: circular dependency among a, b: a -> b -> a',
      "7:21 resources.a.depends_on[1]: 'ghost' is not another resource of this template",
      '14:7 resources.web.properties.image: expected a string, got a list',
      "15:15 resources.web.properties.links.get_param: get_param: the template has no parameter 'missing'",
    ]);
  });

  test('YAML errors keep their position; tabs are refused', () => {
    expect(messages('heat_template_version: 2013-05-23\nresources:\n\tweb:\n\t\ttype: OS::Heat::None\n')[0]).toMatch(/^3:1 : .*tab/i);
  });

  test('a template that is not a mapping, or not a Heat template, is refused clearly', () => {
    expect(plan('- a\n- b\n').errors).toEqual([{ code: 'NotAMapping', path: '', file: 'demo.yaml', message: 'a template must be a mapping of sections, got a list' }]);
    expect(messages('foo: 1\n')[0]).toContain('not a Heat template');
  });

  test('an issue is placed at its path or nearest ancestor in the file, and without a position when there is none', () => {
    const unknown = "the template declares no parameter 'size' (given with --parameter or in an environment)";
    const withSection = plan('# notes\n\nparameters: {}\nheat_template_version: 2013-05-23\nresources: {}\n', { size: '3' }).errors;
    expect(withSection).toEqual([{ code: 'UnknownParameter', path: 'parameters', file: 'demo.yaml', line: 3, column: 1, message: unknown }]);
    const [withoutSection] = plan('# notes\n\nheat_template_version: 2013-05-23\nresources: {}\n', { size: '3' }).errors;
    expect(withoutSection).toMatchObject({ code: 'UnknownParameter', path: 'parameters', file: 'demo.yaml', message: unknown });
    expect(withoutSection).not.toHaveProperty('line');
    expect(withoutSection).not.toHaveProperty('column');
    expect(formatIssue(withoutSection!)).toBe(`demo.yaml: parameters: ${unknown}`);
    const [notHeat] = plan('# notes\nfoo: 1\n').errors;
    expect(notHeat).not.toHaveProperty('line');
    expect(formatIssue(notHeat!)).toMatch(/^demo\.yaml: not a Heat template/);
  });

  test('a duplicate key is a warning naming both lines, and the later value wins', () => {
    const result = plan('heat_template_version: 2013-05-23\nresources:\n  a: {type: OS::Heat::None}\n  a: {type: OS::Heat::RandomString}\n');
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => `${w.line} ${w.message}`)).toEqual(["4 duplicate key 'a' (first at line 3, again at line 4); the later value wins, as in Heat"]);
    expect(result.plan!.resources.a!.type).toBe('OS::Heat::RandomString');
  });

  test('environments supply parameters and type aliases; unknown parameters are refused', () => {
    const text = 'heat_template_version: 2013-05-23\nparameters:\n  n: {type: string}\nresources:\n  x: {type: My::Thing}\n';
    const env = 'parameters: {n: from-env}\nresource_registry: {"My::Thing": "OS::Heat::None"}\n';
    const result = plan(text, {}, [env]);
    expect(result.errors).toEqual([]);
    expect(result.plan!.resources.x!.type).toBe('OS::Heat::None');
    expect(messages(text, { n: 'x', other: 'y' })).toContain(
      "2:1 parameters: the template declares no parameter 'other' (given with --parameter or in an environment)",
    );
  });

  test('hidden parameter values never appear in errors', () => {
    const text = 'heat_template_version: 2013-05-23\nparameters:\n  pin: {type: number, hidden: true}\n';
    expect(messages(text, { pin: 'topsecret' }).join()).not.toContain('topsecret');
  });

  test('CFN templates plan like HOT ones', () => {
    const text = `HeatTemplateFormatVersion: '2012-12-12'
Parameters:
  Img: {Type: String, Default: busybox}
Resources:
  Db:
    Type: DockerInc::Docker::Container
    Properties: {image: {Ref: Img}}
  Web:
    Type: DockerInc::Docker::Container
    Properties:
      image: {Ref: Img}
      env: [{"Fn::Join": ["=", [DB, {"Fn::GetAtt": [Db, network_ip]}]]}]
Outputs:
  Id: {Value: {Ref: Web}}
`;
    const result = plan(text);
    expect(result.errors).toEqual([]);
    expect(result.plan!.format).toBe('cfn');
    expect(result.plan!.resources.Web!.requires).toEqual(['Db']);
    expect(result.plan!.resources.Db!.properties.image).toBe('busybox');
  });
});
