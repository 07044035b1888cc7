import { MAX_DEPTH, MAX_TEMPLATE_BYTES, parseFile, relaxIndentation } from '../../src/template/parse';

describe('reading files as Heat reads them', () => {
  test('YAML 1.1 scalars as PyYAML resolves them, but dates and timestamps stay strings', () => {
    const { data, errors } = parseFile('v: 2013-05-23\nt: 2017-12-28T19:14:44.180394\nb: yes\no: 0777\nn: ~\n', 'x.yaml');
    expect(errors).toEqual([]);
    expect(data).toEqual({ v: '2013-05-23', t: '2017-12-28T19:14:44.180394', b: true, o: 511, n: null });
  });

  test('text starting with { is JSON: JSON errors carry a line and column, duplicate keys keep the last', () => {
    expect(parseFile('{"a": 1,\n "a": 2}', 'x.template')).toMatchObject({ data: { a: 2 }, warnings: [{ code: 'DuplicateKey', line: 2, column: 2 }] });
    const bad = parseFile('{"a": 1,\n "b" 2}', 'x.template');
    expect(bad.errors).toMatchObject([{ code: 'JsonSyntax', file: 'x.template', line: 2, column: 6 }]);
  });

  test('a byte-order mark is ignored', () => {
    expect(parseFile('\uFEFFheat_template_version: 2013-05-23\n', 'x').data).toEqual({ heat_template_version: '2013-05-23' });
  });

  test('under-indented quoted scalars and flow collections are read as PyYAML reads them, with a warning', () => {
    const text = 'Description: "first\nsecond"\nresources:\n  port:\n    pools: [{\n      "start": 1\n    }]\n    next: 2\n';
    const parsed = parseFile(text, 'x.yaml');
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toEqual({ Description: 'first second', resources: { port: { pools: [{ start: 1 }], next: 2 } } });
    expect(parsed.warnings).toMatchObject([{ code: 'LaxIndentation', line: 2 }]);
    // Positions are those of the original text, not of the re-indented one.
    expect(parsed.positions.get('resources.port.next')).toEqual({ line: 8, column: 5 });
  });

  test('relaxing indentation leaves block scalars, comments and plain apostrophes alone', () => {
    expect(relaxIndentation("a: |\n  it's [\nb: don't {\nc: 1 # ' [\n")).toBeUndefined();
  });

  test('oversized files and alias bombs are refused', () => {
    expect(parseFile(`a: "${'x'.repeat(MAX_TEMPLATE_BYTES)}"\n`, 'big.yaml').errors).toMatchObject([{ code: 'TooLarge' }]);
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    expect(parseFile(`${lines.join('\n')}\n`, 'bomb.yaml').errors).toMatchObject([{ code: 'YamlAliases' }]);
  });

  test('nesting past any real template is refused before the parser recurses into it', () => {
    expect(parseFile(`a: ${'['.repeat(MAX_DEPTH + 1)}${']'.repeat(MAX_DEPTH + 1)}\n`, 'deep.yaml').errors).toMatchObject([{ code: 'TooDeep', line: 1, column: 1 }]);
    const block = Array.from({ length: MAX_DEPTH + 1 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(parseFile(`${block} 1\n`, 'deep.yaml').errors).toMatchObject([{ code: 'TooDeep' }]);
    expect(parseFile(`${'- '.repeat(MAX_DEPTH + 1)}x\n`, 'deep.yaml').errors).toMatchObject([{ code: 'TooDeep' }]);
    expect(parseFile(`a: ${'['.repeat(50)}1${']'.repeat(50)}\n`, 'ok.yaml').errors).toEqual([]);
  });

  test('syntax errors keep their line and column', () => {
    expect(parseFile('a: [1, 2\nb: 3\n', 'x.yaml').errors[0]).toMatchObject({ code: 'YamlSyntax', file: 'x.yaml', line: expect.any(Number), column: expect.any(Number) });
  });
});
