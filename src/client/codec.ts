/**
 * Payload compression and encryption: large payloads are compressed first (see CompressionCodec). Every payload stoke sends to Temporal (workflow inputs holding parameter values,
 * activity results holding generated passwords, stack states, failure messages) is sealed with
 * AES-256-GCM before it leaves the process, so Temporal's history and UI show ciphertext to anyone
 * without the key. The format (12-byte IV, ciphertext, 16-byte tag; metadata `encoding:
 * binary/encrypted` and `encryption-key-id`) is the one of Temporal's encryption samples, so their
 * tools and codec servers interoperate.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec, type SerializationContext } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { REFUSED_PAYLOAD } from '../../workflows/refused';
import type { StokeConfig } from '../config';
import { StokeError } from '../errors';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key file the embedded default generates on first use, inside the git-ignored state folder. */
export const EMBEDDED_KEY_FILE = 'codec.key';

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** A key id that names a key without revealing it, so rotated keys can be told apart in history. */
export function keyId(key: Buffer): string {
  return `stoke-${crypto.createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/**
 * How a codec treats what it must not open: a payload that is not encrypted (unless plaintext is
 * accepted), or one sealed with a key it lacks.
 */
export interface CodecPolicy {
  /** Unencrypted payloads are read as they are: histories from before a key was configured. */
  readonly acceptPlaintext: boolean;
  /**
   * The worker's choice: in a workflow's own payloads (its input, signals) the refused payload becomes
   * a marker the workflow fails on, instead of an error that would fail its task forever. Elsewhere,
   * and in clients, decoding throws, naming the key id.
   */
  readonly markRefused: boolean;
}

const CLIENT_POLICY: CodecPolicy = { acceptPlaintext: true, markRefused: false };

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  readonly currentKeyId: string;

  /** The first key encrypts; all of them decrypt, so a rotated-out key still reads old histories. */
  constructor(keys: readonly Buffer[], private readonly policy: CodecPolicy = CLIENT_POLICY) {
    if (keys.length === 0) throw new StokeError('CodecKeyMissing', 'EncryptionCodec needs at least one key');
    this.keys = new Map(keys.map((key) => [keyId(key), key]));
    this.currentKeyId = keyId(keys[0]!);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.currentKeyId)!;
    return payloads.map((payload) => {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encodeDelimited(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.currentKeyId) }, data: sealed };
    });
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) {
        return this.policy.acceptPlaintext || writtenByServer(payload) ? payload : this.refuse(context, this.plaintextRefusal());
      }
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      const key = id === undefined ? undefined : this.keys.get(id);
      if (!key) return this.refuse(context, this.unknownKey(id));
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is truncated');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decodeDelimited(plain);
    });
  }

  private refuse(context: SerializationContext | undefined, reason: string): Payload {
    if (!this.policy.markRefused || context?.type !== 'workflow') throw new StokeError('CodecKeyMismatch', reason);
    return { metadata: { [METADATA_ENCODING_KEY]: utf8('json/plain') }, data: utf8(JSON.stringify({ [REFUSED_PAYLOAD]: reason })) };
  }

  private plaintextRefusal(): string {
    return `the payload is not encrypted, and this worker, which has the key ${this.currentKeyId}, accepts no plaintext: `
      + 'send it through stoke with that key (STOKE_CODEC_KEY or STOKE_CODEC_KEY_FILE), or set STOKE_CODEC_ALLOW_PLAINTEXT=1 on the worker to read unencrypted histories';
  }

  private unknownKey(id: string | undefined): string {
    const lacks = `the payload is encrypted with key id ${id ?? '(none)'}, which this ${this.policy.markRefused ? 'worker' : 'stoke'} lacks (it has ${[...this.keys.keys()].join(', ')})`;
    const decryptOnly = 'decrypt-only keys (STOKE_CODEC_OLD_KEYS or STOKE_CODEC_OLD_KEYS_FILE)';
    return this.policy.markRefused
      ? `${lacks}: send it with the worker's key (STOKE_CODEC_KEY or STOKE_CODEC_KEY_FILE), or add that key to the worker's ${decryptOnly}`
      : `${lacks}: set the key the worker uses (STOKE_CODEC_KEY or STOKE_CODEC_KEY_FILE), or add that key to the ${decryptOnly}`;
  }
}

export const ZLIB_ENCODING = 'binary/zlib';

/**
 * Below this, a payload is sent as it is: the many small ones (a resource's request, an activity's result)
 * would spend CPU for nothing; the large ones are plans and states, whose JSON repeats itself.
 */
const COMPRESS_FROM_BYTES = 16 * 1024;

/**
 * Compresses large payloads before they are sealed: a stack's plan and its state travel whole, and Temporal
 * refuses a payload over 2 MB. A flat template of 11,000 resources made a 3.1 MB state, which compresses to
 * a tenth of that. The format is the Go SDK's zlib codec's (encoding `binary/zlib`, the serialized payload
 * deflated), so Temporal's own tools read it; a payload that would not shrink is kept as it was.
 */
export class CompressionCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if ((payload.data?.length ?? 0) < COMPRESS_FROM_BYTES) return payload;
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const deflated = zlib.deflateSync(plain, { level: 1 });
      return deflated.length < plain.length ? { metadata: { [METADATA_ENCODING_KEY]: utf8(ZLIB_ENCODING) }, data: deflated } : payload;
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ZLIB_ENCODING) return payload;
      return temporal.api.common.v1.Payload.decode(zlib.inflateSync(payload.data ?? new Uint8Array()));
    });
  }
}

/** Codecs as one, for the codec server: encoding runs them in order, decoding in reverse, as a data converter does. */
export function chained(codecs: readonly PayloadCodec[]): PayloadCodec {
  return {
    encode: async (payloads) => {
      for (const codec of codecs) payloads = await codec.encode(payloads);
      return payloads;
    },
    decode: async (payloads) => {
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
      return payloads;
    },
  };
}

/** What stoke's payloads go through, in order: compression, then encryption when there is a key. */
export function payloadCodecs(keys: readonly Buffer[] | undefined, policy: CodecPolicy = CLIENT_POLICY): [CompressionCodec, EncryptionCodec] | [CompressionCodec] {
  return keys ? [new CompressionCodec(), new EncryptionCodec(keys, policy)] : [new CompressionCodec()];
}

/**
 * Payloads the Temporal server writes itself, which no codec sealed: the details of an activity cancelled
 * before its attempt started (one in retry backoff when its stack is cancelled or deleted). They carry
 * nothing of anyone's, and refusing them would fail the workflow's task on every retry.
 */
const SERVER_WRITTEN = new Set(['"ACTIVITY_ID_NOT_STARTED"']);

function writtenByServer(payload: Payload): boolean {
  return text(payload.metadata?.[METADATA_ENCODING_KEY]) === 'json/plain' && SERVER_WRITTEN.has(Buffer.from(payload.data ?? []).toString('utf8'));
}

/** A key as configuration writes it: 32 bytes in base64 or hex. */
export function parseKey(value: string, source: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new StokeError('CodecKeyInvalid', `${source}: an encryption key must be 32 bytes, written as 64 hex digits or 44 base64 characters (make one with \`openssl rand -base64 32\`)`);
  }
  return key;
}

function readKeyFile(file: string): Buffer[] {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new StokeError('CodecKeyInvalid', `cannot read the encryption key file ${file}: ${(err as Error).message}`);
  }
  const lines = content.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) throw new StokeError('CodecKeyInvalid', `${file}: no key in the file`);
  return lines.map((line, i) => parseKey(line, `${file}:${i + 1}`));
}

/**
 * Creates the embedded default's key once; `link` refuses to overwrite, so a CLI and a worker starting
 * together both end up with whichever key was written first, never with two.
 */
function embeddedKeys(stateDir: string): Buffer[] {
  const file = path.join(stateDir, EMBEDDED_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(stateDir, { recursive: true });
    const draft = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(draft, `# stoke payload encryption key: keep it; histories encrypted with it are unreadable without it\n${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    try {
      fs.linkSync(draft, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(draft, { force: true });
    }
  }
  return readKeyFile(file);
}

/** Decrypt-only keys: STOKE_CODEC_OLD_KEYS (separated by commas or white space) and STOKE_CODEC_OLD_KEYS_FILE (one per line). */
function oldKeys(env: NodeJS.ProcessEnv): Buffer[] {
  const listed = (env.STOKE_CODEC_OLD_KEYS ?? '').split(/[\s,]+/).filter(Boolean).map((key, i) => parseKey(key, `STOKE_CODEC_OLD_KEYS (key ${i + 1})`));
  return [...listed, ...(env.STOKE_CODEC_OLD_KEYS_FILE ? readKeyFile(env.STOKE_CODEC_OLD_KEYS_FILE) : [])];
}

/**
 * The keys in force, the current one (which encrypts) first: STOKE_CODEC_KEY, or the first key of
 * STOKE_CODEC_KEY_FILE (its further lines decrypt only), or, for the embedded default only, a key
 * generated into the state folder; then the decrypt-only keys. Against a configured cluster
 * (TEMPORAL_ADDRESS) stoke never invents a key, since workers and clients on other machines could not
 * share it: without one there are no keys.
 */
export function codecKeys(config: StokeConfig, env: NodeJS.ProcessEnv = process.env): Buffer[] | undefined {
  if (env.STOKE_CODEC_KEY && env.STOKE_CODEC_KEY_FILE) {
    throw new StokeError('CodecKeyInvalid', 'both STOKE_CODEC_KEY and STOKE_CODEC_KEY_FILE are set: set one (older keys go to STOKE_CODEC_OLD_KEYS or STOKE_CODEC_OLD_KEYS_FILE)');
  }
  const current = env.STOKE_CODEC_KEY ? [parseKey(env.STOKE_CODEC_KEY, 'STOKE_CODEC_KEY')]
    : env.STOKE_CODEC_KEY_FILE ? readKeyFile(env.STOKE_CODEC_KEY_FILE)
      : !config.temporalAddress ? embeddedKeys(config.stateDir) : undefined;
  const old = oldKeys(env);
  if (!current && old.length > 0) {
    throw new StokeError('CodecKeyMissing', 'STOKE_CODEC_OLD_KEYS and STOKE_CODEC_OLD_KEYS_FILE only decrypt: set the current key too (STOKE_CODEC_KEY or STOKE_CODEC_KEY_FILE)');
  }
  return current && [...current, ...old];
}

/** STOKE_CODEC_ALLOW_PLAINTEXT: unencrypted payloads are intended (no key), or accepted (a key, and older histories). */
export function plaintextAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.STOKE_CODEC_ALLOW_PLAINTEXT ?? '');
}

let warned = false;

/**
 * The data converter of stoke's clients (`client`) and of its worker (`worker`), which refuses what it
 * must not open (see CodecPolicy). Without a key, against a cluster, it runs unencrypted only when
 * STOKE_CODEC_ALLOW_PLAINTEXT says so (warning once per process): otherwise a CLI missing the key would
 * quietly send parameters in clear, which a keyed worker then refuses anyway.
 */
export function dataConverter(config: StokeConfig, env: NodeJS.ProcessEnv = process.env, role: 'client' | 'worker' = 'client'): DataConverter {
  const keys = codecKeys(config, env);
  if (!keys) {
    if (!plaintextAllowed(env)) {
      throw new StokeError('CodecKeyMissing', `no payload encryption key for the Temporal at TEMPORAL_ADDRESS=${config.temporalAddress}: `
        + 'set STOKE_CODEC_KEY or STOKE_CODEC_KEY_FILE to the key the stoke workers use, or STOKE_CODEC_ALLOW_PLAINTEXT=1 to run unencrypted');
    }
    if (!warned) {
      warned = true;
      console.error('stoke: warning: STOKE_CODEC_ALLOW_PLAINTEXT is set and there is no key: parameter values and generated secrets are stored in Temporal unencrypted');
    }
    return { payloadCodecs: payloadCodecs(undefined) };
  }
  const policy: CodecPolicy = role === 'worker' ? { acceptPlaintext: plaintextAllowed(env), markRefused: true } : CLIENT_POLICY;
  // Failure messages (a container's last output, say) are moved into an encrypted payload too.
  return { failureConverterPath: require.resolve('../../workflows/failure-converter'), payloadCodecs: payloadCodecs(keys, policy) };
}
