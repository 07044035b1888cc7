/**
 * Wait conditions: a handle is an activity that issues the URL or endpoint and token servers signal; a
 * condition has no handler, the workflow itself waits for the signals (runs.where 'workflow').
 */
import type { ResourceType } from '../plugin';

/** The lifecycle code loads on the first call: validation and `resource type list` need the schemas only. */
const lifecycle = () => import('./handler');

/** Heat's limits on a wait condition's timeout, in seconds. */
const TIMEOUT_RANGE = { min: 1, max: 43200 } as const;

export const cfnWaitConditionHandle: ResourceType = {
  name: 'AWS::CloudFormation::WaitConditionHandle',
  runs: { where: 'activity', signals: 'handle', copies: true },
  handler: { create: async (req, ctx) => (await lifecycle()).createCfnHandle(req, ctx.signals) },
  description: 'A URL a server signals (cfn-signal, or curl -X PUT with {Status, Reason, Data, UniqueId}); its Ref is that URL.',
  properties: {},
  attributes: {},
};

export const cfnWaitCondition: ResourceType = {
  name: 'AWS::CloudFormation::WaitCondition',
  runs: { where: 'workflow', signals: 'condition' },
  description: 'Waits until its handle has received Count SUCCESS signals; fails on a FAILURE signal or after Timeout seconds.',
  properties: {
    Handle: { type: 'string', required: true, description: 'A reference to the wait condition handle used to signal this wait condition.' },
    Timeout: { type: 'number', required: true, range: TIMEOUT_RANGE, description: 'The number of seconds to wait for the correct number of signals to arrive.' },
    Count: { type: 'number', default: 1, range: { min: 1 }, description: 'The number of success signals that must be received before the stack creation process continues.' },
  },
  attributes: { Data: { description: 'JSON string of the data of each signal, by UniqueId.' } },
};

export const heatWaitConditionHandle: ResourceType = {
  name: 'OS::Heat::WaitConditionHandle',
  runs: { where: 'activity', signals: 'handle', copies: true },
  supportStatus: { status: 'SUPPORTED', version: '2014.2' },
  handler: { create: async (req, ctx) => (await lifecycle()).createHeatHandle(req, ctx.signals) },
  description: 'An endpoint and token a server signals with (POST, X-Auth-Token, {status, reason, data, id}).',
  properties: {
    signal_transport: {
      type: 'string',
      default: 'TOKEN_SIGNAL',
      // Heat's other transports need Keystone, Swift or Zaqar, which a single machine has not.
      allowedValues: ['TOKEN_SIGNAL', 'NO_SIGNAL'],
      description: 'How the client will signal the wait condition: TOKEN_SIGNAL (POST to endpoint with the token) or NO_SIGNAL (signalled at once).',
    },
  },
  attributes: {
    token: { description: 'Token to send as X-Auth-Token when signalling the handle.' },
    endpoint: { description: 'URL to POST signals to.' },
    curl_cli: { description: 'curl command prefix signalling the handle; add --data-binary \'{"status": "SUCCESS"}\' (or FAILURE).' },
    signal: { description: 'JSON map of what a client needs to signal the handle (endpoint, token).' },
  },
};

export const heatWaitCondition: ResourceType = {
  name: 'OS::Heat::WaitCondition',
  runs: { where: 'workflow', signals: 'condition' },
  supportStatus: { status: 'SUPPORTED', version: '2014.2' },
  description: 'Waits until its handle has received count SUCCESS signals; fails on a FAILURE signal or after timeout seconds.',
  properties: {
    handle: { type: 'string', required: true, description: 'A reference to the wait condition handle used to signal this wait condition.' },
    timeout: { type: 'number', required: true, range: TIMEOUT_RANGE, description: 'The number of seconds to wait for the correct number of signals to arrive.' },
    count: { type: 'integer', default: 1, range: { min: 1 }, description: 'The number of success signals that must be received before the stack creation process continues.' },
  },
  attributes: { data: { description: 'JSON string of the data of each signal, by id.' } },
};

export const WAIT_CONDITION_TYPES = [cfnWaitConditionHandle, cfnWaitCondition, heatWaitConditionHandle, heatWaitCondition];
