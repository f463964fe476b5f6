import { z } from 'zod';
import { CredentialUseSchema } from './credentials.js';
import { ActionInputSchema, ActionStatusSchema, IsolationLevelSchema, LanguageSchema, ResolvedLimitsSchema } from './action.js';
import { CallbackUrlSchema } from './callback.js';
import { DecisionRecordSchema } from './decision.js';
import { ExecutionResultSchema } from './execution.js';
import { NotificationRecordSchema } from './notification.js';
import { PolicySnapshotSchema } from './policy.js';
import { RiskAssessmentSchema, RiskLevelSchema } from './risk.js';

export const RUN_STATUSES = ['running', 'awaiting_approval', 'completed', 'failed', 'closed'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const DEFAULT_APPROVAL_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 24 * 3_600_000;

export const IdentitySchema = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[\w.@:+-]+$/, 'may contain letters, digits and . _ @ : + - only');

export const ActionStateSchema = z.object({
  actionId: z.string(),
  language: LanguageSchema,
  task: z.string().optional(),
  code: z.string(),
  codeSha256: z.string().optional(),
  /**
   * sha256 over everything the action will run (language, code, input files, limits, allowlist): what a signed
   * human decision is bound to. See workflows/action-digest.ts.
   */
  contentSha256: z.string().optional(),
  /** The input files placed in /workspace, each with its sha256 (their content stays out of the queryable state). */
  inputFiles: z
    .array(
      z.object({
        path: z.string(),
        sha256: z.string(),
        bytes: z.number().int(),
        /** The beginning of the file's text, for reviewers; `previewTruncated` says whether it is all of it. */
        preview: z.string().optional(),
        previewTruncated: z.boolean().optional(),
      }),
    )
    .optional(),
  /** True in a run's final result when the code was left out to keep the result under Temporal's payload cap. */
  codeOmitted: z.boolean().optional(),
  /** True when the action ran in an earlier execution of a continued-as-new run (kept in compact form). */
  carriedOver: z.boolean().optional(),
  status: ActionStatusSchema,
  submittedAt: z.string(),
  updatedAt: z.string(),
  limits: ResolvedLimitsSchema,
  /** Destinations the action may reach (canonical allowlist entries); absent: no network. */
  network: z.object({ allow: z.array(z.string()) }).optional(),
  /**
   * Secrets the action uses, by name, with the destinations that get each (from the pinned policy's bindings):
   * what a reviewer approves. `hosts` is empty until the action is assessed against the pinned policy.
   */
  credentials: z.array(CredentialUseSchema).optional(),
  /** Isolation the sandbox is asked for: the action's choice, raised to `strong` by the policy for high risk. */
  isolation: IsolationLevelSchema.optional(),
  risk: RiskAssessmentSchema.optional(),
  decisions: z.array(DecisionRecordSchema),
  requiredApprovals: z.number().int(),
  /** ISO time at which an undecided approval wait ends in `timed_out`. */
  approvalDeadline: z.string().optional(),
  result: ExecutionResultSchema.optional(),
  /** Why the action could not run (sandbox error), when it failed without a result. */
  error: z.string().optional(),
  /** Announcements of the pending approval on push channels (Slack, webhook), escalations included. */
  notifications: z.array(NotificationRecordSchema).optional(),
});
export type ActionState = z.infer<typeof ActionStateSchema>;

/**
 * A decision that could not count, with the reason: a decision signal the workflow ignored, or a `decide` update
 * its validator refused, reported back by the deciding service with its signature (then `refusal` is set).
 */
export const IgnoredDecisionSchema = z.object({
  actionId: z.string(),
  approver: z.string(),
  channel: z.string(),
  reason: z.string(),
  at: z.string(),
  /** The decision that was refused (on refused updates). */
  decision: z.enum(['approve', 'deny']).optional(),
  /** The workflow's refusal type (`duplicate_decision`, `past_deadline`, ...): set on refused updates only. */
  refusal: z.string().optional(),
});

/** A continue-as-new run fires after this many history events unless the server suggests it earlier. */
export const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;

/**
 * What a long session hands to its next execution when it continues as new: the pinned policy (so the run keeps its
 * policy version) and the compact record of the finished actions (so numbering and `getRun` carry on).
 */
export const RunCarryOverSchema = z.object({
  policy: PolicySnapshotSchema,
  startedAt: z.string(),
  highestRisk: RiskLevelSchema.optional(),
  ignoredDecisions: z.array(IgnoredDecisionSchema),
  actions: z.array(ActionStateSchema),
});
export type RunCarryOver = z.infer<typeof RunCarryOverSchema>;

/** Input of the agentRun workflow (one object so fields can be added without breaking running runs). */
export const StartRunInputSchema = z
  .object({
    agent: IdentitySchema,
    /** The principal the agent acts for; they may never approve their own actions. */
    requester: IdentitySchema,
    actions: z.array(ActionInputSchema).max(100).default([]),
    /** Close the run once the initial actions are finished (one-shot use). */
    closeWhenDone: z.boolean().default(false),
    /** Overrides the policy's per-level approval timeout for every action of the run (DEFAULT_APPROVAL_TIMEOUT_MS when neither sets one). */
    approvalTimeoutMs: z.number().int().positive().max(30 * 86_400_000).optional(),
    idleTimeoutMs: z.number().int().positive().default(DEFAULT_IDLE_TIMEOUT_MS),
    /** History length after which an idle run continues as new (DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS when absent). */
    continueAsNewAfterEvents: z.number().int().positive().optional(),
    /**
     * Where the run POSTs its events, signed with the deployment's callback secret. Its host must be one the
     * policy lists under `callbacks.allowHosts`.
     */
    callbackUrl: CallbackUrlSchema.optional(),
    /** Set by the workflow itself when it continues as new; never by clients. */
    carryOver: RunCarryOverSchema.optional(),
  })
  .strict();
export type StartRunInput = z.input<typeof StartRunInputSchema>;
export type StartRunConfig = z.output<typeof StartRunInputSchema>;

export const RunStateSchema = z.object({
  runId: z.string(),
  /** The run's first execution id (Temporal run id), stable across continue-as-new; signed decisions name it. */
  executionId: z.string().optional(),
  agent: z.string(),
  requester: z.string(),
  status: RunStatusSchema,
  highestRisk: RiskLevelSchema.optional(),
  closed: z.boolean(),
  policyVersion: z.string().optional(),
  startedAt: z.string(),
  /** Why the run stopped accepting actions (`closed`, `idle`), once it has. */
  closedReason: z.string().optional(),
  actions: z.array(ActionStateSchema),
  /** Decisions sent as signals that could not count (signals cannot be refused), with the reason. */
  ignoredDecisions: z.array(IgnoredDecisionSchema),
  /** The run's callback URL; `refused` says why the pinned policy does not let the run call it (no events are sent). */
  callback: z.object({ url: z.string(), refused: z.string().optional() }).optional(),
});
export type RunState = z.infer<typeof RunStateSchema>;

export const SubmitActionResultSchema = z.object({ actionId: z.string() });
export type SubmitActionResult = z.infer<typeof SubmitActionResultSchema>;
