import { z } from 'zod';
import { AllowEntrySchema } from './network.js';
import { RiskLevelSchema } from './risk.js';

/**
 * Credentials an action may use without ever holding them: the policy binds each secret (by name) to destinations
 * and to the way it is applied to a request; the egress proxy adds it on the way out. Only names, destinations and
 * the way of applying ever appear here: a secret's value never enters a schema, a workflow or a record.
 */

/** Most secrets one action may ask for. */
export const MAX_ACTION_CREDENTIALS = 8;

/** A secret's name: lower-case letters, digits, `-` and `_`, starting with a letter (also an env-var suffix). */
export const SecretNameSchema = z
  .string({ error: 'a secret name must be a string' })
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'a secret name is 1-64 characters: lower-case letters, digits, - and _, starting with a letter');

/** The names an action asks for; de-duplicated, at most MAX_ACTION_CREDENTIALS. */
export const ActionCredentialsSchema = z
  .array(SecretNameSchema)
  .min(1, 'credentials must name at least one secret (leave it out for none)')
  .max(MAX_ACTION_CREDENTIALS, `an action may use at most ${MAX_ACTION_CREDENTIALS} secrets`)
  .transform((names) => [...new Set(names)]);

const HeaderNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, 'a header name is a token of letters, digits and !#$%&\'*+.^_`|~-')
  .transform((name) => name.toLowerCase())
  .refine((name) => !['host', 'content-length', 'transfer-encoding', 'connection', 'proxy-authorization'].includes(name), {
    message: 'that header cannot carry a credential',
  });

/**
 * How a secret is applied to a request. `bearer` (the default): `Authorization: Bearer <value>`; `header`: the
 * value (after `prefix`) in the named header; `query`: the value as the named query parameter.
 */
export const CredentialApplySchema = z.discriminatedUnion('as', [
  z.object({ as: z.literal('bearer') }).strict(),
  z.object({ as: z.literal('header'), header: HeaderNameSchema, prefix: z.string().max(32).regex(/^[\x20-\x7e]*$/).optional() }).strict(),
  z.object({ as: z.literal('query'), param: z.string().regex(/^[\w.-]{1,64}$/, 'a query parameter name is letters, digits, _ . and -') }).strict(),
]);
export type CredentialApply = z.infer<typeof CredentialApplySchema>;

/** One secret in the policy: where it may go and how it is applied there. */
export const CredentialBindingSchema = z
  .object({
    /** Allowlist syntax (`host:port`, `*.domain:port`, ...): the only destinations that ever receive the value. */
    destinations: z.array(AllowEntrySchema).min(1, 'a secret must be bound to at least one destination').max(16),
    apply: CredentialApplySchema.default({ as: 'bearer' }),
  })
  .strict();
export type CredentialBinding = z.infer<typeof CredentialBindingSchema>;

/** The policy's `credentials` section. */
export const CredentialPolicySchema = z
  .object({
    /** The level an action that uses any secret is raised to at least; `medium` when absent (a human looks). */
    risk: RiskLevelSchema.optional(),
    secrets: z.record(SecretNameSchema, CredentialBindingSchema).default({}),
  })
  .strict();
export type CredentialPolicy = z.infer<typeof CredentialPolicySchema>;

/** What a reviewer sees and the record keeps: which secret the action uses, for which of its destinations. */
export const CredentialUseSchema = z.object({
  name: SecretNameSchema,
  /** Canonical allowlist entries that get the secret: the binding's destinations that the action also lists. */
  hosts: z.array(z.string()),
  /** `bearer`, `header <name>` or `query <name>`: how it is applied (never the value). */
  applied: z.string(),
});
export type CredentialUse = z.infer<typeof CredentialUseSchema>;

/** What the sandbox worker is told: names, destinations and how; it reads the values from its own store. */
export const ExecutionCredentialSchema = z.object({
  name: SecretNameSchema,
  destinations: z.array(z.string()).min(1),
  apply: CredentialApplySchema,
});
export type ExecutionCredential = z.infer<typeof ExecutionCredentialSchema>;

/** Where the sandbox found a secret's value in the output and masked it. */
export const MaskedSecretSchema = z.object({
  name: SecretNameSchema,
  /** `stdout`, `stderr` or the output file's path. */
  where: z.string(),
  occurrences: z.number().int(),
});
export type MaskedSecret = z.infer<typeof MaskedSecretSchema>;

/** The text that replaces a secret's value in output. */
export function secretMask(name: string): string {
  return `[secret:${name} masked]`;
}

/** How a binding applies its secret, in words (for reviewers and the record). */
export function describeApply(apply: CredentialApply): string {
  switch (apply.as) {
    case 'bearer':
      return 'Authorization: Bearer';
    case 'header':
      return `header ${apply.header}`;
    case 'query':
      return `query parameter ${apply.param}`;
  }
}
