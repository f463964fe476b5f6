/**
 * The shape of `airlock.policy.yaml`. Strict objects everywhere: a misspelt key is an error naming the key, not a
 * silently ignored setting.
 */
import { z } from 'zod';
import { LANGUAGES } from './action.js';
import { DurationMsSchema } from './duration.js';
import { CallbackPolicySchema } from './callback.js';
import { CredentialPolicySchema } from './credentials.js';
import { NetworkPolicySchema } from './network.js';
import { IdentitySchema } from './run.js';
import { IsolationPolicySchema, LimitBoundsSchema } from './sandbox-policy.js';
import { NotifyChannelSchema } from './policy.js';
import { RiskLevelSchema } from './risk.js';

const RoleSchema = z.string().regex(/^[\w.-]+$/, 'a role may contain letters, digits and . _ - only');

export const PolicyFileRuleSchema = z
  .object({
    id: z.string().regex(/^[\w.-]+$/, 'a rule id may contain letters, digits and . _ - only'),
    description: z.string().min(1),
    languages: z.union([z.literal('any'), z.array(z.enum(LANGUAGES)).min(1)]).default('any'),
    pattern: z.string().min(1).refine(
      (source) => {
        try {
          new RegExp(source, 'gm');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a valid regular expression' },
    ),
    /** Extra flags (i, s, u); g and m are always on so every match is reported with its line. */
    flags: z.string().regex(/^[isu]*$/, 'flags may be i, s and u only').default(''),
    score: z.number().min(0).max(1_000),
    level: RiskLevelSchema,
  })
  .strict();
export type PolicyFileRule = z.infer<typeof PolicyFileRuleSchema>;

const SafeListSchema = z.array(z.string().regex(/^[\w.:/@[\]-]+$/, 'a safe entry is a module, a dotted member or a command name')).optional();
const SafeListsSchema = z.object({ python: SafeListSchema, node: SafeListSchema, bash: SafeListSchema }).strict();

/** The largest analysis budget a policy may set: more steps than 1.25 MiB of dense code (the code and input file limits) needs. */
export const MAX_PARSE_BUDGET = 100_000;

/** How much one analyser rule weighs; either field may be left as built in. */
export const PolicyFileAnalysisRuleSchema = z
  .object({ level: RiskLevelSchema.optional(), score: z.number().min(0).max(1_000).optional() })
  .strict()
  .refine((rule) => rule.level !== undefined || rule.score !== undefined, { message: 'give a level, a score or both' });

/** The syntax analyser's settings; the built-in defaults apply to everything left out. */
export const PolicyFileAnalysisSchema = z
  .object({
    /** Replaces the built-in safe list of a language. */
    safe: SafeListsSchema.optional(),
    /** Added to the safe list in force (built-in or `safe`). */
    additionalSafe: SafeListsSchema.optional(),
    /** Level and score of analyser rules, by rule id. */
    rules: z.record(z.string(), PolicyFileAnalysisRuleSchema).optional(),
    /** Requested limits above these raise the risk to at least medium. */
    limitThresholds: z
      .object({ timeoutSec: z.number().positive(), memoryMb: z.number().positive(), cpus: z.number().positive(), pids: z.number().positive(), outputBytes: z.number().positive() })
      .partial()
      .strict()
      .optional(),
    /**
     * The analysis budget of one action, in parser steps: code that needs more is not analysable (at least
     * medium). The upper bound is more than every action within the size limits needs.
     */
    parseBudget: z.number().int('a whole number of parser steps').min(1).max(MAX_PARSE_BUDGET).optional(),
  })
  .strict();
export type PolicyFileAnalysis = z.infer<typeof PolicyFileAnalysisSchema>;

export const PolicyFileEscalationSchema = z
  .object({
    after: DurationMsSchema,
    notify: z.array(NotifyChannelSchema).default([]),
    roles: z.array(RoleSchema).default([]),
  })
  .strict()
  .refine((step) => step.notify.length > 0 || step.roles.length > 0, {
    message: 'an escalation step must notify a channel or a role',
  });

export const PolicyFileLevelSchema = z
  .object({
    mode: z.enum(['auto', 'human', 'deny']),
    roles: z.array(RoleSchema).optional(),
    quorum: z.number().int().min(1).max(10).optional(),
    timeout: DurationMsSchema.optional(),
    notify: z.array(NotifyChannelSchema).optional(),
    escalation: z.array(PolicyFileEscalationSchema).optional(),
  })
  .strict()
  .superRefine((level, ctx) => {
    const timeout = level.timeout;
    if (timeout === undefined) return;
    level.escalation?.forEach((step, index) => {
      if (step.after >= timeout) {
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', index, 'after'],
          message: 'an escalation step must come before the level timeout (after the timeout the action is denied)',
        });
      }
    });
  });
export type PolicyFileLevel = z.infer<typeof PolicyFileLevelSchema>;

export const PolicyFilePrincipalSchema = z
  .object({
    id: IdentitySchema,
    roles: z.array(RoleSchema).default([]),
    slackUserId: z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id looks like U012AB3CD').optional(),
  })
  .strict();

/**
 * A deciding service whose signatures make human decisions count: its public key inline (production), or a file
 * holding it (relative paths are taken from AIRLOCK_HOME, where `airlock up` keeps the local key).
 */
export const PolicyFileSignerSchema = z
  .object({
    name: z.string().regex(/^[\w.-]+$/, 'a signer name may contain letters, digits and . _ - only'),
    publicKey: z.string().optional(),
    publicKeyFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((signer) => (signer.publicKey === undefined) !== (signer.publicKeyFile === undefined), {
    message: 'a signer has either publicKey or publicKeyFile',
  });
export type PolicyFileSigner = z.infer<typeof PolicyFileSignerSchema>;

export const PolicyFileSchema = z
  .object({
    thresholds: z
      .object({ medium: z.number().min(0), high: z.number().min(0) })
      .strict()
      .refine((t) => t.high > t.medium, { message: 'high must be above medium' })
      .optional(),
    principals: z
      .array(PolicyFilePrincipalSchema)
      .refine((list) => new Set(list.map((p) => p.id)).size === list.length, { message: 'principal ids must be unique' })
      .optional(),
    levels: z
      .object({
        low: PolicyFileLevelSchema.optional(),
        medium: PolicyFileLevelSchema.optional(),
        high: PolicyFileLevelSchema.optional(),
        critical: PolicyFileLevelSchema.optional(),
      })
      .strict()
      .optional(),
    channels: z
      .object({
        slack: z.object({ channel: z.string().min(1) }).strict().optional(),
        webhook: z.object({ url: z.url({ protocol: /^https?$/ }) }).strict().optional(),
      })
      .strict()
      .optional(),
    /** Where runs may push their events (the agent service's callback hosts); no callbacks when absent. */
    callbacks: CallbackPolicySchema.strict().optional(),
    /** Sandbox settings owned by the sandbox layer; their defaults apply when absent. */
    network: NetworkPolicySchema.strict().optional(),
    /** Secrets the egress proxy may add, each bound to destinations (docs/secrets.md). */
    credentials: CredentialPolicySchema.optional(),
    isolation: IsolationPolicySchema.strict().optional(),
    limitBounds: LimitBoundsSchema.strict().optional(),
    /** Who may sign human decisions; without signers only the policy itself decides. */
    signers: z
      .array(PolicyFileSignerSchema)
      .refine((list) => new Set(list.map((s) => s.name)).size === list.length, { message: 'signer names must be unique' })
      .optional(),
    /** Replaces the built-in rules when present. */
    rules: z.array(PolicyFileRuleSchema).optional(),
    /** Added to the rules in force (built-in or `rules`). */
    additionalRules: z.array(PolicyFileRuleSchema).optional(),
    /** The syntax analyser: safe lists, rule weights, limit thresholds. */
    analysis: PolicyFileAnalysisSchema.optional(),
  })
  .strict();
export type PolicyFile = z.infer<typeof PolicyFileSchema>;
