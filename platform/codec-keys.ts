/**
 * Reads the payload codec's keys from the environment. Encryption is off when AIRLOCK_CODEC_KEYS is unset or
 * empty; a malformed value stops start-up with a message naming the variable, because a process that silently
 * wrote plaintext (or could not read history) would be worse than one that does not start.
 *
 *   AIRLOCK_CODEC_KEYS="k2:<base64 32 bytes>,k1:<base64 32 bytes>"   every key that may decrypt
 *   AIRLOCK_CODEC_KEY_ID="k2"                                         the key new payloads use (default: the first)
 */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { ConfigError } from './config.js';
import { AesGcmPayloadCodec, KEY_BYTES, type CodecKeyring } from './payload-codec.js';

export const CODEC_KEYS_ENV = 'AIRLOCK_CODEC_KEYS';
export const CODEC_KEY_ID_ENV = 'AIRLOCK_CODEC_KEY_ID';

const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * AIRLOCK_CODEC_KEYS or AIRLOCK_CODEC_KEY_ID is malformed. A ConfigError, so the CLI and entry points report it
 * as a configuration problem. The message never contains key material.
 */
export class CodecConfigError extends ConfigError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** Parses the keyring; undefined when encryption is off. */
export function codecKeyringFromEnv(env: NodeJS.ProcessEnv = process.env): CodecKeyring | undefined {
  const raw = env[CODEC_KEYS_ENV]?.trim();
  if (!raw) return undefined;
  const keys = new Map<string, Uint8Array>();
  for (const entry of raw.split(',').map((part) => part.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new CodecConfigError(CODEC_KEYS_ENV, 'expected comma-separated "id:base64key" entries');
    const id = entry.slice(0, colon);
    if (!KEY_ID_PATTERN.test(id)) {
      throw new CodecConfigError(CODEC_KEYS_ENV, `key id "${id}" may contain letters, digits and . _ - only`);
    }
    if (keys.has(id)) throw new CodecConfigError(CODEC_KEYS_ENV, `key id "${id}" appears twice`);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== KEY_BYTES) {
      throw new CodecConfigError(
        CODEC_KEYS_ENV,
        `key "${id}" decodes to ${key.length} bytes; AES-256 needs ${KEY_BYTES} (make one with \`openssl rand -base64 32\`)`,
      );
    }
    keys.set(id, new Uint8Array(key));
  }
  const first = keys.keys().next().value;
  if (first === undefined) throw new CodecConfigError(CODEC_KEYS_ENV, 'is set but holds no key');
  const activeKeyId = env[CODEC_KEY_ID_ENV]?.trim() || first;
  if (!keys.has(activeKeyId)) {
    throw new CodecConfigError(CODEC_KEY_ID_ENV, `names key "${activeKeyId}", which is not in ${CODEC_KEYS_ENV}`);
  }
  return { activeKeyId, keys };
}

/** The payload codec configured by the environment, or undefined when encryption is off. */
export function payloadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadCodec | undefined {
  const keyring = codecKeyringFromEnv(env);
  return keyring ? new AesGcmPayloadCodec(keyring) : undefined;
}

/**
 * The data converter every Airlock client and worker uses: the default converters plus the codec when keys are
 * configured. Both sides must agree, or workers cannot read what clients wrote.
 */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const codec = payloadCodecFromEnv(env);
  return codec ? { payloadCodecs: [codec] } : {};
}
