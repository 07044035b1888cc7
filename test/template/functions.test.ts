import * as crypto from 'node:crypto';
import { evaluateCondition, FunctionError, isDeferred, MAX_REPEAT_ITEMS, resolve, type ResolveContext } from '../../src/template/functions';
import type { Json } from '../../src/template/types';
import { hotVersion, versionKey } from '../../src/template/versions';

const latest = versionKey(hotVersion('2018-08-31')!);

const ctx = (extra: Partial<ResolveContext> = {}): ResolveContext => ({
  format: 'hot', version: latest, stackName: 'demo', stackId: 'id-1',
  parameters: { name: 'web', ports: [80, 443], conf: { a: { b: 'deep' } }, flag: true, env: 'prod' },
  resourceNames: new Set(['server', 'db']),
  condition: (name) => ({ is_prod: true, is_dev: false } as Record<string, boolean>)[name],
  ...extra,
});

const run = (value: Json, extra: Partial<ResolveContext> = {}) => resolve(value, ctx(extra), 'x');
const error = (value: Json, extra: Partial<ResolveContext> = {}): string => {
  try {
    resolve(value, ctx(extra), 'x');
  } catch (err) {
    if (err instanceof FunctionError) return `${err.path}: ${err.message}`;
    throw err;
  }
  throw new Error('expected a FunctionError');
};

describe('HOT functions', () => {
  test('get_param with paths into json values and lists; pseudo parameters', () => {
    expect(run({ get_param: ['conf', 'a', 'b'] })).toBe('deep');
    expect(run({ get_param: ['ports', '1'] })).toBe(443);
    expect(run({ get_param: 'OS::stack_name' })).toBe('demo');
    expect(error({ get_param: 'nope' })).toBe("x.get_param: get_param: the template has no parameter 'nope'");
    expect(error({ get_param: ['name', 'x'] })).toContain("cannot follow path 'x' into string 'web'");
  });

  test('get_resource and get_attr defer until the resource exists, then resolve with paths', () => {
    expect(isDeferred(run({ get_resource: 'server' }))).toBe(true);
    expect(run({ get_resource: 'server' }, { physicalId: () => 'abc' })).toBe('abc');
    const attribute = (r: string, a: string) => (r === 'server' && a === 'networks' ? { private: ['10.0.0.5'] } : null);
    expect(run({ get_attr: ['server', 'networks', 'private', 0] }, { attribute })).toBe('10.0.0.5');
    expect(run({ get_attr: ['server'] }, { allAttributes: () => ({ ip: '1.2.3.4' }) })).toEqual({ ip: '1.2.3.4' });
    expect(error({ get_attr: ['ghost', 'ip'] })).toBe("x.get_attr: get_attr: the template has no resource 'ghost'");
  });

  test('references to a resource whose condition is false resolve to null', () => {
    expect(run({ get_attr: ['db', 'ip'] }, { disabledResources: new Set(['db']) })).toBeNull();
    expect(run({ get_resource: 'db' }, { disabledResources: new Set(['db']) })).toBeNull();
  });

  test('str_replace, str_replace_strict and str_replace_vstrict', () => {
    expect(run({ str_replace: { template: 'host:port', params: { host: 'a', port: 80 } } })).toBe('a:80');
    expect(run({ str_replace: { template: 'v=$x', params: { $x: { k: [1] } } } })).toBe('v={"k":[1]}');
    expect(error({ str_replace_strict: { template: 'a', params: { b: 'c' } } })).toBe("x.str_replace_strict.params: str_replace_strict: 'b' not found in the template");
    expect(error({ str_replace_vstrict: { template: 'ab', params: { b: '' } } })).toContain("'b' would be replaced by an empty value");
    expect(error({ str_replace: ['not', 'a', 'mapping'] })).toContain('arguments must be a mapping with "template" and "params"');
  });

  test('list_join over several lists; str_split with and without index', () => {
    expect(run({ list_join: [',', ['a', 'b'], ['c']] })).toBe('a,b,c');
    expect(run({ str_split: [',', 'a,b,c'] })).toEqual(['a', 'b', 'c']);
    expect(run({ str_split: [',', 'a,b,c', 2] })).toBe('c');
    expect(error({ str_split: [',', 'a,b', 5] })).toContain('index 5 is out of range (0..1)');
  });

  test('digest matches node:crypto for every algorithm', () => {
    for (const algorithm of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']) {
      for (const text of ['', 'abc', 'héllo wörld ✓', 'x'.repeat(1000)]) {
        expect(run({ digest: [algorithm, text] })).toBe(crypto.createHash(algorithm).update(text, 'utf8').digest('hex'));
      }
    }
    expect(error({ digest: ['crc32', 'a'] })).toContain("unknown algorithm 'crc32'");
  });

  test('repeat: permutations by default, zipped with permutations false, maps for_each keys', () => {
    expect(run({ repeat: { for_each: { '%p%': [80, 443] }, template: { port: '%p%' } } })).toEqual([{ port: '80' }, { port: '443' }]);
    expect(run({ repeat: { for_each: { '<a>': ['x', 'y'], '<b>': ['1', '2'] }, template: '<a><b>' } })).toEqual(['x1', 'x2', 'y1', 'y2']);
    expect(run({ repeat: { for_each: { '<a>': ['x', 'y'], '<b>': ['1', '2'] }, template: '<a><b>', permutations: false } })).toEqual(['x1', 'y2']);
    expect(error({ repeat: { for_each: { '<a>': 'x' }, template: '<a>' } })).toContain('"<a>" must be a list');
  });

  test('repeat produces at most MAX_REPEAT_ITEMS combinations, counting those of repeats nested in its template', () => {
    const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect((run({ repeat: { for_each: { '%n%': numbers(MAX_REPEAT_ITEMS) }, template: 'n%n%' } }) as Json[]).length).toBe(MAX_REPEAT_ITEMS);
    expect(error({ repeat: { for_each: { '%n%': numbers(MAX_REPEAT_ITEMS + 1) }, template: 'n%n%' } }))
      .toBe(`x.repeat: repeat: ${MAX_REPEAT_ITEMS + 1} combinations, more than the ${MAX_REPEAT_ITEMS} one repeat may produce`);
    expect(error({ repeat: { for_each: { '<a>': numbers(101), '<b>': numbers(100) }, template: '<a><b>' } })).toContain('repeat: 10100 combinations');
    expect(error({ repeat: { for_each: { '<a>': numbers(20_000), '<b>': numbers(20_000) }, template: '<a><b>', permutations: false } })).toContain('repeat: 20000 combinations');
    const nested = (outer: number, inner: number): Json => ({
      repeat: { for_each: { '<a>': numbers(outer) }, template: { list_concat: [{ repeat: { for_each: { '<b>': numbers(inner) }, template: '<a><b>' } }] } },
    });
    expect((run(nested(100, 100)) as Json[]).length).toBe(100);
    expect(error(nested(100, 101))).toBe(`x.repeat: repeat: 100 combinations of a template holding 101 list items make 10100, more than the ${MAX_REPEAT_ITEMS} one repeat may produce`);
    expect(error(nested(10_000, 10_000))).toContain('10000 combinations of a template holding 10000 list items');
  });

  test('map_merge, map_replace', () => {
    expect(run({ map_merge: [{ a: 1, b: 1 }, { b: 2 }, null] })).toEqual({ a: 1, b: 2 });
    expect(run({ map_replace: [{ k1: 'v1', k2: 'v2' }, { keys: { k1: 'K1' }, values: { v2: 'V2' } }] })).toEqual({ K1: 'v1', k2: 'V2' });
    expect(error({ map_replace: [{ a: 1, b: 2 }, { keys: { a: 'b' } }] })).toContain("key 'b' would appear twice");
  });

  test('list_concat, list_concat_unique, filter, contains', () => {
    expect(run({ list_concat: [[1, 2], [2, 3]] })).toEqual([1, 2, 2, 3]);
    expect(run({ list_concat_unique: [[1, 2], [2, { a: 1 }], [{ a: 1 }]] })).toEqual([1, 2, { a: 1 }]);
    expect(run({ filter: [[2, null], [1, 2, null, 3]] })).toEqual([1, 3]);
    expect(evaluateCondition({ contains: ['web', ['web', 'db']] }, ctx(), 'c')).toBe(true);
  });

  test('make_url builds and escapes, with IPv6 hosts bracketed', () => {
    expect(run({ make_url: { scheme: 'https', host: 'example.com', port: 8443, path: 'a b', query: { q: 'x&y' }, fragment: 'top' } }))
      .toBe('https://example.com:8443/a%20b?q=x%26y#top');
    expect(run({ make_url: { scheme: 'http', host: '::1', path: '/' } })).toBe('http://[::1]/');
    expect(error({ make_url: { scheme: 'http', host: 'h', port: 70000 } })).toContain("invalid port '70000'");
  });

  test('if picks a branch by condition name, boolean or expression, and only resolves that branch', () => {
    expect(run({ if: ['is_prod', 'big', { get_param: 'nope' }] })).toBe('big');
    expect(run({ if: [{ equals: [{ get_param: 'env' }, 'dev'] }, 'small', 'big'] })).toBe('big');
    expect(run({ if: [false, 1, 2] })).toBe(2);
    expect(error({ if: ['no_such', 1, 2] })).toBe("x.if[0]: the template has no condition 'no_such'");
  });

  test('condition functions: equals, not, and, or (at least two), and only in conditions', () => {
    const c = ctx();
    expect(evaluateCondition({ and: ['is_prod', { not: 'is_dev' }] }, c, 'c')).toBe(true);
    expect(evaluateCondition({ or: ['is_dev', { equals: [{ get_param: 'flag' }, true] }] }, c, 'c')).toBe(true);
    expect(() => evaluateCondition({ and: ['is_prod'] }, c, 'c')).toThrow('at least two conditions');
    expect(error({ equals: [1, 1] })).toContain("'equals' can only be used in conditions");
    expect(() => evaluateCondition({ get_resource: 'db' }, c, 'c')).toThrow("'get_resource' cannot be used in a condition");
  });

  test('get_file reads through the client, refuses URLs; yaql and resource_facade say they are unsupported', () => {
    const readFile = (name: string) => (name === 'script.sh' ? '#!/bin/sh\n' : undefined);
    expect(run({ get_file: 'script.sh' }, { readFile })).toBe('#!/bin/sh\n');
    expect(error({ get_file: 'missing.sh' }, { readFile })).toContain("get_file: cannot read 'missing.sh'");
    expect(error({ get_file: 'http://example.com/x' }, { readFile })).toContain('only local files');
    expect(error({ get_file: 'fifo' }, { readFile: () => ({ refused: "'fifo' is a FIFO, not a regular file" }) })).toBe("x.get_file: get_file: 'fifo' is a FIFO, not a regular file");
    expect(error({ yaql: { expression: '$.data', data: {} } })).toBe('x.yaql: yaql is not supported by stoke');
    expect(error({ resource_facade: 'metadata' })).toContain('nested stack');
  });

  test('functions over deferred values stay deferred and resolve later', () => {
    const value: Json = { list_join: ['-', [{ get_attr: ['db', 'ip'] }, { digest: ['md5', { get_resource: 'server' }] }]] };
    const early = run(value);
    expect(isDeferred(early)).toBe(true);
    const late = resolve(JSON.parse(JSON.stringify(early)), ctx({ physicalId: () => 'p', attribute: () => '10.0.0.2' }));
    expect(late).toBe(`10.0.0.2-${crypto.createHash('md5').update('p').digest('hex')}`);
  });
});

describe('CFN functions', () => {
  const cfn = (extra: Partial<ResolveContext> = {}) => ctx({
    format: 'cfn', version: 'cfn:2010-09-09', parameters: { Size: 'm1.small', Subnets: ['a', 'b'] },
    mappings: { Arch: { 'm1.small': { Arch: '64' } } }, physicalId: () => 'phys', attribute: () => '10.0.0.9', ...extra,
  });
  const cfnRun = (value: Json) => resolve(value, cfn(), 'x');

  test('Ref to parameters, pseudo parameters and resources; Fn::GetAtt', () => {
    expect(cfnRun({ Ref: 'Size' })).toBe('m1.small');
    expect(cfnRun({ Ref: 'AWS::StackName' })).toBe('demo');
    expect(cfnRun({ Ref: 'AWS::Region' })).toBe('ap-southeast-1');
    expect(cfnRun({ Ref: 'server' })).toBe('phys');
    expect(cfnRun({ 'Fn::GetAtt': ['db', 'PrivateIp'] })).toBe('10.0.0.9');
  });

  test('Fn::FindInMap, Fn::Join, Fn::Select, Fn::Split, Fn::Replace, Fn::Base64, Fn::GetAZs, Fn::MemberListToMap', () => {
    expect(cfnRun({ 'Fn::FindInMap': ['Arch', { Ref: 'Size' }, 'Arch'] })).toBe('64');
    expect(() => cfnRun({ 'Fn::FindInMap': ['Arch', 'm1.huge', 'Arch'] })).toThrow("mapping 'Arch' has no key 'm1.huge'");
    expect(cfnRun({ 'Fn::Join': ['', ['a', { Ref: 'Size' }]] })).toBe('am1.small');
    expect(cfnRun({ 'Fn::Select': ['1', { Ref: 'Subnets' }] })).toBe('b');
    expect(cfnRun({ 'Fn::Select': [5, ['a']] })).toBe('');
    expect(cfnRun({ 'Fn::Split': [',', 'a,b'] })).toEqual(['a', 'b']);
    expect(cfnRun({ 'Fn::Replace': [{ $h: 'host' }, 'http://$h/'] })).toBe('http://host/');
    expect(cfnRun({ 'Fn::Base64': 'plain' })).toBe('plain');
    expect(cfnRun({ 'Fn::GetAZs': '' })).toEqual(['nova']);
    expect(cfnRun({ 'Fn::MemberListToMap': ['Name', 'Value', ['.member.0.Name=a', '.member.0.Value=1', '.member.1.Name=b', '.member.1.Value=2']] }))
      .toEqual({ a: '1', b: '2' });
  });

  test('Fn::If with Fn::Equals conditions (AWSTemplateFormatVersion only)', () => {
    const c = cfn({ condition: (name) => (name === 'Big' ? true : undefined) });
    expect(resolve({ 'Fn::If': ['Big', 'm1.large', 'm1.small'] }, c)).toBe('m1.large');
    expect(evaluateCondition({ 'Fn::Equals': [{ Ref: 'Size' }, 'm1.small'] }, c, 'c')).toBe(true);
    expect(() => resolve({ 'Fn::If': ['Big', 1, 2] }, cfn({ version: 'cfn:2012-12-12' }))).toThrow("'Fn::If' needs AWSTemplateFormatVersion 2010-09-09");
  });
});
