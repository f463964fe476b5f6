import { z } from 'zod';
import { LANGUAGES } from './action.js';
import { CallbackPolicySchema } from './callback.js';
import { CredentialPolicySchema } from './credentials.js';
import { NetworkPolicySchema } from './network.js';
import { RiskLevelSchema } from './risk.js';
import { IsolationPolicySchema, LimitBoundsSchema } from './sandbox-policy.js';
import { PolicySignerSchema } from './signed-decision.js';

export const GateModeSchema = z.enum(['auto', 'human', 'deny']);
export type GateMode = z.infer<typeof GateModeSchema>;

/** Channels a pending approval can be announced on (the CLI and API are pulled, not pushed). */
export const NOTIFY_CHANNELS = ['slack', 'webhook'] as const;
export const NotifyChannelSchema = z.enum(NOTIFY_CHANNELS);
export type NotifyChannel = z.infer<typeof NotifyChannelSchema>;

/** One rung of an escalation ladder: after `afterMs` without a decision, announce on more channels or to more roles. */
export const EscalationStepSchema = z.object({
  afterMs: z.number().int().positive(),
  channels: z.array(NotifyChannelSchema),
  /** Principals holding one of these roles are named (mentioned) in the escalation. */
  roles: z.array(z.string()),
});
export type EscalationStep = z.infer<typeof EscalationStepSchema>;

/** What happens to an action of one risk level. */
export const LevelGateSchema = z.object({
  mode: GateModeSchema,
  /** Distinct authorised approvers needed when mode is `human`. */
  quorum: z.number().int().min(1).max(10),
  /** Roles allowed to decide at this level; absent or empty means any known principal. */
  roles: z.array(z.string()).optional(),
  /** How long a human wait lasts before the policy denies it (`timed_out`). */
  timeoutMs: z.number().int().positive().optional(),
  /** Channels told as soon as the wait starts. */
  notify: z.array(NotifyChannelSchema).optional(),
  /** Steps taken while nobody decides, in order of `afterMs`; each must come before the timeout. */
  escalation: z.array(EscalationStepSchema).optional(),
});
export type LevelGate = z.infer<typeof LevelGateSchema>;

/** Someone who may act through Airlock's channels. */
export const PrincipalSchema = z.object({
  id: z.string(),
  roles: z.array(z.string()),
  /** Slack user id (U…) so Slack clicks map to this principal. */
  slackUserId: z.string().optional(),
});
export type Principal = z.infer<typeof PrincipalSchema>;

/** A risk rule in data form: the pattern as source text, so it can travel through workflow history. */
export const RiskRuleDataSchema = z.object({
  id: z.string(),
  description: z.string(),
  languages: z.union([z.literal('any'), z.array(z.enum(LANGUAGES))]),
  pattern: z.string(),
  flags: z.string(),
  score: z.number(),
  level: RiskLevelSchema,
});
export type RiskRuleData = z.infer<typeof RiskRuleDataSchema>;

/** A rule of the syntax analyser as data: the analyser decides when it applies, the pinned policy how much it weighs. */
export const AnalysisRuleDataSchema = z.object({
  id: z.string(),
  description: z.string(),
  level: RiskLevelSchema,
  score: z.number(),
});
export type AnalysisRuleData = z.infer<typeof AnalysisRuleDataSchema>;

/** Requested limits above these raise an action's risk (they still have to stay within `limitBounds`). */
export const LimitThresholdsSchema = z
  .object({ timeoutSec: z.number(), memoryMb: z.number(), cpus: z.number(), pids: z.number(), outputBytes: z.number() })
  .partial();
export type LimitThresholds = z.infer<typeof LimitThresholdsSchema>;

/**
 * Everything the syntax analyser reads from the policy, pinned with the run: the rule table, the safe lists, the
 * limit thresholds and the analysis budget. A deploy that changes the built-in defaults changes new runs only.
 */
export const AnalysisPolicySchema = z.object({
  rules: z.array(AnalysisRuleDataSchema),
  safe: z.object({ python: z.array(z.string()), node: z.array(z.string()), bash: z.array(z.string()) }),
  limitThresholds: LimitThresholdsSchema,
  /**
   * Parser steps one action's code may take before it is not analysable (policy/analysis/parse-budget.ts); a
   * snapshot pinned before the budget existed gets the built-in default.
   */
  parseBudget: z.number().int().positive().optional(),
});
export type AnalysisPolicy = z.infer<typeof AnalysisPolicySchema>;

export const LevelThresholdsSchema = z.object({ medium: z.number(), high: z.number() });
export type LevelThresholds = z.infer<typeof LevelThresholdsSchema>;

/** Where the push channels deliver; secrets stay in the environment, never in the policy. */
export const ChannelTargetsSchema = z.object({
  slack: z.object({ channel: z.string() }).optional(),
  webhook: z.object({ url: z.string() }).optional(),
});
export type ChannelTargets = z.infer<typeof ChannelTargetsSchema>;

/**
 * The policy a run pins when it starts: loaded by an activity, so it is recorded in history and a change to
 * the policy affects only runs started after it. Fields after `approvers` came with the policy file; a snapshot
 * without them behaves as before (built-in rules, anyone but the requester may decide).
 */
export const PolicySnapshotSchema = z.object({
  /** sha256 of the policy file (or of the built-in policy's canonical content). */
  version: z.string(),
  gates: z.record(RiskLevelSchema, LevelGateSchema),
  /** Principals allowed to approve; null means anyone except the requester and the policy itself. */
  approvers: z.array(z.string()).nullable(),
  /** Known principals; when present, only they may decide, and only with a role the level allows. */
  principals: z.array(PrincipalSchema).optional(),
  rules: z.array(RiskRuleDataSchema).optional(),
  /** The syntax analyser's data; a snapshot without it was pinned before the analyser and is scored by `rules` alone. */
  analysis: AnalysisPolicySchema.optional(),
  thresholds: LevelThresholdsSchema.optional(),
  channels: ChannelTargetsSchema.optional(),
  /** Hosts a run's callback URL may name; absent: runs may have no callback URL. */
  callbacks: CallbackPolicySchema.optional(),
  /** Where the policy came from (a file path, or `built-in`), for messages only. */
  source: z.string().optional(),
  /** Network denylist and host cap; policy/network-risk.ts's defaults when absent. */
  network: NetworkPolicySchema.optional(),
  /** Secrets bound to destinations and how the egress proxy applies them; none when absent. */
  credentials: CredentialPolicySchema.optional(),
  /** When isolation is forced to `strong`, and what to do without gVisor; DEFAULT_ISOLATION_POLICY when absent. */
  isolation: IsolationPolicySchema.optional(),
  /** Highest limits an action may ask for; the schema's maxima when absent. */
  limitBounds: LimitBoundsSchema.optional(),
  /**
   * Public keys whose signatures make a human decision count. Absent or empty: no human decision can count (only
   * the policy's own). Pinned with the run, so rotating keys never breaks runs already going.
   */
  signers: z.array(PolicySignerSchema).optional(),
});
export type PolicySnapshot = z.infer<typeof PolicySnapshotSchema>;
