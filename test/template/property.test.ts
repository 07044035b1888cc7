/** Property-based tests: random input never crashes the reader or the validator, and resolving is deterministic. */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { isDeferred, resolve, FunctionError, type ResolveContext } from '../../src/template/functions';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { Json } from '../../src/template/types';
import { HOT_RELEASE_NAMES, HOT_VERSION_DATES, KNOWN_FUNCTIONS } from '../../src/template/versions';

const names = fc.constantFrom('a', 'b', 'web', 'db', 'p', 'q', 'missing');
const scalar: fc.Arbitrary<Json> = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 600 }), fc.boolean(), fc.constant(null), names);

/** JSON trees in which any mapping may be a function call, with arguments of any shape. */
const value: fc.Arbitrary<Json> = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(names, tie('node'), { maxKeys: 3 }),
    fc.tuple(fc.constantFrom(...KNOWN_FUNCTIONS.hot, ...KNOWN_FUNCTIONS.cfn), tie('node')).map(([fn, args]) => ({ [fn]: args })),
    fc.tuple(fc.constantFrom('get_param', 'get_attr', 'get_resource', 'list_join', 'str_replace', 'if', 'repeat'), fc.array(tie('node'), { maxLength: 3 }))
      .map(([fn, args]) => ({ [fn]: args })),
  ),
})).node;

const version = fc.constantFrom(...HOT_VERSION_DATES, ...Object.keys(HOT_RELEASE_NAMES));
const types = fc.constantFrom('OS::Heat::None', 'OS::Heat::RandomString', 'DockerInc::Docker::Container', 'OS::Nova::Server', 'x.yaml');

const template = fc.record({
  heat_template_version: version,
  parameters: fc.dictionary(names, fc.record({ type: fc.constantFrom('string', 'number', 'json', 'boolean', 'comma_delimited_list', 'bogus'), default: scalar }), { maxKeys: 3 }),
  conditions: fc.dictionary(names, value, { maxKeys: 2 }),
  resources: fc.dictionary(names, fc.record({ type: types, properties: fc.dictionary(names, value, { maxKeys: 3 }), depends_on: fc.option(names, { nil: undefined }) },
    { requiredKeys: ['type'] }), { maxKeys: 4 }),
  outputs: fc.dictionary(names, fc.record({ value }), { maxKeys: 2 }),
}, { requiredKeys: ['heat_template_version'] });

describe('property-based', () => {
  test('any text at all is read without throwing', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      const parsed = parseFile(text, 'random.yaml');
      for (const e of parsed.errors) expect(e.file).toBe('random.yaml');
    }), { numRuns: 500 });
  });

  test('YAML-like text (indentation, quotes, flow brackets, block scalars, comments) is read without throwing', () => {
    const unit = fc.constantFrom('a', 'b', ':', ' ', '  ', '\n', '- ', '"', "'", '[', ']', '{', '}', ',', '#', '|', '>', '&x ', '*x', '\t', '!!str ');
    fc.assert(fc.property(fc.string({ unit, maxLength: 120 }), (text) => {
      const parsed = parseFile(text, 'random.yaml');
      for (const e of parsed.errors) expect(e).toEqual(expect.objectContaining({ file: 'random.yaml', line: expect.any(Number), column: expect.any(Number) }));
      planStack({ stackName: 's', template: parsed });
    }), { numRuns: 2000 });
  });

  test('data written as YAML 1.1 reads back the same', () => {
    // Integers and short decimals: PyYAML reads exponent forms such as 5e-324 as strings, as Heat does.
    const number = fc.oneof(fc.integer(), fc.integer({ min: -9999, max: 9999 }).map((n) => n / 8));
    const data = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 6 }), number, fc.boolean(), fc.constant(null),
        fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), data, { maxKeys: 5 }), (data) => {
      const parsed = parseFile(stringify(data, { version: '1.1' }), 'data.yaml');
      expect(parsed.errors).toEqual([]);
      // Compared as JSON text: -0 and 0 are the same number to Heat.
      expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(data));
    }), { numRuns: 200 });
  });

  test('random templates never crash the validator; every error has a file, line, column and path', () => {
    fc.assert(fc.property(template, fc.constantFrom<'create' | 'validate'>('create', 'validate'), (data, mode) => {
      const parsed = parseFile(stringify(data), 't.yaml');
      const result = planStack({ stackName: 's', template: parsed, mode, readFile: (name) => (name === 'x.yaml' ? 'heat_template_version: 2013-05-23\n' : undefined) });
      for (const issue of result.errors) {
        expect(issue).toEqual(expect.objectContaining({ file: 't.yaml', line: expect.any(Number), column: expect.any(Number), path: expect.any(String), message: expect.any(String) }));
      }
      if (result.errors.length === 0) expect(result.plan).toBeDefined();
    }), { numRuns: 300 });
  });

  test('resolving is deterministic and never changes its input', () => {
    const ctx: ResolveContext = {
      format: 'hot', stackName: 's', stackId: 'id', parameters: { p: 'v', q: [1, 2] }, resourceNames: new Set(['web', 'db']),
      condition: (name) => (name === 'a' ? true : name === 'b' ? false : undefined),
      attribute: (resource, attribute) => (resource === 'web' ? `${attribute}-value` : undefined),
    };
    const attempt = (input: Json): unknown => {
      try {
        const out = resolve(input, ctx);
        return { value: out, deferred: isDeferred(out) };
      } catch (err) {
        if (err instanceof FunctionError) return { error: `${err.path}: ${err.message}` };
        throw err;
      }
    };
    fc.assert(fc.property(value, (input) => {
      const before = JSON.stringify(input);
      const first = attempt(input);
      expect(JSON.stringify(input)).toBe(before);
      expect(attempt(JSON.parse(before) as Json)).toEqual(first);
    }), { numRuns: 1000 });
  });
});
