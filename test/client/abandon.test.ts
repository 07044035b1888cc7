/**
 * The abandon data (Heat's shape) made from a stack's state and plan, and the adopt file's checks: every
 * problem named with where it is, types that cannot be adopted said so, and the CLI exiting 1 without a trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { abandonData, templateOf } from '../../src/client/abandon';
import { adoptionsOf, parseAdoptData } from '../../src/client/adopt';
import { StokeError } from '../../src/errors';
import { loadPlan } from '../../src/template/load';
import type { ResourceState, StackState } from '../../src/template/types';
import { stoke, writeTemplate } from '../helpers';

const template = writeTemplate(`
heat_template_version: 2016-10-14
parameters:
  image: {type: string, default: busybox}
resources:
  secret:
    type: OS::Heat::RandomString
  handle:
    type: OS::Heat::WaitConditionHandle
  web:
    type: DockerInc::Docker::Container
    metadata: {role: front}
    deletion_policy: Retain
    properties: {image: {get_param: image}, env: [{get_attr: [secret, value]}]}
outputs:
  secret: {value: {get_attr: [secret, value]}, description: the password}
`);
const { plan } = loadPlan({ stackName: 'demo', templateFile: template });

const resource = (type: string, status: ResourceState['status'], physicalId: string, attributes: ResourceState['attributes'] = {}): ResourceState => ({
  type, status, statusReason: '', physicalId, attributes, requires: [], deletionPolicy: 'Delete', properties: {}, updatedAt: '2026-01-01T00:00:00Z',
});

const state: StackState = {
  name: 'demo', id: 'stack-id-1', status: 'UPDATE_COMPLETE', statusReason: '', createdAt: '', updatedAt: '', outputs: {},
  resources: {
    secret: resource('OS::Heat::RandomString', 'CREATE_COMPLETE', 'demo-secret', { value: 's3cret' }),
    handle: resource('OS::Heat::WaitConditionHandle', 'CREATE_FAILED', ''),
    web: resource('DockerInc::Docker::Container', 'UPDATE_COMPLETE', 'c0ffee', { network_ip: '172.17.0.9' }),
  },
};

function problemOf(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    if (StokeError.isStokeError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected a StokeError');
}

test('abandon data has Heat\'s shape: action and status apart, each resource\'s id, type, metadata and data; never-made ones have no id', () => {
  expect(abandonData(state, plan)).toEqual({
    name: 'demo', id: 'stack-id-1', action: 'UPDATE', status: 'COMPLETE', environment: {},
    template: {
      heat_template_version: '2016-10-14',
      resources: {
        secret: { type: 'OS::Heat::RandomString', properties: { length: 32 } },
        handle: { type: 'OS::Heat::WaitConditionHandle', properties: { signal_transport: 'TOKEN_SIGNAL' } },
        // Parameters substituted (and defaults filled in), references to resources kept: a template that needs no environment.
        web: {
          type: 'DockerInc::Docker::Container', properties: expect.objectContaining({ image: 'busybox', env: [{ get_attr: ['secret', 'value'] }], tty: false }),
          depends_on: ['secret'], deletion_policy: 'Retain', metadata: { role: 'front' },
        },
      },
      outputs: { secret: { value: { get_attr: ['secret', 'value'] }, description: 'the password' } },
    },
    resources: {
      secret: { name: 'secret', resource_id: 'demo-secret', type: 'OS::Heat::RandomString', action: 'CREATE', status: 'COMPLETE', metadata: {}, resource_data: { value: 's3cret' } },
      handle: { name: 'handle', resource_id: null, type: 'OS::Heat::WaitConditionHandle', action: 'CREATE', status: 'FAILED', metadata: {}, resource_data: {} },
      web: {
        name: 'web', resource_id: 'c0ffee', type: 'DockerInc::Docker::Container', action: 'UPDATE', status: 'COMPLETE',
        metadata: { role: 'front' }, resource_data: { network_ip: '172.17.0.9' },
      },
    },
  });
  // A stack whose plan cannot be read still gives what adopting needs.
  expect(abandonData({ ...state, status: 'ROLLBACK_IN_PROGRESS' }, undefined)).toMatchObject({ action: 'ROLLBACK', status: 'IN_PROGRESS', template: {} });
});

test('a CFN stack\'s template comes back in CFN', () => {
  const cfn = loadPlan({ stackName: 'demo', templateFile: writeTemplate(`
AWSTemplateFormatVersion: 2010-09-09
Resources:
  none: {Type: 'OS::Heat::None', Properties: {a: 1}}
Outputs:
  id: {Value: {Ref: none}}
`) }).plan;
  expect(templateOf(cfn)).toEqual({
    AWSTemplateFormatVersion: '2010-09-09', Resources: { none: { Type: 'OS::Heat::None', Properties: { a: 1 } } }, Outputs: { id: { Value: { Ref: 'none' } } },
  });
});

test('an adopt file that is not abandon data is refused with every problem and where it is', () => {
  expect(problemOf(() => parseAdoptData('{"id": ', 'a.json'))).toMatch(/^AdoptDataInvalid: a\.json: not JSON \(.+\); the adopt file is what `stoke stack abandon` prints$/);
  expect(problemOf(() => parseAdoptData('[]', 'a.json'))).toBe('AdoptDataInvalid: a.json: expected a JSON object as `stoke stack abandon` prints, got a list');
  expect(problemOf(() => parseAdoptData('{}', 'a.json'))).toBe('AdoptDataInvalid: a.json: id: the abandoned stack\'s id is required (its objects are labelled with it)\n'
    + 'a.json: resources: a mapping of resource names is required');
  expect(problemOf(() => parseAdoptData(JSON.stringify({ id: 'x', resources: { a: 1, b: { resource_id: 7, resource_data: [] } } }), 'a.json'))).toBe([
    'AdoptDataInvalid: a.json: resources.a: expected a mapping',
    'a.json: resources.b.type: a resource type is required',
    'a.json: resources.b.resource_id: expected a string or null',
    'a.json: resources.b.resource_data: expected a mapping',
  ].join('\n'));
  expect(parseAdoptData(JSON.stringify(abandonData(state, plan)), 'a.json').id).toBe('stack-id-1');
});

test('what the plan adopts: resources with an id and a type that has an adopt hook; the rest is created, the data\'s extras left alone', () => {
  const data = abandonData(state, plan);
  expect(adoptionsOf(plan, data, 'a.json')).toEqual({
    adopted: { secret: { physicalId: 'demo-secret', data: { value: 's3cret' } }, web: { physicalId: 'c0ffee', data: { network_ip: '172.17.0.9' } } },
    warnings: [],
  });
  const extra = { ...data, resources: { ...data.resources, old: { ...data.resources.web!, name: 'old' } } };
  expect(adoptionsOf(plan, extra, 'a.json').warnings).toEqual(['a.json: resources.old: not in the template, so not adopted (its object is left as it is)']);

  const handle = { ...data.resources.handle!, resource_id: 'demo-handle' };
  const retyped = { ...data.resources.web!, type: 'OS::Heat::None' };
  expect(problemOf(() => adoptionsOf(plan, { ...data, resources: { ...data.resources, handle, web: retyped } }, 'a.json'))).toBe([
    'AdoptDataInvalid: a.json: resources.handle: type OS::Heat::WaitConditionHandle cannot be adopted (it has no adopt hook); '
      + 'take it out of the adopt data, or set its resource_id to null, to have it created anew',
    'a.json: resources.web: the adopt data has a OS::Heat::None, the template a DockerInc::Docker::Container',
  ].join('\n'));
});

test('stack adopt with a bad adopt file: exit 1, the message, no stack trace, nothing started', () => {
  const dir = path.dirname(template);
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ name: 'demo', resources: {} }));
  const refused = stoke('stack', 'adopt', 'demo', '-t', template, '--adopt-file', bad);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toBe(`ERROR: ${bad}: id: the abandoned stack's id is required (its objects are labelled with it)\n`);
  const missing = stoke('stack', 'adopt', 'demo', '-t', template, '--adopt-file', path.join(dir, 'none.json'));
  expect(missing.status).toBe(1);
  expect(missing.stderr).toBe(`ERROR: cannot read the adopt file ${path.join(dir, 'none.json')}: no such file\n`);
});
