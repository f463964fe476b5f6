/**
 * Public keys of decision signers as the policy names them: inline (hex or base64 of the raw 32-byte Ed25519 key)
 * or in a file. The key id is derived from the key itself, so a signature can never name a key id that belongs to
 * another key.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PolicySigner } from '../schemas/signed-decision.js';

/** The raw key as lower-case hex, or undefined when the text is not a 32-byte key in hex or base64. */
export function parsePublicKey(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return trimmed.toLowerCase();
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes.toString('hex');
  }
  return undefined;
}

/** First 16 hex digits of the sha256 of the raw public key. */
export function signerKeyId(publicKeyHex: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyHex, 'hex')).digest('hex').slice(0, 16);
}

export function policySigner(name: string, publicKeyHex: string): PolicySigner {
  return { keyId: signerKeyId(publicKeyHex), publicKey: publicKeyHex, name };
}

/**
 * Reads a public key file; relative paths are taken from AIRLOCK_HOME (where the API server keeps its key).
 * Returns undefined when the file does not exist (yet); throws for a file that holds no key.
 */
export function readPublicKeyFile(file: string, home: string): { publicKey: string | undefined; file: string } {
  const resolved = path.resolve(home, file);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { publicKey: undefined, file: resolved };
    throw err;
  }
  const publicKey = parsePublicKey(text);
  if (!publicKey) throw new Error(`${resolved} does not hold an Ed25519 public key (64 hex digits or base64 of 32 bytes)`);
  return { publicKey, file: resolved };
}
