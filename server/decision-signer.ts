/**
 * The deciding service's signing key. Every human decision the API forwards (CLI, web UI, Slack, API) is signed
 * here after the person was authenticated; the workflow verifies the signature against the public keys of its
 * pinned policy. The private key comes from AIRLOCK_SIGNING_KEY (hex or base64 of 32 bytes) or from
 * `<AIRLOCK_HOME>/signing-key.json`, created on first start with mode 0600 beside `signing-key.pub` (the public key
 * that the shipped policy names).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LOCAL_SIGNING_KEY_PUB } from '../policy/policy-loader.js';
import { signerKeyId } from '../policy/signer-key.js';
import type { DecisionSignature } from '../schemas/signed-decision.js';
import { publicKeyHexOf, signDecisionFields, type SignedDecisionFields } from '../workflows/decision-signature.js';

export const SIGNING_KEY_FILE = 'signing-key.json';

const KeyFileSchema = z.object({
  algorithm: z.literal('ed25519'),
  keyId: z.string(),
  publicKey: z.string().regex(/^[0-9a-f]{64}$/),
  secretKey: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});

/** The signing key cannot be used (bad env value, unreadable file). */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

/** What the service signs: the decision's fields; key id and issue time are the signer's. */
export type DecisionToSign = Omit<SignedDecisionFields, 'keyId' | 'issuedAt'>;

export class DecisionSigner {
  readonly keyId: string;
  readonly publicKey: string;

  private constructor(
    private readonly secretKey: Uint8Array,
    /** Where the key came from, for the start-up log (never the key). */
    readonly source: string,
  ) {
    this.publicKey = publicKeyHexOf(secretKey);
    this.keyId = signerKeyId(this.publicKey);
  }

  /** From a raw 32-byte secret key (tests of the pure parts). */
  static fromSecretKey(secretKey: Uint8Array, source = 'memory'): DecisionSigner {
    if (secretKey.length !== 32) throw new SigningKeyError('an Ed25519 secret key is 32 bytes');
    return new DecisionSigner(Uint8Array.from(secretKey), source);
  }

  /** AIRLOCK_SIGNING_KEY when set, else the key file under `home` (created on first use). */
  static load(options: { home: string; env?: NodeJS.ProcessEnv }): DecisionSigner {
    const fromEnv = (options.env ?? process.env).AIRLOCK_SIGNING_KEY?.trim();
    if (fromEnv) {
      const bytes = /^[0-9a-fA-F]{64}$/.test(fromEnv) ? Buffer.from(fromEnv, 'hex') : Buffer.from(fromEnv, 'base64');
      if (bytes.length !== 32) throw new SigningKeyError('AIRLOCK_SIGNING_KEY must be 32 bytes as hex (64 digits) or base64');
      return new DecisionSigner(new Uint8Array(bytes), 'AIRLOCK_SIGNING_KEY');
    }
    const { file, secretKey } = ensureSigningKey(options.home);
    return new DecisionSigner(secretKey, file);
  }

  /** Signs a decision issued now; the result travels with the decision to the workflow. */
  sign(decision: DecisionToSign, now: Date = new Date()): DecisionSignature {
    const issuedAt = now.toISOString();
    const signature = signDecisionFields({ ...decision, issuedAt, keyId: this.keyId }, this.secretKey);
    return { keyId: this.keyId, executionId: decision.executionId, contentSha256: decision.contentSha256, issuedAt, signature };
  }
}

/**
 * The key file under `home`, created (mode 0600) when missing, and `signing-key.pub` beside it. Safe when several
 * processes of one stack start at once: the first to create the file wins, the others read it.
 */
export function ensureSigningKey(home: string): { file: string; secretKey: Uint8Array; publicKey: string; keyId: string } {
  const file = path.join(home, SIGNING_KEY_FILE);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  const publicKey = publicKeyHexOf(secret);
  const created = { algorithm: 'ed25519', keyId: signerKeyId(publicKey), publicKey, secretKey: secret.toString('hex'), createdAt: new Date().toISOString() };
  try {
    writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new SigningKeyError(`cannot create ${file}: ${(err as Error).message}`, { cause: err });
  }
  const key = readKeyFile(file);
  writePublicKey(home, key.publicKey);
  return { file, secretKey: new Uint8Array(Buffer.from(key.secretKey, 'hex')), publicKey: key.publicKey, keyId: key.keyId };
}

function readKeyFile(file: string): z.infer<typeof KeyFileSchema> {
  // Only the API server's user may read the private key.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  let parsed;
  try {
    parsed = KeyFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new SigningKeyError(`${file} is not valid JSON; remove it to create a new key`, { cause: err });
  }
  if (!parsed.success) throw new SigningKeyError(`${file} is not an Airlock signing key: ${z.prettifyError(parsed.error)}`);
  if (publicKeyHexOf(Buffer.from(parsed.data.secretKey, 'hex')) !== parsed.data.publicKey) {
    throw new SigningKeyError(`${file}: the public key does not belong to the secret key`);
  }
  return parsed.data;
}

function writePublicKey(home: string, publicKey: string): void {
  const file = path.join(home, LOCAL_SIGNING_KEY_PUB);
  try {
    if (readFileSync(file, 'utf8').trim() === publicKey) return;
  } catch {
    // Missing: written below.
  }
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${publicKey}\n`, { mode: 0o644 });
  renameSync(temporary, file);
}
