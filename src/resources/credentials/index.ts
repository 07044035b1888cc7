/**
 * Credentials a stack makes for its servers: Nova key pairs (a real key pair, its public key installed on
 * the servers that name it) and the IAM users and access keys of CFN templates.
 */
import type { ResourceType } from '../plugin';

/** The lifecycle code loads on the first call: validation and `resource type list` need the schemas only. */
const lifecycle = () => import('./handler');

export const novaKeyPair: ResourceType = {
  name: 'OS::Nova::KeyPair',
  // Nothing is made on an engine: the pair is data of the stack, generated in the worker.
  runs: { where: 'local', copies: true },
  supportStatus: { status: 'SUPPORTED', version: '2014.1' },
  handler: { create: async (req) => (await lifecycle()).createKeyPair(req) },
  description: 'An SSH key pair, generated (RSA 2048, as Nova) or imported from public_key; servers whose key_name names it get the public key in their user\'s authorized_keys.',
  properties: {
    name: { type: 'string', required: true, constraints: [{ length: { min: 1, max: 255 } }], description: 'The key pair\'s name: get_resource gives it, and servers name it in key_name.' },
    save_private_key: { type: 'boolean', default: false, description: 'Keep a generated private key in the private_key attribute.' },
    public_key: { type: 'string', description: 'An OpenSSH public key to import: no private key is made.' },
    type: { type: 'string', allowedValues: ['ssh', 'x509'], since: '8.0.0', description: 'ssh (x509 is refused: stoke makes SSH key pairs only).' },
    user: { type: 'string', since: '9.0.0', description: 'Recorded only: stoke has no Keystone users.' },
  },
  attributes: {
    public_key: { description: 'The public key, in OpenSSH format.', type: 'string' },
    private_key: { description: 'The private key (PEM), when generated and save_private_key is true; else empty.', type: 'string' },
  },
  validate: (properties) =>
    properties.type === 'x509' ? [{ path: '.type', message: 'x509 key pairs (Windows certificates) are not supported: stoke makes SSH key pairs only' }] : [],
};

/**
 * CFN templates' IAM user and access key, which heat-cfntools on a server use against Heat's CFN API.
 * Recorded: stoke has no Keystone and no CFN API, and its signal URLs carry their own token.
 */
export const iamUser: ResourceType = {
  name: 'AWS::IAM::User',
  runs: { where: 'local', copies: true },
  handler: { create: async (req) => (await lifecycle()).createUser(req) },
  description: 'Recorded only: a name for the stack\'s access keys (Ref gives it); no Keystone user is made.',
  properties: {
    Path: { type: 'string', description: 'Recorded only (Heat: not implemented).' },
    Groups: { type: 'list', description: 'Recorded only (Heat: not implemented).' },
    LoginProfile: { type: 'map', keys: { Password: { type: 'string', description: 'Recorded only.' } }, description: 'Recorded only: {Password}.' },
    Policies: { type: 'list', description: 'Recorded only: access policies are not enforced.' },
  },
  attributes: { show: { description: 'All details, including what stoke does not enforce.' } },
};

export const iamAccessKey: ResourceType = {
  name: 'AWS::IAM::AccessKey',
  runs: { where: 'local', needs: ['siblings'], copies: true },
  handler: { create: async (req) => (await lifecycle()).createAccessKey(req) },
  description: 'A generated access key id (Ref) and secret for a user of the stack: recorded only, nothing checks them.',
  properties: {
    Serial: { type: 'integer', description: 'Recorded only (Heat: not implemented).' },
    UserName: { type: 'string', required: true, description: 'The user (its Ref): an AWS::IAM::User of this stack.' },
    Status: { type: 'string', allowedValues: ['Active', 'Inactive'], description: 'Recorded only (Heat: not implemented).' },
  },
  attributes: {
    UserName: { description: 'The user\'s name.', type: 'string' },
    SecretAccessKey: { description: 'The secret key (not masked: stoke has no hidden attributes yet).', type: 'string' },
  },
};

export const CREDENTIAL_TYPES = [novaKeyPair, iamUser, iamAccessKey];
