/** The codec endpoint the Temporal Web UI calls, exercised through Fastify's in-process injection. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { payloadCodecFromEnv } from '../../platform/codec-keys.js';
import { codecEndpoint } from '../../server/codec-endpoint.js';

const UI_ORIGIN = 'http://127.0.0.1:8233';
const codec = payloadCodecFromEnv({ AIRLOCK_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}` })!;

function jsonPayload(value: unknown) {
  const payload = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(payload.data!).toString('base64'),
  };
}

describe('codec endpoint', () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify();
    await app.register(codecEndpoint, {
      codec,
      allowedOrigins: [UI_ORIGIN],
      authorize: (request) => request.headers.authorization === 'Bearer reader',
    });
    await app.ready();
  });
  after(() => app.close());

  const post = (path: string, payload: unknown, authorization = 'Bearer reader') =>
    app.inject({ method: 'POST', url: path, payload: payload as object, headers: { authorization, origin: UI_ORIGIN, 'x-namespace': 'default' } });

  it('encodes to ciphertext and decodes back to the readable JSON payload', async () => {
    const encoded = await post('/codec/encode', { payloads: [jsonPayload({ code: 'print(42)' })] });
    assert.equal(encoded.statusCode, 200);
    const cipher = encoded.json() as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    assert.equal(Buffer.from(cipher.payloads[0]!.metadata.encoding!, 'base64').toString(), 'binary/encrypted');
    assert.ok(!Buffer.from(cipher.payloads[0]!.data, 'base64').toString('latin1').includes('print(42)'));

    const decoded = await post('/codec/decode', cipher);
    assert.equal(decoded.statusCode, 200);
    assert.equal(decoded.headers['access-control-allow-origin'], UI_ORIGIN);
    const plain = decoded.json() as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
    assert.deepEqual(JSON.parse(Buffer.from(plain.payloads[0]!.data, 'base64').toString()), { code: 'print(42)' });
    assert.equal(Buffer.from(plain.payloads[0]!.metadata.encoding!, 'base64').toString(), 'json/plain');
  });

  it('answers the browser preflight for allowed origins only', async () => {
    const allowed = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: UI_ORIGIN } });
    assert.equal(allowed.statusCode, 204);
    assert.match(String(allowed.headers['access-control-allow-headers']), /x-namespace/);
    const other = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'http://127.0.0.1:9999' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('refuses callers the authorize hook rejects, and malformed bodies', async () => {
    assert.equal((await post('/codec/decode', { payloads: [] }, 'Bearer someone-else')).statusCode, 403);
    assert.equal((await post('/codec/decode', { nope: 1 })).statusCode, 400);
  });

  it('reports a payload under an unknown key id as 422 with the key id', async () => {
    const other = payloadCodecFromEnv({ AIRLOCK_CODEC_KEYS: `k9:${randomBytes(32).toString('base64')}` })!;
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(foreign!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
          data: Buffer.from(foreign!.data!).toString('base64'),
        },
      ],
    };
    const response = await post('/codec/decode', body);
    assert.equal(response.statusCode, 422);
    assert.match(response.body, /k9/);
  });
});
