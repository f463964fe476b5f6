/**
 * The codec endpoint for the Temporal Web UI (and `temporal --codec-endpoint`): POST `<prefix>/decode` and
 * `<prefix>/encode` take `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }` and answer in the same
 * shape, run through Airlock's payload codec. Encrypted history then renders as readable JSON for whoever this
 * endpoint lets in (`authorize`), while the database keeps only ciphertext.
 *
 * Mount it on the Airlock HTTP server: `await app.register(codecEndpoint, { codec, allowedOrigins, authorize })`.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export const DEFAULT_CODEC_PREFIX = '/codec';

export interface CodecEndpointOptions {
  codec: PayloadCodec;
  /** Path prefix of the two routes; `/codec` by default. */
  prefix?: string;
  /**
   * Browser origins (e.g. the Web UI's `http://127.0.0.1:8233`) allowed to call from a page; others get no CORS
   * headers and the browser refuses the answer.
   */
  allowedOrigins?: readonly string[];
  /**
   * Who may read plaintext. Called for every encode/decode; `false` answers 403. Without it the endpoint is
   * open, which is only right on a loopback-only dev stack.
   */
  authorize?: (request: FastifyRequest) => boolean | Promise<boolean>;
}

const Base64Schema = z.string().regex(/^[A-Za-z0-9+/=_-]*$/, 'must be base64');

/** The JSON form of Temporal's Payloads message, as the Web UI sends it. */
export const CodecRequestSchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), Base64Schema).default({}), data: Base64Schema.default('') }))
    .max(10_000),
});
export type CodecRequest = z.infer<typeof CodecRequestSchema>;
type JsonPayload = CodecRequest['payloads'][number];

function fromJson(payload: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload.metadata)) metadata[key] = new Uint8Array(Buffer.from(value, 'base64'));
  return { metadata, data: new Uint8Array(Buffer.from(payload.data, 'base64')) };
}

function toJson(payload: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    if (value) metadata[key] = Buffer.from(value).toString('base64');
  }
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

/** Runs a codec request body through `codec` in the given direction (the routes' whole job, testable alone). */
export async function transformCodecBody(
  codec: PayloadCodec,
  direction: 'encode' | 'decode',
  body: unknown,
): Promise<{ payloads: JsonPayload[] }> {
  const request = CodecRequestSchema.parse(body);
  const payloads = request.payloads.map(fromJson);
  const result = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
  return { payloads: result.map(toJson) };
}

/** Fastify plugin serving the codec routes (see the module comment). */
export async function codecEndpoint(app: FastifyInstance, options: CodecEndpointOptions): Promise<void> {
  const prefix = (options.prefix ?? DEFAULT_CODEC_PREFIX).replace(/\/$/, '');
  const allowed = new Set(options.allowedOrigins ?? []);

  const applyCors = (request: FastifyRequest, reply: FastifyReply): void => {
    const origin = request.headers.origin;
    if (!origin || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    reply.header('access-control-allow-credentials', 'true');
    reply.header('access-control-allow-methods', 'POST, OPTIONS');
    reply.header('access-control-allow-headers', 'content-type, x-namespace, authorization');
  };

  for (const direction of ['encode', 'decode'] as const) {
    const url = `${prefix}/${direction}`;
    app.options(url, async (request, reply) => {
      applyCors(request, reply);
      return reply.code(204).send();
    });
    app.post(url, async (request, reply) => {
      applyCors(request, reply);
      if (options.authorize && !(await options.authorize(request))) {
        return reply.code(403).send({ error: 'not allowed to read or write encrypted payloads' });
      }
      const parsed = CodecRequestSchema.safeParse(request.body);
      if (!parsed.success) {
        return reply.code(400).send({ error: `invalid codec request: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}` });
      }
      try {
        return await transformCodecBody(options.codec, direction, parsed.data);
      } catch (err) {
        // An unknown key id or a tampered payload is the caller's problem to see, not a server fault.
        request.log.warn({ err }, `codec ${direction} failed`);
        return reply.code(422).send({ error: err instanceof Error ? err.message : String(err) });
      }
    });
  }
}
