/**
 * The signature a human decision carries: the deciding service (the Airlock API, which authenticated the person)
 * signs a canonical encoding of the decision with its Ed25519 key, and the workflow checks it against the public
 * keys of the policy it pinned. Pure: imports only zod, so the workflow, the server and the audit share it.
 */
import { z } from 'zod';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** A signer's key id: the first 16 hex digits of the sha256 of its raw public key. */
export const SignerKeyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'a signer key id is 16 lower-case hex digits');

/** What the deciding service adds to a decision; every field is covered by the signature. */
export const DecisionSignatureSchema = z
  .object({
    keyId: SignerKeyIdSchema,
    /** The run's first execution id (stable across continue-as-new): a signature never carries over to a new run under the same id. */
    executionId: z.string().min(1).max(100),
    /** sha256 of everything the action will run (see workflows/action-digest.ts), as shown to the reviewer. */
    contentSha256: z.string().regex(HEX_SHA256, 'contentSha256 is 64 lower-case hex digits'),
    /** When the deciding service issued the decision (ISO-8601, UTC). */
    issuedAt: z.iso.datetime({ message: 'issuedAt must be an ISO-8601 UTC time' }),
    /** Ed25519 signature, 64 bytes as hex. */
    signature: z.string().regex(/^[0-9a-f]{128}$/, 'signature is 128 lower-case hex digits (64 bytes)'),
  })
  .strict();
export type DecisionSignature = z.infer<typeof DecisionSignatureSchema>;

/** A public key a policy trusts to sign decisions. */
export const PolicySignerSchema = z.object({
  keyId: SignerKeyIdSchema,
  /** Raw 32-byte Ed25519 public key as hex. */
  publicKey: z.string().regex(/^[0-9a-f]{64}$/),
  /** A label for messages and the audit (`deciding-service`, `api-2027`). */
  name: z.string(),
});
export type PolicySigner = z.infer<typeof PolicySignerSchema>;
