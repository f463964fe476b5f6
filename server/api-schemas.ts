/** Request and response shapes of the HTTP API; the OpenAPI document is generated from these. */
import { z } from 'zod';
import { ActionInputSchema } from '../schemas/action.js';
import { IdempotencyKeySchema } from '../schemas/idempotency.js';
import { DecisionKindSchema, DecisionOutcomeSchema } from '../schemas/decision.js';
import { RiskLevelSchema } from '../schemas/risk.js';
import { DurationMsSchema } from '../schemas/duration.js';
import { API_ROLES, ApiRoleSchema } from '../platform/api-roles.js';
import { MAX_TOKEN_TTL_MS } from '../platform/token-store.js';
import { IdentitySchema, RunStateSchema, RunStatusSchema, StartRunInputSchema, SubmitActionResultSchema } from '../schemas/run.js';

/** A run started over HTTP: the requester is the token's principal, never a field of the body. */
// carryOver is the workflow's own hand-over to its next execution, never something a caller may send.
export const StartRunRequestSchema = StartRunInputSchema.omit({ requester: true, carryOver: true });
export type StartRunRequest = z.input<typeof StartRunRequestSchema>;

export const StartRunResponseSchema = z.object({ runId: z.string(), requester: z.string() });

/** How long `POST /v1/runs/execute` waits for the result before it answers with the run as it stands. */
export const DEFAULT_EXECUTE_WAIT_MS = 60_000;
export const MAX_EXECUTE_WAIT_MS = 10 * 60_000;

/**
 * A one-shot run over HTTP: the same body as starting a run, with at least one action; the run closes when its
 * actions are done (closeWhenDone is implied).
 */
export const ExecuteRunRequestSchema = StartRunRequestSchema.omit({ closeWhenDone: true })
  .extend({
    actions: z.array(ActionInputSchema).min(1, 'give at least one action to run').max(100),
    /** How long to wait for the result (ms); the answer then has `done: false` and the run goes on. */
    waitMs: z.number().int().min(1).max(MAX_EXECUTE_WAIT_MS).optional(),
  })
  .strict();
export type ExecuteRunRequest = z.input<typeof ExecuteRunRequestSchema>;

export const ExecuteRunResponseSchema = z.object({
  runId: z.string(),
  requester: z.string(),
  /** True when every action was final before the wait ended. */
  done: z.boolean(),
  run: RunStateSchema,
});

export const SubmitActionRequestSchema = ActionInputSchema;
export const SubmitActionResponseSchema = SubmitActionResultSchema;

/** The approver is the token's principal; the channel is `api`. */
export const DecideRequestSchema = z
  .object({
    decision: DecisionKindSchema,
    reason: z.string().max(1_000, 'reason must be at most 1000 characters').optional(),
    /** The action content sha256 the person reviewed: refused (409 content_changed) if the action no longer has it. */
    contentSha256: z.string().regex(/^[0-9a-f]{64}$/, 'contentSha256 is 64 lower-case hex digits').optional(),
    /** Which token-authenticated client this is (`cli` for `airlock approve`); `api` when absent. */
    channel: z.enum(['api', 'cli']).optional(),
  })
  .strict();
export const DecideResponseSchema = DecisionOutcomeSchema;

export const WhoAmIResponseSchema = z.object({
  principal: z.string(),
  roles: z.array(z.string()),
  tokenId: z.string(),
  expiresAt: z.string().optional(),
});

export const RunResponseSchema = RunStateSchema;

export const ListRunsQuerySchema = z
  .object({
    status: RunStatusSchema.optional(),
    agent: IdentitySchema.optional(),
    /** Highest risk level of the run so far. */
    risk: RiskLevelSchema.optional(),
    /** Only runs with an action waiting for a human. */
    pending: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
export type ListRunsQuery = z.infer<typeof ListRunsQuerySchema>;

export const RunSummarySchema = z.object({
  runId: z.string(),
  agent: z.string().optional(),
  status: RunStatusSchema.optional(),
  highestRisk: RiskLevelSchema.optional(),
  awaitingApproval: z.boolean(),
  workflowStatus: z.string(),
  startedAt: z.string(),
  closedAt: z.string().optional(),
});
export const ListRunsResponseSchema = z.object({ runs: z.array(RunSummarySchema) });

export const RunIdParamsSchema = z.object({ runId: z.string().min(1).max(200) });
export const ActionParamsSchema = z.object({ runId: z.string().min(1).max(200), actionId: z.string().min(1).max(50) });

export const API_ERROR_CODES = [
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'invalid_request',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const ErrorResponseSchema = z.object({
  error: z.object({
    code: z.enum(API_ERROR_CODES),
    message: z.string(),
    /** The workflow's refusal type for decisions (self_approval, not_authorised, timed_out, duplicate_decision, ...). */
    reason: z.string().optional(),
  }),
});

/** Optional on the routes that create something: a retried request with the same key returns the first result. */
export const IdempotencyHeadersSchema = z.object({
  'Idempotency-Key': IdempotencyKeySchema.optional().describe(
    'A name for this request, unique per requester: a retry with the same key returns the first result and creates nothing new',
  ),
});

export const ArtifactParamsSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'an artifact is named by the lower-case hex sha256 of its bytes'),
});

/**
 * The run whose outputs the artifact is one of. Agent tokens must name it (a sha256 alone is no capability: it is
 * printed, logged and passed around); reader tokens may leave it out.
 */
export const ArtifactQuerySchema = z.object({ runId: z.string().min(1).max(200).optional() }).strict();

/** An artifact's bytes: as text when they are UTF-8, otherwise base64. */
export const ArtifactResponseSchema = z.object({
  sha256: z.string(),
  bytes: z.number().int(),
  encoding: z.enum(['utf8', 'base64']),
  content: z.string(),
});
export type ArtifactResponse = z.infer<typeof ArtifactResponseSchema>;

/** An admin creates a token for someone: roles default to `agent` (least privilege), expiry to 90 days. */
export const CreateTokenRequestSchema = z
  .object({
    principal: IdentitySchema,
    roles: z.array(ApiRoleSchema).min(1, 'give at least one role').max(API_ROLES.length).optional(),
    /** How long the token lives, as milliseconds or text such as `30d` or `12h`; at most a year. */
    expiresIn: DurationMsSchema.refine((ms) => ms <= MAX_TOKEN_TTL_MS, 'a token lives at most 365d').optional(),
  })
  .strict();
export type CreateTokenRequest = z.infer<typeof CreateTokenRequestSchema>;

/** A token's record as the API shows it: never the secret, never its hash. */
export const TokenInfoSchema = z.object({
  id: z.string(),
  principal: z.string(),
  roles: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
  revokedAt: z.string().optional(),
  createdBy: z.string().optional(),
  status: z.enum(['active', 'expired', 'revoked', 'unknown']),
});
/** The new token is in `token`, shown this once: only its sha256 is stored. */
export const CreateTokenResponseSchema = TokenInfoSchema.extend({ token: z.string() });
export const ListTokensResponseSchema = z.object({ tokens: z.array(TokenInfoSchema) });
export const TokenIdParamsSchema = z.object({ tokenId: z.string().regex(/^[0-9a-f]{12}$/, 'a token id is 12 lower-case hex digits') });
