/** Where the encryption key comes from, rotation, and the unencrypted fallback's single warning. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codecKeys, dataConverter, EMBEDDED_KEY_FILE, EncryptionCodec, keyId } from '../src/codec';
import { loadConfig } from '../src/config';

const tempHome = () => fs.mkdtempSync(path.join(os.tmpdir(), 'stoke-codec-'));
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

test('a configured cluster without a key runs unencrypted and warns once per process', () => {
  const config = loadConfig({ STOKE_HOME: tempHome(), TEMPORAL_ADDRESS: 'temporal.example:7233' });
  const warn = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    expect(dataConverter(config, {}).payloadCodecs).toBeUndefined();
    expect(dataConverter(config, {}).payloadCodecs).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain('unencrypted');
  } finally {
    warn.mockRestore();
  }
  expect(dataConverter(config, { STOKE_CODEC_KEY: 'a'.repeat(64) }).payloadCodecs).toHaveLength(1);
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
