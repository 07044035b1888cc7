/** Key pairs and access keys: generated in the worker from node:crypto, nothing made on an engine. */
import * as crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { CreatedResource, CreateResourceRequest } from '../plugin';
import { siblingLookup } from '../siblings';

const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

function invalid(req: { resource: string }, property: string, message: string): never {
  throw ApplicationFailure.nonRetryable(`resources.${req.resource}.properties.${property}: ${message}`, 'InvalidProperty');
}

/** An SSH wire-format string: its length, then its bytes. */
function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An SSH mpint from an unsigned big-endian integer: a leading zero byte keeps it positive. */
const mpint = (unsigned: Buffer) => sshString(unsigned[0]! & 0x80 ? Buffer.concat([Buffer.alloc(1), unsigned]) : unsigned);

/** An RSA public key as an authorized_keys line (RFC 4253: "ssh-rsa", e, n). */
export function openSshPublicKey(key: crypto.KeyObject, comment: string): string {
  const jwk = key.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(Buffer.from(jwk.e!, 'base64url')), mpint(Buffer.from(jwk.n!, 'base64url'))]);
  return `ssh-rsa ${blob.toString('base64')} ${comment}`;
}

/** The key types OpenSSH's authorized_keys takes, with a base64 body: what Nova accepts to import. */
const PUBLIC_KEY = /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,2}( .*)?$/;

export function createKeyPair(req: CreateResourceRequest): CreatedResource {
  const name = str(req.properties.name);
  const given = str(req.properties.public_key).trim();
  if (given && !PUBLIC_KEY.test(given)) invalid(req, 'public_key', 'not an OpenSSH public key (expected "ssh-rsa AAAA… comment", or ssh-ed25519, ecdsa-sha2-…)');
  if (given) return { physicalId: name, attributes: { public_key: given, private_key: '' } };
  // Nova's generated pairs are RSA 2048, their private key in PKCS#1 PEM, which ssh reads as is.
  const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    physicalId: name,
    attributes: { public_key: openSshPublicKey(pair.publicKey, name), private_key: req.properties.save_private_key === true ? privateKey : '' },
  };
}

/** As Heat's physical name of the user, without its random suffix: the stack's and the resource's names. */
export function createUser(req: CreateResourceRequest): CreatedResource {
  const name = `${req.stack}-${req.resource}`;
  return { physicalId: name, attributes: { show: { ...req.properties, name, not_enforced: 'no Keystone user is made; Policies and LoginProfile are recorded only' } } };
}

/** Keystone EC2 credentials' shape: a 32-hex-digit access key id and secret. */
export function createAccessKey(req: CreateResourceRequest): CreatedResource {
  const userName = str(req.properties.UserName);
  const user = siblingLookup(req)(userName);
  if (!user || user.type !== 'AWS::IAM::User') invalid(req, 'UserName', `'${userName}' is not an AWS::IAM::User of this stack`);
  const id = crypto.randomBytes(16).toString('hex');
  return { physicalId: id, attributes: { UserName: userName, SecretAccessKey: crypto.randomBytes(16).toString('hex') } };
}
