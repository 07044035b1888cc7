/**
 * Barbican's types. A secret is kept in the stack, its payload shown nowhere but in decrypted_payload (as Heat
 * gives it); orders and containers are recorded only: nothing generates keys or certificates here.
 */
import type { Json } from '../../template/types';
import type { AttributeSchema } from '../plugin';
import { recorded, type RecordedResource } from './type';

/** A container's refs: the secrets it names, by name (Heat's secret_refs), and its own id. */
function containerValues({ id, properties }: RecordedResource): Record<string, Json> {
  const secrets = Array.isArray(properties.secrets) ? properties.secrets : [];
  const named = secrets.flatMap((s) => (s && typeof s === 'object' && !Array.isArray(s) && typeof s.name === 'string' ? [[s.name, s.ref ?? null] as const] : []));
  const refs = named.length > 0 ? Object.fromEntries(named)
    : Object.fromEntries(['certificate_ref', 'private_key_ref', 'private_key_passphrase_ref', 'intermediates_ref', 'public_key_ref']
      .filter((key) => typeof properties[key] === 'string').map((key) => [key.replace(/_ref$/, ''), properties[key]!]));
  return { status: 'ACTIVE', container_ref: id, secret_refs: refs, consumers: [] };
}

export const barbicanSecret = recorded({
  name: 'OS::Barbican::Secret',
  description: 'A Barbican secret, kept in the stack: its payload is given back by decrypted_payload only, never shown.',
  supportStatus: { status: 'SUPPORTED', version: '2014.2' },
  properties: {
    name: { type: 'string', description: 'Human readable name for the secret.' },
    payload: { type: 'string', description: 'The unencrypted plain text of the secret.' },
    secret_type: { type: 'string', default: 'opaque', since: '5.0.0', allowedValues: ['symmetric', 'public', 'private', 'certificate', 'passphrase', 'opaque'], description: 'The type of the secret.' },
    payload_content_type: { type: 'string', allowedValues: ['text/plain', 'application/octet-stream'], description: 'The type/format the secret data is provided in.' },
    payload_content_encoding: { type: 'string', allowedValues: ['base64'], description: 'The encoding format used to provide the payload data.' },
    expiration: { type: 'string', constraints: [{ customConstraint: 'expiration' }], description: 'The expiration date for the secret in ISO-8601 format.' },
    algorithm: { type: 'string', description: 'The algorithm type used to generate the secret.' },
    bit_length: { type: 'integer', range: { min: 0 }, description: 'The bit-length of the secret.' },
    mode: { type: 'string', description: 'The type/mode of the algorithm associated with the secret information.' },
  },
  attributes: {
    status: { description: 'The status of the secret.', type: 'string' },
    decrypted_payload: { description: 'The decrypted secret payload.', type: 'string' },
  },
  secrets: ['payload'],
  values: ({ properties: p }) => ({ status: 'ACTIVE', decrypted_payload: p.payload ?? null }),
});

export const barbicanOrder = recorded({
  name: 'OS::Barbican::Order',
  description: 'A Barbican order: recorded only, nothing generates the key, certificate or asymmetric pair it asks for.',
  supportStatus: { status: 'SUPPORTED', version: '2014.2' },
  properties: {
    name: { type: 'string', description: 'Human readable name for the secret.' },
    payload_content_type: { type: 'string', description: 'The type/format the secret data is provided in.' },
    expiration: { type: 'string', constraints: [{ customConstraint: 'expiration' }], description: 'The expiration date for the secret in ISO-8601 format.' },
    algorithm: { type: 'string', description: 'The algorithm type used to generate the secret. Required for key and asymmetric types of order.' },
    bit_length: { type: 'integer', description: 'The bit-length of the secret. Required for key and asymmetric types of order.' },
    mode: { type: 'string', description: 'The type/mode of the algorithm associated with the secret information.' },
    type: { type: 'string', required: true, since: '5.0.0', allowedValues: ['key', 'asymmetric', 'certificate'], description: 'The type of the order.' },
    request_type: { type: 'string', since: '5.0.0', allowedValues: ['stored-key', 'simple-cmc', 'custom'], description: 'The type of the certificate request.' },
    subject_dn: { type: 'string', since: '5.0.0', description: 'The subject of the certificate request.' },
    source_container_ref: { type: 'string', since: '5.0.0', constraints: [{ customConstraint: 'barbican.container' }], description: 'The source of certificate request.' },
    ca_id: { type: 'string', since: '5.0.0', description: 'The identifier of the CA to use.' },
    profile: { type: 'string', since: '5.0.0', description: 'The profile of certificate to use.' },
    request_data: { type: 'string', since: '5.0.0', description: 'The content of the CSR. Only for certificate orders.' },
    pass_phrase: { type: 'string', since: '5.0.0', description: 'The passphrase of the created key. Can be set only for asymmetric type of order.' },
  },
  attributes: {
    status: { description: 'The status of the order.', type: 'string' },
    order_ref: { description: 'The URI to the order.', type: 'string' },
    secret_ref: { description: 'The URI to the created secret.', type: 'string' },
    container_ref: { description: 'The URI to the created container.', type: 'string' },
    public_key: { description: 'The payload of the created public key, if available.', type: 'string' },
    private_key: { description: 'The payload of the created private key, if available.', type: 'string' },
    certificate: { description: 'The payload of the created certificate, if available.', type: 'string' },
    intermediates: { description: 'The payload of the created intermediates, if available.', type: 'string' },
  },
  values: ({ id }) => ({
    status: 'ACTIVE', order_ref: id, secret_ref: null, container_ref: null, public_key: null, private_key: null, certificate: null, intermediates: null,
  }),
});

/** What Heat gives of every kind of Barbican container. */
const CONTAINER_ATTRIBUTES: Readonly<Record<string, AttributeSchema>> = {
  status: { description: 'The status of the container.', type: 'string' },
  container_ref: { description: 'The URI to the container.', type: 'string' },
  secret_refs: { description: 'The URIs to secrets stored in container.', type: 'map' },
  consumers: { description: 'The URIs to container consumers.', type: 'list' },
};

export const barbicanGenericContainer = recorded({
  name: 'OS::Barbican::GenericContainer',
  description: 'A Barbican container of secrets of the stack: recorded only.',
  supportStatus: { status: 'SUPPORTED', version: '6.0.0' },
  properties: {
    name: { type: 'string', description: 'Human-readable name for the container.' },
    secrets: {
      type: 'list', description: 'References to secrets that will be stored in container.',
      items: {
        type: 'map', description: '',
        keys: {
          name: { type: 'string', required: true, description: 'Name of the secret.' },
          ref: { type: 'string', required: true, constraints: [{ customConstraint: 'barbican.secret' }], description: 'Reference to the secret.' },
        },
      },
    },
  },
  attributes: CONTAINER_ATTRIBUTES,
  values: containerValues,
});

export const barbicanCertificateContainer = recorded({
  name: 'OS::Barbican::CertificateContainer',
  description: 'A Barbican certificate container: recorded only.',
  supportStatus: { status: 'SUPPORTED', version: '6.0.0' },
  properties: {
    name: { type: 'string', description: 'Human-readable name for the container.' },
    certificate_ref: { type: 'string', constraints: [{ customConstraint: 'barbican.secret' }], description: 'Reference to certificate.' },
    private_key_ref: { type: 'string', constraints: [{ customConstraint: 'barbican.secret' }], description: 'Reference to private key.' },
    private_key_passphrase_ref: { type: 'string', constraints: [{ customConstraint: 'barbican.secret' }], description: 'Reference to private key passphrase.' },
    intermediates_ref: { type: 'string', constraints: [{ customConstraint: 'barbican.secret' }], description: 'Reference to intermediates.' },
  },
  attributes: CONTAINER_ATTRIBUTES,
  values: containerValues,
});

export const barbicanRsaContainer = recorded({
  name: 'OS::Barbican::RSAContainer',
  description: 'A Barbican RSA container: recorded only.',
  supportStatus: { status: 'SUPPORTED', version: '6.0.0' },
  properties: {
    name: { type: 'string', description: 'Human-readable name for the container.' },
    private_key_ref: { type: 'string', constraints: [{ customConstraint: 'barbican.secret' }], description: 'Reference to private key.' },
    private_key_passphrase_ref: { type: 'string', constraints: [{ customConstraint: 'barbican.secret' }], description: 'Reference to private key passphrase.' },
    public_key_ref: { type: 'string', constraints: [{ customConstraint: 'barbican.secret' }], description: 'Reference to public key.' },
  },
  attributes: CONTAINER_ATTRIBUTES,
  values: containerValues,
});

export const BARBICAN_TYPES = [barbicanSecret, barbicanOrder, barbicanGenericContainer, barbicanCertificateContainer, barbicanRsaContainer];
