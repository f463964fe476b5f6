import { z } from 'zod';
import { DecisionSignatureSchema } from './signed-decision.js';

export const DECISION_CHANNELS = ['policy', 'cli', 'api', 'ui', 'slack', 'webhook'] as const;
export const DecisionChannelSchema = z.enum(DECISION_CHANNELS);
export type DecisionChannel = z.infer<typeof DecisionChannelSchema>;

export const DecisionKindSchema = z.enum(['approve', 'deny'], {
  error: (issue) => `decision must be "approve" or "deny", not ${JSON.stringify(issue.input)}`,
});
export type DecisionKind = z.infer<typeof DecisionKindSchema>;

/** The identity the policy itself uses when it decides (auto-approval, critical denial, timeout). */
export const POLICY_PRINCIPAL = 'policy';

export const PrincipalIdSchema = z
  .string({ error: 'approver is required' })
  .trim()
  .min(1, 'approver is required')
  .max(128, 'approver must be at most 128 characters')
  .refine((id) => id !== POLICY_PRINCIPAL, { message: `"${POLICY_PRINCIPAL}" is reserved for the policy itself` });

/** A human's (or a channel's on their behalf) decision on one action. */
export const DecisionInputSchema = z
  .object({
    actionId: z.string().min(1, 'actionId is required'),
    decision: DecisionKindSchema,
    approver: PrincipalIdSchema,
    reason: z.string().max(1_000, 'reason must be at most 1000 characters').optional(),
    channel: DecisionChannelSchema.exclude(['policy']),
    /** Added by the deciding service; optional in the schema only so decisions recorded before signing replay. */
    signature: DecisionSignatureSchema.optional(),
  })
  .strict();
export type DecisionInput = z.infer<typeof DecisionInputSchema>;

/** A decision as recorded in the run: human or automatic. */
export const DecisionRecordSchema = z.object({
  decision: DecisionKindSchema,
  approver: z.string(),
  channel: DecisionChannelSchema,
  reason: z.string().optional(),
  /** ISO-8601 time the workflow accepted the decision. */
  at: z.string(),
  automatic: z.boolean(),
  /** For automatic decisions: the rules and gate that made it. */
  ruleIds: z.array(z.string()).optional(),
  policyVersion: z.string(),
  /** For signed human decisions: the policy signer key that verified, and when the deciding service issued it. */
  signerKeyId: z.string().optional(),
  issuedAt: z.string().optional(),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

/** What `decide` returns: where the action stands after the decision was counted. */
export const DecisionOutcomeSchema = z.object({
  actionId: z.string(),
  status: z.string(),
  approvals: z.number().int(),
  requiredApprovals: z.number().int(),
});
export type DecisionOutcome = z.infer<typeof DecisionOutcomeSchema>;
