/**
 * Canonical encoding and Ed25519 verification of signed human decisions. Runs inside the workflow sandbox, so it
 * is pure and synchronous: @noble/ed25519 with @noble/hashes' sha512, no Node built-ins, no WebCrypto, no
 * randomness. The deciding service signs with the same encoding (server/decision-signer.ts).
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { DecisionKind } from '../schemas/decision.js';
import type { PolicySigner } from '../schemas/signed-decision.js';

// Verification must not reach for WebCrypto (absent in the workflow sandbox, and asynchronous).
ed.hashes.sha512 = sha512;

/** Bump when the encoding changes; a signature made for another encoding then fails to verify. */
const SIGNATURE_DOMAIN = 'airlock-decision/v1';

/** Every field the signature covers. */
export interface SignedDecisionFields {
  /** The workflow id. */
  runId: string;
  /** The run's first execution id. */
  executionId: string;
  actionId: string;
  contentSha256: string;
  decision: DecisionKind;
  /** Who decided: the principal the deciding service authenticated. */
  principal: string;
  channel: string;
  reason?: string | undefined;
  issuedAt: string;
  keyId: string;
}

/** The exact bytes signed: a JSON array (fixed order, no keys), so every implementation encodes it the same way. */
export function canonicalDecisionBytes(fields: SignedDecisionFields): Uint8Array {
  return utf8ToBytes(
    JSON.stringify([
      SIGNATURE_DOMAIN,
      fields.runId,
      fields.executionId,
      fields.actionId,
      fields.contentSha256,
      fields.decision,
      fields.principal,
      fields.channel,
      fields.reason ?? null,
      fields.issuedAt,
      fields.keyId,
    ]),
  );
}

/** True when `signatureHex` is `signer`'s valid signature over the fields; false for anything malformed. */
export function verifyDecisionSignature(fields: SignedDecisionFields, signatureHex: string, signer: PolicySigner): boolean {
  try {
    return ed.verify(hexToBytes(signatureHex), canonicalDecisionBytes(fields), hexToBytes(signer.publicKey));
  } catch {
    return false;
  }
}

/** Signs the fields with a 32-byte Ed25519 secret key; returns the signature as hex. Used by the deciding service and tests. */
export function signDecisionFields(fields: SignedDecisionFields, secretKey: Uint8Array): string {
  const signature = ed.sign(canonicalDecisionBytes(fields), secretKey);
  return Array.from(signature, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The raw public key (hex) of a 32-byte secret key. */
export function publicKeyHexOf(secretKey: Uint8Array): string {
  return Array.from(ed.getPublicKey(secretKey), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
