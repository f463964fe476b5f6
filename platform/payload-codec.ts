/**
 * Encrypts every payload Airlock writes to Temporal (workflow input, code, outputs, decisions, results) with
 * AES-256-GCM, so Temporal's database and raw history show ciphertext only. Workers, the SDK, the CLI and the
 * codec endpoint hold the keys and see plaintext. Keys rotate by id: new payloads use the active key, old ones
 * are decrypted with the key named in their metadata.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

/** `encoding` metadata of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key that encrypted the payload. */
export const KEY_ID_METADATA = 'encryption-key-id';
/** Metadata key naming the cipher, so a future cipher can be told apart. */
export const CIPHER_METADATA = 'encryption-cipher';
export const CIPHER_NAME = 'AES-256-GCM';

/** AES-256 needs 32 key bytes. */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A payload could not be decrypted: unknown key id, wrong key, or tampered bytes. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
  constructor(
    readonly keyId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The keys a codec may use, by id; `activeKeyId` encrypts, every key decrypts. */
export interface CodecKeyring {
  activeKeyId: string;
  keys: ReadonlyMap<string, Uint8Array>;
}

function metadataText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? decoder.decode(value) : undefined;
}

/** True for a payload this codec wrote. */
export function isEncryptedPayload(payload: Payload): boolean {
  return metadataText(payload, 'encoding') === ENCRYPTED_ENCODING;
}

/**
 * The plaintext payload (metadata and data) in a self-describing form: JSON with base64 fields, so no protobuf
 * dependency is needed and the format is easy to inspect once decrypted.
 */
function serialize(payload: Payload): Buffer {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    if (value) metadata[key] = Buffer.from(value).toString('base64');
  }
  const data = payload.data ? Buffer.from(payload.data).toString('base64') : '';
  return Buffer.from(JSON.stringify({ m: metadata, d: data }), 'utf8');
}

function deserialize(bytes: Buffer): Payload {
  const parsed = JSON.parse(bytes.toString('utf8')) as { m: Record<string, string>; d: string };
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(parsed.m)) metadata[key] = new Uint8Array(Buffer.from(value, 'base64'));
  return { metadata, data: new Uint8Array(Buffer.from(parsed.d, 'base64')) };
}

/** Temporal payload codec: AES-256-GCM with a random 96-bit IV per payload and the key id as associated data. */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: CodecKeyring) {
    if (!keyring.keys.has(keyring.activeKeyId)) {
      throw new Error(`the active key id ${keyring.activeKeyId} is not among the codec keys`);
    }
    for (const [id, key] of keyring.keys) {
      if (key.length !== KEY_BYTES) throw new Error(`codec key ${id} has ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
    }
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncryptedPayload(payload) ? this.decrypt(payload) : payload));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.keys.get(keyId) as Uint8Array;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // Binding the key id means metadata cannot be swapped to steer decryption to another key.
    cipher.setAAD(Buffer.from(keyId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(serialize(payload)), cipher.final()]);
    return {
      metadata: {
        encoding: encoder.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: encoder.encode(keyId),
        [CIPHER_METADATA]: encoder.encode(CIPHER_NAME),
      },
      data: new Uint8Array(Buffer.concat([iv, sealed, cipher.getAuthTag()])),
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyId = metadataText(payload, KEY_ID_METADATA) ?? '';
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        keyId,
        `payload was encrypted with key id "${keyId}", which is not in AIRLOCK_CODEC_KEYS: add that key to decrypt it`,
      );
    }
    const bytes = Buffer.from(payload.data ?? new Uint8Array());
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(keyId, 'encrypted payload is too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      return deserialize(plain);
    } catch (err) {
      throw new PayloadDecryptionError(keyId, `payload encrypted with key id "${keyId}" failed authentication`, {
        cause: err,
      });
    }
  }
}
