/**
 * The engine decides by run profiles, never by type names: what a request carries, which resources are
 * wait handles. Plans and states made before run profiles get the profiles their types had then.
 */
import { signalLimits, waitHandles } from '../../workflows/definitions';
import { requestOf } from '../../workflows/requests';
import { runsOf } from '../../workflows/legacy';
import type { PlannedResource, ResourceState, RunProfile, StackPlan, StackState } from '../../src/template/types';

function resource(type: string, extra: Partial<ResourceState> = {}): ResourceState {
  return {
    type, status: 'CREATE_COMPLETE', statusReason: '', physicalId: `${type}-id`, attributes: {}, requires: [], deletionPolicy: 'Delete',
    properties: {}, updatedAt: '2026-01-01T00:00:00.000Z', ...extra,
  };
}

function stack(resources: Record<string, ResourceState>): StackState {
  return {
    name: 's', id: 'id', status: 'CREATE_IN_PROGRESS', statusReason: '', resources, outputs: {}, createdAt: '', updatedAt: '', hiddenValues: ['secret'],
  };
}

function plan(resources: Record<string, Partial<PlannedResource> & { type: string }>): StackPlan {
  return {
    name: 's', format: 'hot', outputs: {}, timeoutMinutes: 60, disableRollback: false,
    resources: Object.fromEntries(Object.entries(resources).map(([name, r]) => [name, {
      properties: {}, requires: [], attributes: [], deletionPolicy: 'Delete', ...r,
    } as PlannedResource])),
  };
}

const NEEDS_BOTH: RunProfile = { where: 'activity', needs: ['siblings', 'addresses'] };

describe('requests', () => {
  test('carry the handler, and the siblings and addresses the run profile needs: required resources that exist, fixed IPs of the whole stack', () => {
    const state = stack({
      net: resource('Example::Net', { refId: 'net-ref', attributes: { name: 'n' }, properties: { cidr: '10.0.0.0/24' } }),
      gone: resource('Example::Net', { status: 'DELETE_COMPLETE' }),
      unmade: resource('Example::Net', { status: 'INIT_COMPLETE', physicalId: '' }),
      other: resource('Example::Port', { attributes: { fixed_ips: [{ ip_address: '10.0.0.5' }, { subnet_id: 'x' }] } }),
      port: resource('Example::Port', {
        handler: 'Example::RealPort', runs: NEEDS_BOTH, requires: ['net', 'gone', 'unmade'], properties: { network: 'net-ref' },
        attributes: { fixed_ips: [{ ip_address: '10.0.0.6' }] },
      }),
    });
    expect(requestOf(state, 'port')).toEqual({
      stack: 's', stackId: 'id', resource: 'port', type: 'Example::Port', handler: 'Example::RealPort', properties: { network: 'net-ref' },
      hiddenValues: ['secret'],
      siblings: { net: { type: 'Example::Net', physicalId: 'Example::Net-id', refId: 'net-ref', attributes: { name: 'n' }, properties: { cidr: '10.0.0.0/24' } } },
      addresses: ['10.0.0.5', '10.0.0.6'],
    });
  });

  test('carry neither siblings nor addresses when the run profile needs none, even for a type that once did', () => {
    const state = stack({ net: resource('OS::Neutron::Net'), port: resource('OS::Neutron::Port', { handler: 'OS::Neutron::Port', runs: { where: 'activity' }, requires: ['net'] }) });
    const request = requestOf(state, 'port');
    expect(request).not.toHaveProperty('siblings');
    expect(request).not.toHaveProperty('addresses');
  });

  test('of a state older than run profiles: the handler is the type, and the needs are those the type had then', () => {
    const state = stack({
      net: resource('OS::Neutron::Net'),
      port: resource('OS::Neutron::Port', { requires: ['net'] }),
      box: resource('OS::Heat::Docker', { requires: ['net'] }),
    });
    expect(requestOf(state, 'port')).toMatchObject({ handler: 'OS::Neutron::Port', siblings: { net: { physicalId: 'OS::Neutron::Net-id' } }, addresses: [] });
    const box = requestOf(state, 'box');
    expect(box.handler).toBe('OS::Heat::Docker');
    expect(box).not.toHaveProperty('siblings');
  });
});

describe('run profiles', () => {
  test('a plan older than run profiles gets the profiles its types had: local, wait handle, wait condition, ordinary', () => {
    expect(runsOf({ type: 'OS::Heat::RandomString' })).toEqual({ where: 'local' });
    expect(runsOf({ type: 'OS::Heat::WaitConditionHandle' })).toEqual({ where: 'activity', signals: 'handle' });
    expect(runsOf({ type: 'AWS::CloudFormation::WaitCondition' })).toEqual({ where: 'workflow', signals: 'condition' });
    expect(runsOf({ type: 'DockerInc::Docker::Container' })).toEqual({ where: 'activity' });
  });

  test('wait handles and their signal limits follow runs.signals, whatever the type is called', () => {
    const p = plan({
      h: { type: 'Example::Handle', runs: { where: 'activity', signals: 'handle' } },
      w: { type: 'Example::Wait', runs: { where: 'workflow', signals: 'condition' }, requires: ['h'], properties: { count: 20 } },
      old: { type: 'OS::Heat::WaitConditionHandle', runs: { where: 'activity' } },
    });
    expect(waitHandles(p)).toEqual(['h']);
    expect(signalLimits(p)).toEqual({ h: 200 });
  });

  test('wait handles of a plan older than run profiles are known by the types of then', () => {
    const p = plan({ h: { type: 'OS::Heat::WaitConditionHandle' }, w: { type: 'OS::Heat::WaitCondition', requires: ['h'], properties: { count: 30 } } });
    expect(waitHandles(p)).toEqual(['h']);
    expect(signalLimits(p)).toEqual({ h: 300 });
  });
});
