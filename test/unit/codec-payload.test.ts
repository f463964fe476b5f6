/** The AES-256-GCM payload codec, its environment keyring and history decoding: pure logic, no server. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { codecKeyringFromEnv, CodecConfigError, dataConverterFromEnv, payloadCodecFromEnv } from '../../platform/codec-keys.js';
import { decodeHistoryPayloads } from '../../client/history-codec.js';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, PayloadDecryptionError } from '../../platform/payload-codec.js';

const SECRET_CODE = 'print("top-secret-code-9f3a")';

function key(): string {
  return randomBytes(32).toString('base64');
}

function text(bytes: Uint8Array | null | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
}

describe('AesGcmPayloadCodec', () => {
  const k1 = key();
  const k2 = key();
  const codecK1 = payloadCodecFromEnv({ AIRLOCK_CODEC_KEYS: `k1:${k1}` })!;

  it('round-trips a payload and leaves no plaintext in the encrypted bytes or metadata', async () => {
    const plain = defaultPayloadConverter.toPayload({ code: SECRET_CODE });
    const [encrypted] = await codecK1.encode([plain]);
    assert.equal(text(encrypted!.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encrypted!.metadata!['encryption-key-id']), 'k1');
    assert.ok(!text(encrypted!.data).includes('top-secret'));
    assert.ok(!Buffer.from(encrypted!.data!).toString('base64').includes(Buffer.from('top-secret').toString('base64')));
    const [decoded] = await codecK1.decode([encrypted!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), { code: SECRET_CODE });
  });

  it('uses a fresh IV per payload, so equal inputs give different ciphertexts', async () => {
    const plain = defaultPayloadConverter.toPayload('same');
    const [a, b] = await codecK1.encode([plain, plain]);
    assert.notDeepEqual(a!.data, b!.data);
  });

  it('decrypts old payloads by key id after rotation, and encrypts new ones with the active key', async () => {
    const [old] = await codecK1.encode([defaultPayloadConverter.toPayload('before rotation')]);
    const rotated = payloadCodecFromEnv({ AIRLOCK_CODEC_KEYS: `k1:${k1},k2:${k2}`, AIRLOCK_CODEC_KEY_ID: 'k2' })!;
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload('after rotation')]);
    assert.equal(text(fresh!.metadata!['encryption-key-id']), 'k2');
    const [a, b] = await rotated.decode([old!, fresh!]);
    assert.equal(defaultPayloadConverter.fromPayload(a!), 'before rotation');
    assert.equal(defaultPayloadConverter.fromPayload(b!), 'after rotation');
  });

  it('refuses a payload whose key id it does not hold, naming the id', async () => {
    const [encrypted] = await codecK1.encode([defaultPayloadConverter.toPayload('x')]);
    const other = payloadCodecFromEnv({ AIRLOCK_CODEC_KEYS: `k2:${k2}` })!;
    await assert.rejects(other.decode([encrypted!]), (err: unknown) => err instanceof PayloadDecryptionError && err.keyId === 'k1');
  });

  it('detects tampering (GCM authentication) and a relabelled key id', async () => {
    const [encrypted] = await codecK1.encode([defaultPayloadConverter.toPayload('x')]);
    const flipped = new Uint8Array(encrypted!.data!);
    flipped[20] = flipped[20]! ^ 0xff;
    await assert.rejects(codecK1.decode([{ ...encrypted!, data: flipped }]), PayloadDecryptionError);
    // Same key bytes under another id: the id is authenticated data, so the swap fails.
    const twin = payloadCodecFromEnv({ AIRLOCK_CODEC_KEYS: `k1:${k1},alias:${k1}` })!;
    const relabelled: Payload = { ...encrypted!, metadata: { ...encrypted!.metadata, 'encryption-key-id': new TextEncoder().encode('alias') } };
    await assert.rejects(twin.decode([relabelled]), PayloadDecryptionError);
  });

  it('passes through payloads it did not encrypt', async () => {
    const plain = defaultPayloadConverter.toPayload({ a: 1 });
    const [decoded] = await codecK1.decode([plain]);
    assert.deepEqual(decoded, plain);
  });

  it('refuses a keyring whose active id is missing or whose key has the wrong size', () => {
    assert.throws(() => new AesGcmPayloadCodec({ activeKeyId: 'x', keys: new Map([['y', new Uint8Array(32)]]) }));
    assert.throws(() => new AesGcmPayloadCodec({ activeKeyId: 'y', keys: new Map([['y', new Uint8Array(16)]]) }));
  });
});

describe('codec keys from the environment', () => {
  it('is off when AIRLOCK_CODEC_KEYS is unset or blank', () => {
    assert.equal(codecKeyringFromEnv({}), undefined);
    assert.equal(codecKeyringFromEnv({ AIRLOCK_CODEC_KEYS: '  ' }), undefined);
    assert.deepEqual(dataConverterFromEnv({}), {});
  });

  it('defaults the active key to the first and honours AIRLOCK_CODEC_KEY_ID', () => {
    const k = key();
    assert.equal(codecKeyringFromEnv({ AIRLOCK_CODEC_KEYS: `a:${k}, b:${k}` })?.activeKeyId, 'a');
    assert.equal(codecKeyringFromEnv({ AIRLOCK_CODEC_KEYS: `a:${k},b:${k}`, AIRLOCK_CODEC_KEY_ID: 'b' })?.activeKeyId, 'b');
    assert.equal(dataConverterFromEnv({ AIRLOCK_CODEC_KEYS: `a:${k}` }).payloadCodecs?.length, 1);
  });

  it('names the variable and never echoes key material in its errors', () => {
    const short = Buffer.from('sixteen-bytes-ok').toString('base64');
    const cases: Array<[NodeJS.ProcessEnv, string]> = [
      [{ AIRLOCK_CODEC_KEYS: short }, 'AIRLOCK_CODEC_KEYS'],
      [{ AIRLOCK_CODEC_KEYS: `a:${short}` }, 'AIRLOCK_CODEC_KEYS'],
      [{ AIRLOCK_CODEC_KEYS: `bad id:${key()}` }, 'AIRLOCK_CODEC_KEYS'],
      [{ AIRLOCK_CODEC_KEYS: `a:${key()}`, AIRLOCK_CODEC_KEY_ID: 'b' }, 'AIRLOCK_CODEC_KEY_ID'],
    ];
    for (const [env, variable] of cases) {
      assert.throws(
        () => codecKeyringFromEnv(env),
        (err: unknown) => err instanceof CodecConfigError && err.variable === variable && !err.message.includes(short),
      );
    }
  });
});

describe('decodeHistoryPayloads', () => {
  it('decrypts every encrypted payload wherever it sits in a history, in place', async () => {
    const codec = payloadCodecFromEnv({ AIRLOCK_CODEC_KEYS: `k:${key()}` })!;
    const [input, result] = await codec.encode([
      defaultPayloadConverter.toPayload({ code: SECRET_CODE }),
      defaultPayloadConverter.toPayload({ stdout: 'out' }),
    ]);
    const history = {
      events: [
        { workflowExecutionStartedEventAttributes: { input: { payloads: [input] } } },
        { activityTaskCompletedEventAttributes: { result: { payloads: [result] } } },
        { markerRecordedEventAttributes: { details: { plain: { payloads: [defaultPayloadConverter.toPayload(1)] } } } },
      ],
    };
    assert.equal(await decodeHistoryPayloads(history, [codec]), 2);
    assert.deepEqual(defaultPayloadConverter.fromPayload(history.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads[0]!), { code: SECRET_CODE });
    assert.deepEqual(defaultPayloadConverter.fromPayload(history.events[1]!.activityTaskCompletedEventAttributes!.result.payloads[0]!), { stdout: 'out' });
  });
});
