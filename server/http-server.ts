/**
 * The HTTP API (JSON under /v1, bearer tokens, per-token rate limits) and the Slack interactivity endpoint, on
 * Fastify so requests log through the same pino logger as the rest of Airlock.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AirlockClientError, RunNotFoundError, WaitTimeoutError } from '../client/errors.js';
import { generateRunId } from '../client/run-id.js';
import type { ArtifactReader } from '../client/hydrate-outputs.js';
import { IdempotencyKeySchema } from '../schemas/idempotency.js';
import type { AirlockClient } from '../client/sdk.js';
import type { RunState } from '../schemas/run.js';
import type { CallbackPolicy } from '../schemas/callback.js';
import { callbackUrlRefusal } from '../policy/callback-url.js';
import { ApiError } from './api-error.js';
import {
  ActionParamsSchema,
  ArtifactParamsSchema,
  ArtifactQuerySchema,
  type ArtifactResponse,
  DecideRequestSchema,
  DEFAULT_EXECUTE_WAIT_MS,
  ExecuteRunRequestSchema,
  ListRunsQuerySchema,
  RunIdParamsSchema,
  StartRunRequestSchema,
  SubmitActionRequestSchema,
  CreateTokenRequestSchema,
  TokenIdParamsSchema,
} from './api-schemas.js';
import { createTokenAsAdmin, revokeTokenAsAdmin, tokenInfo, type TokenAdmin } from './token-admin.js';
import { decideThroughWorkflow } from './decide-service.js';
import { registerMcpEndpoint } from './mcp/mcp-endpoint.js';
import { streamRunEvents } from './run-event-stream.js';
import { buildOpenApiDocument } from './openapi.js';
import type { RateLimiter } from './rate-limiter.js';
import { ROUTES, type RouteSpec } from './route-table.js';
import { artifactsOfRun } from './run-artifacts.js';
import { handleSlackInteraction, SIGNATURE_WINDOW_MS } from './slack/interactions-handler.js';
import { ReplayGuard } from './slack/replay-guard.js';
import type { SlackApi } from '../channels/slack/slack-api.js';
import { registerTelemetryRoutes } from './telemetry-routes.js';
import { TOKEN_REPAIR_HINT, TokenFileError, type StoredToken, type TokenStore } from '../platform/token-store.js';
import { hasAnyRole, READ_ROLES, type ApiRole } from '../platform/api-roles.js';
import type { DecisionSigner } from './decision-signer.js';

/** Bodies larger than this are refused before parsing (code is capped at 256 KiB, plus JSON overhead). */
const BODY_LIMIT_BYTES = 1024 * 1024;

export type ApiClient = Pick<AirlockClient, 'startRun' | 'runAndWait' | 'submitAction' | 'getRun' | 'listRuns' | 'deliverSignedDecision'>;

export interface HttpServerDeps {
  client: ApiClient;
  tokens: TokenStore;
  /** The deciding service's key: every decision this server forwards is signed with it. */
  signer: Pick<DecisionSigner, 'sign'>;
  rateLimiter: RateLimiter;
  logger: Logger;
  /** Where full outputs and output files are read from (the sandbox workers' store). */
  artifacts: ArtifactReader;
  /** The current policy's principal ids (tokens are made only for them), or undefined when it lists none. */
  policyPrincipals?: () => readonly string[] | undefined;
  /** The callback hosts of the policy in force: a run's callback URL is checked at start (the run checks again). */
  callbackPolicy?: () => CallbackPolicy | undefined;
  /** Slack interactivity; the route answers 404 when absent. */
  slack?: { signingSecret: string; api: SlackApi; principalForSlackUser: (slackUserId: string) => string | undefined };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: string;
    /** The token's record (roles, expiry), set by authentication. */
    token?: StoredToken;
  }
}

/** A run's callback URL the policy does not allow is refused before anything starts. */
function refuseCallbackUrl(body: { callbackUrl?: string | undefined }, policy: CallbackPolicy | undefined): void {
  if (body.callbackUrl === undefined) return;
  const refused = callbackUrlRefusal(body.callbackUrl, policy);
  if (refused) throw new ApiError('invalid_request', `invalid run: callbackUrl: ${refused}`, 'callback_url');
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ApiError('invalid_request', `invalid ${what}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  return parsed.data;
}

/** Text stays text; anything that is not valid UTF-8 travels as base64. */
function artifactBody(sha256: string, bytes: Buffer): ArtifactResponse {
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    return { sha256, bytes: bytes.length, encoding: 'utf8', content: text.decode(bytes) };
  } catch {
    return { sha256, bytes: bytes.length, encoding: 'base64', content: bytes.toString('base64') };
  }
}

/** The `Idempotency-Key` header, checked like every other input; undefined when the request has none. */
function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  return parse(IdempotencyKeySchema, Array.isArray(header) ? header.join(',') : header, 'Idempotency-Key header');
}

export function buildHttpServer(deps: HttpServerDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, bodyLimit: BODY_LIMIT_BYTES });
  // First, so the request spans cover every route: tracing, /metrics, and the codec endpoint for API token holders.
  registerTelemetryRoutes(app, {
    authorizeCodec: (request) => {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const stored = token !== undefined ? deps.tokens.principalFor(token) : undefined;
      // Decrypting payloads reads every run: not for agent tokens.
      return stored !== undefined && hasAnyRole(stored.roles, READ_ROLES);
    },
  });
  const openApi = buildOpenApiDocument();
  const replayGuard = new ReplayGuard(SIGNATURE_WINDOW_MS);

  // Slack signs the exact bytes it sent, so the form body is kept as text and parsed only after verification.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError('unauthenticated', 'missing bearer token: send Authorization: Bearer <token>');
    const status = deps.tokens.check(match[1]!);
    if (!status.ok) {
      throw new ApiError('unauthenticated', status.refusal === 'unknown' ? 'the bearer token is not valid' : `the bearer token has been ${status.refusal}`, `token_${status.refusal}`);
    }
    const stored = status.record;
    const verdict = deps.rateLimiter.take(stored.id);
    if (!verdict.allowed) {
      void reply.header('retry-after', String(verdict.retryAfterSec));
      throw new ApiError('rate_limited', `rate limit reached for this token; retry in ${verdict.retryAfterSec} s`);
    }
    request.principal = stored.principal;
    request.token = stored;
  };

  /** Refuses a token without one of `roles` for `operation` (a route, or an MCP tool acting as that route). */
  const requireRole = (request: FastifyRequest, operation: string, roles: readonly ApiRole[]): void => {
    const held = request.token?.roles ?? [];
    if (!hasAnyRole(held, roles)) {
      const has = held.length > 0 ? `roles ${held.join(', ')}` : 'no roles (it was created before roles existed: create a new one)';
      throw new ApiError('forbidden', `${operation} needs the role ${roles.join(' or ')}; this token has ${has}`, 'role');
    }
  };

  /** Refuses a token whose roles the route does not allow (after authentication, before any work). */
  const authorize = (spec: RouteSpec) => async (request: FastifyRequest): Promise<void> => requireRole(request, spec.operationId, spec.roles ?? []);

  const route = (spec: RouteSpec, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => {
    app.route({
      method: spec.method,
      url: spec.url,
      ...(spec.auth === 'bearer' ? { onRequest: [authenticate, authorize(spec)] } : {}),
      handler: async (request, reply) => {
        const body = await handler(request, reply);
        if (!reply.sent) void reply.code(spec.success.status);
        return body;
      },
    });
  };

  route(ROUTES.openapi, async () => openApi);

  registerMcpEndpoint(app, {
    authenticate,
    // The tools act as the routes they mirror, with the same roles: an MCP session is no way around them.
    portFor: (request) => ({
      startRun: async (body, options = {}) => {
        requireRole(request, ROUTES.startRun.operationId, ROUTES.startRun.roles);
        const parsed = parse(StartRunRequestSchema, body, 'run');
        refuseCallbackUrl(parsed, deps.callbackPolicy?.());
        return deps.client.startRun({ ...parsed, requester: request.principal! }, options);
      },
      getRun: (runId) => readableRun(request, runId),
      listRuns: async (query = {}) => {
        requireRole(request, ROUTES.listRuns.operationId, ROUTES.listRuns.roles);
        return deps.client.listRuns({
          ...(query.status ? { status: query.status } : {}),
          ...(query.pending === 'true' ? { pendingOnly: true } : {}),
          limit: query.limit ?? 50,
        });
      },
      getArtifact: async (sha256, runId) => {
        requireRole(request, ROUTES.getArtifact.operationId, ROUTES.getArtifact.roles);
        return readableArtifact(request, sha256, runId);
      },
    }),
  });

  route(ROUTES.startRun, async (request) => {
    const body = parse(StartRunRequestSchema, request.body, 'run');
    refuseCallbackUrl(body, deps.callbackPolicy?.());
    const requester = request.principal!;
    const idempotencyKey = idempotencyKeyOf(request);
    const { runId } = await deps.client.startRun({ ...body, requester }, idempotencyKey !== undefined ? { idempotencyKey } : {});
    return { runId, requester };
  });

  // Starting a run and waiting for it, as one request: the same checks as startRun (the requester is the token's
  // principal, a keyed run id is derived from it), and the answer is only ever the run this request started.
  route(ROUTES.executeRun, async (request) => {
    const { waitMs, ...body } = parse(ExecuteRunRequestSchema, request.body, 'run');
    refuseCallbackUrl(body, deps.callbackPolicy?.());
    const requester = request.principal!;
    const idempotencyKey = idempotencyKeyOf(request);
    const named = idempotencyKey !== undefined ? { idempotencyKey } : { runId: generateRunId() };
    try {
      const run = await deps.client.runAndWait({ ...body, requester }, { ...named, timeoutMs: waitMs ?? DEFAULT_EXECUTE_WAIT_MS });
      return { runId: run.runId, requester, done: true, run };
    } catch (err) {
      if (!(err instanceof WaitTimeoutError)) throw err;
      return { runId: err.runId, requester, done: false, run: await deps.client.getRun(err.runId) };
    }
  });

  route(ROUTES.listRuns, async (request) => {
    const query = parse(ListRunsQuerySchema, request.query, 'query');
    const limit = query.limit ?? 50;
    const runs = await deps.client.listRuns({
      ...(query.status ? { status: query.status } : {}),
      ...(query.agent ? { agent: query.agent } : {}),
      ...(query.risk ? { risk: query.risk } : {}),
      ...(query.pending === 'true' ? { pendingOnly: true } : {}),
      limit,
    });
    return { runs };
  });

  route(ROUTES.whoami, async (request) => {
    const token = request.token!;
    return { principal: token.principal, roles: token.roles, tokenId: token.id, ...(token.expiresAt ? { expiresAt: token.expiresAt } : {}) };
  });

  const adminOf = (request: FastifyRequest): TokenAdmin => ({ principal: request.principal!, tokenId: request.token!.id });

  route(ROUTES.createToken, async (request) => {
    const body = parse(CreateTokenRequestSchema, request.body, 'token request');
    const created = createTokenAsAdmin(deps.tokens, adminOf(request), body, deps.policyPrincipals?.());
    request.log.info({ by: request.principal, byTokenId: request.token?.id, tokenId: created.id, principal: created.principal, roles: created.roles, expiresAt: created.expiresAt }, 'token created');
    return created;
  });

  route(ROUTES.listTokens, async () => ({ tokens: deps.tokens.list().map((record) => tokenInfo(record)) }));

  route(ROUTES.revokeToken, async (request) => {
    const { tokenId } = parse(TokenIdParamsSchema, request.params, 'path');
    const revoked = revokeTokenAsAdmin(deps.tokens, adminOf(request), tokenId);
    request.log.info({ by: request.principal, byTokenId: request.token?.id, tokenId, principal: revoked.principal, roles: revoked.roles }, 'token revoked');
    return revoked;
  });

  route(ROUTES.getRun, async (request) => {
    const { runId } = parse(RunIdParamsSchema, request.params, 'path');
    return readableRun(request, runId);
  });

  /** The run, when the token may read it: an agent reads its own runs only (another agent's code and outputs are not its business). */
  async function readableRun(request: FastifyRequest, runId: string): Promise<RunState> {
    const run = await deps.client.getRun(runId);
    if (!hasAnyRole(request.token!.roles, READ_ROLES) && run.requester !== request.principal) {
      throw new ApiError('forbidden', `run ${runId} belongs to ${run.requester}; an agent token reads its own runs only`, 'role');
    }
    return run;
  }

  /**
   * An artifact, authorised like the run that produced it. A sha256 is printed, logged and passed around, so it is
   * no capability: an agent token names one of its own runs, and that run must list the sha256 among its outputs.
   * Readers (viewer, approver, admin) read every run, so they may leave the run out.
   */
  async function readableArtifact(request: FastifyRequest, sha256: string, runId: string | undefined): Promise<ArtifactResponse> {
    if (runId === undefined && !hasAnyRole(request.token!.roles, READ_ROLES)) {
      throw new ApiError('forbidden', `an agent token reads an artifact through the run that produced it: add ?runId=<one of your runs>`, 'role');
    }
    if (runId !== undefined) {
      const run = await readableRun(request, runId);
      if (!artifactsOfRun(run).has(sha256)) throw new ApiError('not_found', `run ${runId} produced no artifact ${sha256}`);
    }
    const bytes = await deps.artifacts.get(sha256);
    if (!bytes) throw new ApiError('not_found', `no artifact ${sha256} in this deployment's artifact store`);
    return artifactBody(sha256, bytes);
  }

  route(ROUTES.getArtifact, async (request) => {
    const { sha256 } = parse(ArtifactParamsSchema, request.params, 'path');
    const { runId } = parse(ArtifactQuerySchema, request.query, 'query');
    return readableArtifact(request, sha256, runId);
  });

  route(ROUTES.runEvents, async (request, reply) => {
    const { runId } = parse(RunIdParamsSchema, request.params, 'path');
    // The same rule as getRun, checked before the stream starts.
    await readableRun(request, runId);
    await streamRunEvents({ request, reply, runId, getRun: (id) => deps.client.getRun(id) });
  });

  route(ROUTES.submitAction, async (request) => {
    const { runId } = parse(RunIdParamsSchema, request.params, 'path');
    const action = parse(SubmitActionRequestSchema, request.body, 'action');
    const run = await deps.client.getRun(runId);
    if (run.requester !== request.principal) {
      throw new ApiError('forbidden', `run ${runId} belongs to ${run.requester}; only its requester may submit actions`);
    }
    const idempotencyKey = idempotencyKeyOf(request);
    return deps.client.submitAction(runId, action, idempotencyKey !== undefined ? { idempotencyKey } : {});
  });

  route(ROUTES.decide, async (request) => {
    const { runId, actionId } = parse(ActionParamsSchema, request.params, 'path');
    const { contentSha256, channel, ...body } = parse(DecideRequestSchema, request.body, 'decision');
    const outcome = await decideThroughWorkflow(
      { client: deps.client, signer: deps.signer, logger: request.log },
      {
        runId,
        actionId,
        ...body,
        approver: request.principal!,
        channel: channel ?? 'api',
        ...(contentSha256 ? { expectedContentSha256: contentSha256 } : {}),
      },
    );
    request.log.info({ runId, actionId, approver: request.principal, tokenId: request.token?.id, decision: body.decision, status: outcome.status }, 'API decision');
    return outcome;
  });

  route(ROUTES.slackInteractions, async (request, reply) => {
    if (!deps.slack) throw new ApiError('not_found', 'Slack is not configured on this server (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)');
    const outcome = await handleSlackInteraction(
      { ...deps.slack, decider: { client: deps.client, signer: deps.signer, logger: request.log }, replayGuard, logger: request.log as Logger },
      {
        rawBody: typeof request.body === 'string' ? request.body : '',
        signature: headerValue(request.headers['x-slack-signature']),
        timestamp: headerValue(request.headers['x-slack-request-timestamp']),
      },
    );
    if (outcome.status !== 200) {
      throw new ApiError(outcome.status === 401 ? 'unauthenticated' : 'invalid_request', outcome.message);
    }
    void reply.code(200);
    return {};
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(new ApiError('not_found', `no route ${request.method} ${request.url}`).toBody());
  });

  // A damaged token file fails every authenticated request: said once per distinct problem, not once per request.
  const tokenFileProblems = new Set<string>();
  app.setErrorHandler((err, request, reply) => {
    const apiError = toApiError(err);
    if (err instanceof TokenFileError) {
      if (!tokenFileProblems.has(err.message)) request.log.error({ err }, 'the token store is unusable; API requests that need a token answer 503 until it is repaired');
      tokenFileProblems.add(err.message);
    } else if (apiError.status >= 500) request.log.error({ err }, 'request failed');
    void reply.code(apiError.status).send(apiError.toBody());
  });

  return app;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Maps anything thrown to the JSON error the client sees; unexpected errors say little and are logged. */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof RunNotFoundError) return new ApiError('not_found', err.message);
  // The file's path stays in the server log; the client learns what is wrong and who can fix it.
  if (err instanceof TokenFileError) return new ApiError('unavailable', `the API's token store is damaged, so no token can be checked. ${TOKEN_REPAIR_HINT} (the server log names the file)`, 'token_store_unusable');
  if (err instanceof AirlockClientError) {
    switch (err.code) {
      case 'input_invalid':
        return new ApiError('invalid_request', err.message);
      case 'action_refused':
      case 'decision_refused':
        return new ApiError('conflict', err.message);
      case 'temporal_unavailable':
        return new ApiError('unavailable', err.message);
      default:
        return new ApiError('unavailable', err.message);
    }
  }
  const fastifyError = err as { statusCode?: number; message?: string; code?: string };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ApiError('invalid_request', fastifyError.message ?? 'bad request');
  }
  return new ApiError('internal', 'internal error; see the server log');
}
