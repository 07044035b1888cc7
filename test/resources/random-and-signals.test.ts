/** Pure parts of RandomString, of wait condition templates and of the signal gateway. */
import { generateRandomString, createRandomString } from '../../src/resources/heat/handler';
import { describeWaits } from '../../src/client/signals';
import { parseSignalBody } from '../../src/gateway/gateway';
import { RANDOM_SEQUENCES } from '../../src/resources/heat/random-string';
import { handleToken, tokenMatches } from '../../src/gateway/signal';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { StackState } from '../../src/template/types';
import { signalLimits } from '../../workflows/definitions';

const errors = (resources: string) =>
  planStack({ stackName: 'demo', template: parseFile(`heat_template_version: 2016-10-14\nresources:\n${resources}`, 'demo.yaml') })
    .errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`);

const count = (text: string, characters: string) => [...text].filter((c) => characters.includes(c)).length;

describe('OS::Heat::RandomString', () => {
  const create = (properties: Record<string, unknown>) =>
    createRandomString({ stack: 's', stackId: 'id', resource: 'pw', type: 'OS::Heat::RandomString', properties: properties as never, attributes: [] });

  test('character_classes and character_sequences minimums always hold, and the rest fills the length', () => {
    for (let i = 0; i < 200; i++) {
      const value = generateRandomString(12, [{ characters: '!@#', min: 2 }], [
        { characters: RANDOM_SEQUENCES.digits!, min: 3 }, { characters: RANDOM_SEQUENCES.uppercase!, min: 1 },
      ]);
      expect(value).toHaveLength(12);
      expect(count(value, '!@#')).toBeGreaterThanOrEqual(2);
      expect(count(value, '0123456789')).toBeGreaterThanOrEqual(3);
      expect(count(value, RANDOM_SEQUENCES.uppercase!)).toBeGreaterThanOrEqual(1);
      expect(count(value, '!@#0123456789' + RANDOM_SEQUENCES.uppercase)).toBe(12);
    }
  });

  test('the minimums are shuffled in, not left at the front', () => {
    const firsts = new Set(Array.from({ length: 100 }, () => generateRandomString(10, [{ characters: '#', min: 1 }], [{ characters: 'abc', min: 1 }])[0]));
    expect(firsts).toEqual(new Set(['#', 'a', 'b', 'c']));
  });

  test('defaults: 32 letters and digits; hexdigits are Heat\'s upper-case set; get_resource returns the value', () => {
    const plain = create({ length: 32 });
    expect(plain.attributes.value).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(plain.refId).toBe(plain.attributes.value);
    expect(create({ length: 200, sequence: 'hexdigits' }).attributes.value).toMatch(/^[0-9A-F]{200}$/);
    const classes = create({ length: 8, character_classes: [{ class: 'digits', min: 8 }] });
    expect(classes.attributes.value).toMatch(/^[0-9]{8}$/);
    expect(create({ length: 6, character_sequences: [{ sequence: 'xy' }] }).attributes.value).toMatch(/^[xy]{6}$/);
  });

  test('values that arrive from other resources are checked when the string is made', () => {
    expect(() => create({ length: 2, character_classes: [{ class: 'digits', min: 3 }] }))
      .toThrow('resources.pw.properties.length: length 2 is smaller than the combined character class and character sequence minimums (3)');
  });

  test('validation reports Heat\'s constraints with their paths', () => {
    expect(errors(`  pw:
    type: OS::Heat::RandomString
    properties:
      length: 4
      sequence: digits
      character_classes: [{class: digits, min: 3}, {class: emoji}]
      character_sequences: [{sequence: '', min: 0}, {sequence: ab, min: 2, max: 3}]
`)).toEqual([
      '6:7 resources.pw.properties.length: length 4 is smaller than the combined character class and character sequence minimums (5)',
      '7:7 resources.pw.properties.sequence: cannot use the deprecated \'sequence\' property along with \'character_sequences\' or \'character_classes\'',
      "8:53 resources.pw.properties.character_classes[1].class: 'emoji' is not one of lettersdigits, letters, lowercase, uppercase, digits, hexdigits, octdigits",
      "9:29 resources.pw.properties.character_sequences[0]: a character sequence requires a non-empty 'sequence'",
      '9:44 resources.pw.properties.character_sequences[0].min: min must be an integer in 1..512, got 0',
      "9:76 resources.pw.properties.character_sequences[1].max: unknown key 'max' (allowed: sequence, min)",
    ]);
  });
});

describe('wait condition templates', () => {
  test('a wait condition needs a handle and a timeout within Heat\'s range', () => {
    expect(errors(`  h: {type: OS::Heat::WaitConditionHandle, properties: {signal_transport: ZAQAR_SIGNAL}}
  w: {type: OS::Heat::WaitCondition, properties: {timeout: 50000}}
  c: {type: AWS::CloudFormation::WaitCondition, properties: {Handle: x, Timeout: "6000", Count: 0}}
`)).toEqual([
      "3:57 resources.h.properties.signal_transport: 'ZAQAR_SIGNAL' is not one of TOKEN_SIGNAL, NO_SIGNAL",
      '4:38 resources.w.properties: OS::Heat::WaitCondition requires the property \'handle\'',
      '4:51 resources.w.properties.timeout: 50000 is out of range (1..43200)',
      '5:90 resources.c.properties.Count: 0 is out of range (1..∞)',
    ]);
  });
});

describe('signal gateway', () => {
  test('a handle takes max(100, 10 x count) signals over its waits; none when a count is only known at run time', () => {
    const { plan, errors: issues } = planStack({ stackName: 'demo', parameters: { n: '30' }, template: parseFile(`heat_template_version: 2016-10-14
parameters: {n: {type: number}}
resources:
  a: {type: OS::Heat::WaitConditionHandle}
  b: {type: OS::Heat::WaitConditionHandle}
  c: {type: OS::Heat::WaitConditionHandle}
  d: {type: OS::Heat::WaitConditionHandle}
  r: {type: OS::Heat::RandomString}
  wa: {type: OS::Heat::WaitCondition, properties: {handle: {get_resource: a}, timeout: 10}}
  wb: {type: OS::Heat::WaitCondition, properties: {handle: {get_resource: b}, timeout: 10, count: {get_param: n}}}
  wb2: {type: OS::Heat::WaitCondition, properties: {handle: {get_resource: b}, timeout: 10, count: 3}}
  wc: {type: OS::Heat::WaitCondition, properties: {handle: {get_resource: c}, timeout: 10, count: {get_attr: [r, value]}}}
`, 'demo.yaml') });
    expect(issues).toEqual([]);
    expect(signalLimits(plan!)).toEqual({ a: 100, b: 300, d: 100 });
  });


  test('both body styles read the same; an empty body is a SUCCESS', () => {
    expect(parseSignalBody('h', '{"Status": "FAILURE", "Reason": "r", "Data": "d", "UniqueId": 7}'))
      .toEqual({ handle: 'h', status: 'FAILURE', reason: 'r', data: 'd', id: '7' });
    expect(parseSignalBody('h', '{"status": "SUCCESS", "data": {"k": [1]}, "id": "a"}')).toEqual({ handle: 'h', status: 'SUCCESS', data: { k: [1] }, id: 'a' });
    expect(parseSignalBody('h', '  ')).toEqual({ handle: 'h', status: 'SUCCESS' });
    expect(() => parseSignalBody('h', '[1]')).toThrow('the body must be a JSON object');
    expect(() => parseSignalBody('h', '{"status": "success"}')).toThrow('status must be SUCCESS or FAILURE, got "success"');
  });

  test('a token opens one handle of one stack id only', () => {
    const key = Buffer.from('k');
    const token = handleToken(key, 'web', 'id-1', 'h');
    expect(tokenMatches(key, 'web', 'id-1', 'h', undefined, token)).toBe(true);
    expect(tokenMatches(key, 'web', 'id-2', 'h', undefined, token)).toBe(false);
    expect(tokenMatches(key, 'web', 'id-1', 'h2', undefined, token)).toBe(false);
    expect(tokenMatches(Buffer.from('other'), 'web', 'id-1', 'h', undefined, token)).toBe(false);
    expect(tokenMatches(key, 'web', 'id-1', 'h', undefined, '')).toBe(false);
    // A copy an update made has its own token, and the first copy's does not open it (nor the reverse).
    const copied = handleToken(key, 'web', 'id-1', 'h', 'c0ffee00');
    expect(copied).not.toBe(token);
    expect(tokenMatches(key, 'web', 'id-1', 'h', 'c0ffee00', copied)).toBe(true);
    expect(tokenMatches(key, 'web', 'id-1', 'h', 'c0ffee00', token)).toBe(false);
    expect(tokenMatches(key, 'web', 'id-1', 'h', undefined, copied)).toBe(false);
  });

  test('waiting resources and their stack show the time left, coarser as it grows', () => {
    const state = (secondsLeft: number) => ({
      name: 's', id: 'i', status: 'CREATE_IN_PROGRESS', statusReason: 'Stack CREATE started', outputs: {}, createdAt: '', updatedAt: '',
      resources: {
        w: { type: 'OS::Heat::WaitCondition', status: 'CREATE_IN_PROGRESS', statusReason: 'waiting for 2 more signal(s) on h',
          waitUntil: new Date(1_000_000 + secondsLeft * 1000).toISOString(), physicalId: '', attributes: {}, requires: [], deletionPolicy: 'Delete', properties: {}, updatedAt: '' },
      },
    }) as StackState;
    const shown = describeWaits(state(5999), 1_000_000);
    expect(shown.resources.w!.statusReason).toBe('waiting for 2 more signal(s) on h, 1h39m left');
    expect(shown.statusReason).toBe('Stack CREATE in progress: w: waiting for 2 more signal(s) on h, 1h39m left');
    expect(describeWaits(state(600), 1_000_000).resources.w!.statusReason).toMatch(/, 10m left$/);
    expect(describeWaits(state(41), 1_000_000).resources.w!.statusReason).toMatch(/, 50s left$/);
    expect(describeWaits(state(3), 1_000_000).resources.w!.statusReason).toMatch(/, under 10s left$/);
  });
});
