/** Where the encryption key comes from, rotation, and the unencrypted fallback's single warning. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chained, codecKeys, CompressionCodec, dataConverter, EMBEDDED_KEY_FILE, EncryptionCodec, keyId, ZLIB_ENCODING } from '../../src/client/codec';
import { loadConfig } from '../../src/config';
import { REFUSED_PAYLOAD } from '../../workflows/refused';
import { tempDir } from '../helpers';

const tempHome = () => tempDir('stoke-codec');
const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"hunter2"') };

test('the embedded default generates one private key in the state folder and keeps using it', () => {
  const home = tempHome();
  const config = loadConfig({ STOKE_HOME: home });
  const first = codecKeys(config, {})!;
  const second = codecKeys(config, {})!;
  expect(first).toHaveLength(1);
  expect(second[0]!.equals(first[0]!)).toBe(true);
  expect(fs.statSync(path.join(home, EMBEDDED_KEY_FILE)).mode & 0o777).toBe(0o600);
});

test('a configured cluster without a key is refused, unless plaintext is intended, which warns once per process', () => {
  const config = loadConfig({ STOKE_HOME: tempHome(), TEMPORAL_ADDRESS: 'temporal.example:7233' });
  expect(() => dataConverter(config, {})).toThrow(/no payload encryption key.*STOKE_CODEC_KEY.*STOKE_CODEC_ALLOW_PLAINTEXT=1/);
  const warn = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    // Compressed still, but not sealed.
    expect(dataConverter(config, { STOKE_CODEC_ALLOW_PLAINTEXT: '1' }).payloadCodecs).toEqual([expect.any(CompressionCodec)]);
    expect(dataConverter(config, { STOKE_CODEC_ALLOW_PLAINTEXT: '1' }).payloadCodecs).toEqual([expect.any(CompressionCodec)]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain('unencrypted');
  } finally {
    warn.mockRestore();
  }
  expect(dataConverter(config, { STOKE_CODEC_KEY: 'a'.repeat(64) }).payloadCodecs).toEqual([expect.any(CompressionCodec), expect.any(EncryptionCodec)]);
});

test('payloads are sealed with the first key of a key file, and older keys still open old payloads', async () => {
  const [oldKey, newKey] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
  const sealedWithOld = await new EncryptionCodec([oldKey]).encode([payload]);
  expect(Buffer.from(sealedWithOld[0]!.data!).includes('hunter2')).toBe(false);
  expect(Buffer.from(sealedWithOld[0]!.metadata!['encryption-key-id']!).toString()).toBe(keyId(oldKey));

  const file = path.join(tempHome(), 'keys');
  fs.writeFileSync(file, `# current first\n${newKey.toString('base64')}\n${oldKey.toString('hex')}\n`);
  const rotated = new EncryptionCodec(codecKeys(loadConfig({}), { STOKE_CODEC_KEY_FILE: file })!);
  expect(rotated.currentKeyId).toBe(keyId(newKey));
  const [opened] = await rotated.decode(sealedWithOld);
  expect(Buffer.from(opened!.data!).toString()).toBe('"hunter2"');

  const tampered = { ...sealedWithOld[0]!, data: Buffer.from(sealedWithOld[0]!.data!).fill(0, 20, 24) };
  await expect(rotated.decode([tampered])).rejects.toThrow();
  expect(() => codecKeys(loadConfig({}), { STOKE_CODEC_KEY: 'too-short' })).toThrow(/32 bytes/);
});

const workflowContext = { type: 'workflow', namespace: 'default', workflowId: 'stack:x' } as const;
const activityContext = { type: 'activity', namespace: 'default', isLocal: false } as const;
const worker = (env: NodeJS.ProcessEnv) => dataConverter(loadConfig({ STOKE_HOME: tempHome() }), env, 'worker').payloadCodecs!.find((c) => c instanceof EncryptionCodec)!;
const refusal = (decoded: { data?: Uint8Array | null }) => JSON.parse(Buffer.from(decoded.data!).toString())[REFUSED_PAYLOAD] as string;

test('key rotation: a current key from the environment or a file, older decrypt-only keys from the environment or a file', async () => {
  const [oldest, old, current] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)];
  const sealedOldest = await new EncryptionCodec([oldest]).encode([payload]);
  const sealedOld = await new EncryptionCodec([old]).encode([payload]);
  const oldFile = path.join(tempHome(), 'old-keys');
  fs.writeFileSync(oldFile, `# retired keys\n${oldest.toString('base64')}\n`);
  const currentFile = path.join(tempHome(), 'key');
  fs.writeFileSync(currentFile, `${current.toString('hex')}\n`);
  for (const env of [
    { STOKE_CODEC_KEY: current.toString('base64'), STOKE_CODEC_OLD_KEYS: old.toString('base64'), STOKE_CODEC_OLD_KEYS_FILE: oldFile },
    { STOKE_CODEC_KEY_FILE: currentFile, STOKE_CODEC_OLD_KEYS: ` ${old.toString('hex')}, `, STOKE_CODEC_OLD_KEYS_FILE: oldFile },
  ]) {
    const codec = new EncryptionCodec(codecKeys(loadConfig({}), env)!);
    expect(codec.currentKeyId).toBe(keyId(current));
    for (const sealed of [sealedOld, sealedOldest]) expect(Buffer.from((await codec.decode(sealed))[0]!.data!).toString()).toBe('"hunter2"');
    const [resealed] = await codec.encode([payload]);
    expect(Buffer.from(resealed!.metadata!['encryption-key-id']!).toString()).toBe(keyId(current));
  }
  expect(() => codecKeys(loadConfig({}), { STOKE_CODEC_KEY: current.toString('base64'), STOKE_CODEC_KEY_FILE: currentFile })).toThrow(/set one/);
  expect(() => codecKeys(loadConfig({ TEMPORAL_ADDRESS: 'temporal.example:7233' }), { STOKE_CODEC_OLD_KEYS: old.toString('base64') })).toThrow(/only decrypt/);
  expect(() => codecKeys(loadConfig({}), { STOKE_CODEC_KEY: current.toString('base64'), STOKE_CODEC_OLD_KEYS: 'nope' })).toThrow(/STOKE_CODEC_OLD_KEYS \(key 1\).*32 bytes/);
});

test('a keyed worker turns a plaintext workflow payload into a refusal, unless plaintext is allowed; clients read it', async () => {
  const key = Buffer.alloc(32, 4).toString('base64');
  const [refused] = await worker({ STOKE_CODEC_KEY: key }).decode([payload], workflowContext);
  expect(refusal(refused!)).toMatch(new RegExp(`not encrypted.*${keyId(Buffer.alloc(32, 4))}.*STOKE_CODEC_ALLOW_PLAINTEXT=1`));
  // An activity's payloads are the worker's own: refusing them fails the task, which another worker may take.
  await expect(worker({ STOKE_CODEC_KEY: key }).decode([payload], activityContext)).rejects.toThrow(/not encrypted/);
  expect(await worker({ STOKE_CODEC_KEY: key, STOKE_CODEC_ALLOW_PLAINTEXT: '1' }).decode([payload], workflowContext)).toEqual([payload]);
  expect(await new EncryptionCodec([Buffer.alloc(32, 4)]).decode([payload], workflowContext)).toEqual([payload]);
});

test("the server's own plaintext (an activity cancelled before it started) is read, in any context; nothing else is", async () => {
  const key = Buffer.alloc(32, 4).toString('base64');
  const notStarted = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"ACTIVITY_ID_NOT_STARTED"') };
  expect(await worker({ STOKE_CODEC_KEY: key }).decode([notStarted], activityContext)).toEqual([notStarted]);
  expect(await worker({ STOKE_CODEC_KEY: key }).decode([notStarted], workflowContext)).toEqual([notStarted]);
  const lookalike = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"ACTIVITY_ID_NOT_STARTED "') };
  await expect(worker({ STOKE_CODEC_KEY: key }).decode([lookalike], activityContext)).rejects.toThrow(/not encrypted/);
});

test('a payload sealed with a key the worker lacks is refused naming that key id; a client says which setting to fix', async () => {
  const stranger = Buffer.alloc(32, 5);
  const sealed = await new EncryptionCodec([stranger]).encode([payload]);
  const [refused] = await worker({ STOKE_CODEC_KEY: Buffer.alloc(32, 6).toString('base64') }).decode(sealed, workflowContext);
  expect(refusal(refused!)).toContain(`encrypted with key id ${keyId(stranger)}, which this worker lacks (it has ${keyId(Buffer.alloc(32, 6))})`);
  await expect(new EncryptionCodec([Buffer.alloc(32, 6)]).decode(sealed, workflowContext))
    .rejects.toThrow(new RegExp(`key id ${keyId(stranger)}, which this stoke lacks.*STOKE_CODEC_KEY.*STOKE_CODEC_OLD_KEYS`));
});

test('large payloads are compressed before they are sealed; small ones and payloads of before pass as they are', async () => {
  const state = { resources: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`r${i}`, { type: 'OS::Heat::None', status: 'CREATE_COMPLETE', physicalId: `s-r${i}` }])) };
  const large = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(state)) };
  const codecs = chained([new CompressionCodec(), new EncryptionCodec([Buffer.alloc(32, 9)])]);
  const [sealed] = await new CompressionCodec().encode([large]);
  expect(Buffer.from(sealed!.metadata!.encoding!).toString()).toBe(ZLIB_ENCODING);
  expect(sealed!.data!.length).toBeLessThan(large.data.length / 10);
  const [roundTrip] = await codecs.decode(await codecs.encode([large]));
  expect(JSON.parse(Buffer.from(roundTrip!.data!).toString())).toEqual(state);
  // A small payload is not worth the CPU; one compressed by nobody (histories of before) decodes unchanged.
  expect(await new CompressionCodec().encode([payload])).toEqual([payload]);
  expect(await new CompressionCodec().decode([payload])).toEqual([payload]);
  // Random bytes do not shrink: kept as they were.
  const noise = { metadata: { encoding: Buffer.from('binary/plain') }, data: crypto.randomBytes(40_000) };
  expect(Buffer.from((await new CompressionCodec().encode([noise]))[0]!.metadata!.encoding!).toString()).not.toBe(ZLIB_ENCODING);
});
