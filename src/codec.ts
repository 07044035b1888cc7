/**
 * Payload encryption: every payload stoke sends to Temporal (workflow inputs holding parameter values,
 * activity results holding generated passwords, stack states, failure messages) is sealed with
 * AES-256-GCM before it leaves the process, so Temporal's history and UI show ciphertext to anyone
 * without the key. The format (12-byte IV, ciphertext, 16-byte tag; metadata `encoding:
 * binary/encrypted` and `encryption-key-id`) is the one of Temporal's encryption samples, so their
 * tools and codec servers interoperate.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { StokeConfig } from './config';
import { StokeError } from './errors';

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

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  readonly currentKeyId: string;

  /** The first key encrypts; all of them decrypt, so a rotated-out key still reads old histories. */
  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('EncryptionCodec needs at least one key');
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

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before a key was configured stay readable.
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      const key = id === undefined ? undefined : this.keys.get(id);
      if (!key) throw new ValueError(`payload encrypted with key '${id}', which is not among the configured keys (${[...this.keys.keys()].join(', ')})`);
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is truncated');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decodeDelimited(plain);
    });
  }
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

/**
 * The keys in force: STOKE_CODEC_KEY (one key), else STOKE_CODEC_KEY_FILE (one key per line, the first
 * encrypts), else, for the embedded default only, a key generated into the state folder. Against a
 * configured cluster (TEMPORAL_ADDRESS) stoke never invents a key, since workers and clients on other
 * machines could not share it: without one it runs unencrypted.
 */
export function codecKeys(config: StokeConfig, env: NodeJS.ProcessEnv = process.env): Buffer[] | undefined {
  if (env.STOKE_CODEC_KEY) return [parseKey(env.STOKE_CODEC_KEY, 'STOKE_CODEC_KEY')];
  if (env.STOKE_CODEC_KEY_FILE) return readKeyFile(env.STOKE_CODEC_KEY_FILE);
  if (!config.temporalAddress) return embeddedKeys(config.stateDir);
  return undefined;
}

let warned = false;

/** The data converter of every stoke client and worker; warns once per process when it cannot encrypt. */
export function dataConverter(config: StokeConfig, env: NodeJS.ProcessEnv = process.env): DataConverter {
  const keys = codecKeys(config, env);
  if (!keys) {
    if (!warned) {
      warned = true;
      console.error('stoke: warning: no STOKE_CODEC_KEY or STOKE_CODEC_KEY_FILE set: parameter values and generated secrets are stored in Temporal unencrypted');
    }
    return {};
  }
  // Failure messages (a container's last output, say) are moved into an encrypted payload too.
  return { failureConverterPath: require.resolve('../workflows/failure-converter'), payloadCodecs: [new EncryptionCodec(keys)] };
}
