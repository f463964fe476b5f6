/**
 * Decrypts the payloads inside a fetched workflow history. `fetchHistory` returns the history as stored, so with
 * the codec on, every input, result and message argument is ciphertext until it passes through here.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { isEncryptedPayload } from '../platform/payload-codec.js';

function looksLikePayload(value: object): value is Payload {
  const candidate = value as { metadata?: unknown; data?: unknown };
  return typeof candidate.metadata === 'object' && candidate.metadata !== null && 'data' in candidate;
}

function collectEncrypted(value: unknown, found: Payload[], seen: Set<object>): void {
  if (typeof value !== 'object' || value === null || seen.has(value) || ArrayBuffer.isView(value)) return;
  seen.add(value);
  if (looksLikePayload(value)) {
    if (isEncryptedPayload(value)) found.push(value);
    return;
  }
  for (const child of Object.values(value)) collectEncrypted(child, found, seen);
}

/** How many payloads in `history` are still encrypted (e.g. read without the keys). */
export function countEncryptedPayloads(history: object): number {
  const encrypted: Payload[] = [];
  collectEncrypted(history, encrypted, new Set());
  return encrypted.length;
}

/**
 * Replaces, in place, every encrypted payload found anywhere in `history` with its plaintext; returns how many
 * were decrypted. Payloads no codec wrote are left alone. Headers are walked too (they are payloads as well).
 */
export async function decodeHistoryPayloads(history: object, codecs: readonly PayloadCodec[]): Promise<number> {
  if (codecs.length === 0) return 0;
  const encrypted: Payload[] = [];
  collectEncrypted(history, encrypted, new Set());
  if (encrypted.length === 0) return 0;
  // Codecs run in reverse order on decode, as the SDK does.
  let decoded: Payload[] = encrypted;
  for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
  encrypted.forEach((payload, index) => {
    const plain = decoded[index] as Payload;
    payload.metadata = plain.metadata;
    payload.data = plain.data;
  });
  return encrypted.length;
}
