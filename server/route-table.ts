/**
 * Every HTTP route with its schemas. The server registers routes from this table and the OpenAPI document is
 * generated from it, so a route cannot exist undocumented.
 */
import type { z } from 'zod';
import {
  ActionParamsSchema,
  ArtifactParamsSchema,
  ArtifactQuerySchema,
  ArtifactResponseSchema,
  DecideRequestSchema,
  DecideResponseSchema,
  ExecuteRunRequestSchema,
  ExecuteRunResponseSchema,
  IdempotencyHeadersSchema,
  ListRunsQuerySchema,
  ListRunsResponseSchema,
  RunIdParamsSchema,
  RunResponseSchema,
  StartRunRequestSchema,
  StartRunResponseSchema,
  SubmitActionRequestSchema,
  SubmitActionResponseSchema,
  WhoAmIResponseSchema,
  CreateTokenRequestSchema,
  CreateTokenResponseSchema,
  ListTokensResponseSchema,
  TokenIdParamsSchema,
  TokenInfoSchema,
} from './api-schemas.js';
import { ADMIN_ROLES, AGENT_ROLES, API_ROLES, DECIDE_ROLES, READ_ROLES, type ApiRole } from '../platform/api-roles.js';
import { SlackInteractionFormSchema } from './slack/interaction-payload.js';

export type RouteAuth = 'bearer' | 'slack-signature' | 'none';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** Fastify form (`:runId`); the OpenAPI document uses `{runId}`. */
  url: string;
  operationId: string;
  summary: string;
  auth: RouteAuth;
  /** For bearer routes: the token roles that may call it (anything else answers 403). */
  roles?: readonly ApiRole[];
  params?: z.ZodType;
  query?: z.ZodType;
  /** Request headers the route reads besides authorization (documented only; the handler parses them). */
  headers?: z.ZodType;
  body?: z.ZodType;
  bodyContentType?: 'application/json' | 'application/x-www-form-urlencoded';
  /** Success status and its body schema (undefined: a JSON object not described further). */
  success: { status: number; schema?: z.ZodType; description: string; contentType?: 'application/json' | 'text/event-stream' };
  /** Error statuses this route can answer besides the ones every bearer route has (401, 429, 503). */
  errors: number[];
}

export const ROUTES = {
  startRun: {
    method: 'POST',
    url: '/v1/runs',
    operationId: 'startRun',
    summary: 'Start a run; the token principal is the requester (roles: agent, admin)',
    auth: 'bearer',
    roles: AGENT_ROLES,
    headers: IdempotencyHeadersSchema,
    body: StartRunRequestSchema,
    success: { status: 201, schema: StartRunResponseSchema, description: 'The run was started' },
    errors: [400],
  },
  executeRun: {
    method: 'POST',
    url: '/v1/runs/execute',
    operationId: 'executeRun',
    summary:
      'Start a one-shot run and wait for its actions to finish, in one request: the answer holds the run with its ' +
      'results, or (done: false) the run as it stands when waitMs passed first; the token principal is the requester (roles: agent, admin)',
    auth: 'bearer',
    roles: AGENT_ROLES,
    headers: IdempotencyHeadersSchema,
    body: ExecuteRunRequestSchema,
    success: { status: 200, schema: ExecuteRunResponseSchema, description: 'The run, finished or as it stands' },
    errors: [400, 409],
  },
  listRuns: {
    method: 'GET',
    url: '/v1/runs',
    operationId: 'listRuns',
    summary: 'List runs, newest first, filtered by status, agent and risk (roles: viewer, approver, admin)',
    auth: 'bearer',
    roles: READ_ROLES,
    query: ListRunsQuerySchema,
    success: { status: 200, schema: ListRunsResponseSchema, description: 'Matching runs' },
    errors: [400],
  },
  getRun: {
    method: 'GET',
    url: '/v1/runs/:runId',
    operationId: 'getRun',
    summary: 'Get a run with its actions, risk assessments, decisions and results (agent tokens: their own runs only)',
    auth: 'bearer',
    roles: API_ROLES,
    params: RunIdParamsSchema,
    success: { status: 200, schema: RunResponseSchema, description: 'The run' },
    errors: [403, 404],
  },
  getArtifact: {
    method: 'GET',
    url: '/v1/artifacts/:sha256',
    operationId: 'getArtifact',
    summary:
      'Get a stored output (full stdout/stderr or an output file) by its sha256; agent tokens name the run that ' +
      'produced it (?runId=, one of their own runs), and a run named must list the sha256 among its outputs',
    auth: 'bearer',
    // Authorised like the run that produced it: a sha256 travels in logs and results, so it is no capability.
    roles: API_ROLES,
    params: ArtifactParamsSchema,
    query: ArtifactQuerySchema,
    success: { status: 200, schema: ArtifactResponseSchema, description: 'The artifact, as text or base64' },
    errors: [400, 403, 404],
  },
  runEvents: {
    method: 'GET',
    url: '/v1/runs/:runId/events',
    operationId: 'runEvents',
    summary:
      'Server-sent events of a run (action.awaiting_approval, action.decided, action.finished, run.closed); ' +
      'each event id is stable, send Last-Event-ID to resume; the stream ends after run.closed',
    auth: 'bearer',
    roles: API_ROLES,
    params: RunIdParamsSchema,
    success: { status: 200, contentType: 'text/event-stream', description: 'A stream of events, one JSON object per event' },
    errors: [404],
  },
  submitAction: {
    method: 'POST',
    url: '/v1/runs/:runId/actions',
    operationId: 'submitAction',
    summary: "Submit an action to one of the principal's own open runs (roles: agent, admin)",
    auth: 'bearer',
    roles: AGENT_ROLES,
    headers: IdempotencyHeadersSchema,
    params: RunIdParamsSchema,
    body: SubmitActionRequestSchema,
    success: { status: 201, schema: SubmitActionResponseSchema, description: 'The action was accepted' },
    errors: [400, 403, 404, 409],
  },
  decide: {
    method: 'POST',
    url: '/v1/runs/:runId/actions/:actionId/decision',
    operationId: 'decide',
    summary: 'Approve or deny an action awaiting approval, as the token principal; the server signs it (roles: approver, admin)',
    auth: 'bearer',
    roles: DECIDE_ROLES,
    params: ActionParamsSchema,
    body: DecideRequestSchema,
    success: { status: 200, schema: DecideResponseSchema, description: 'The decision counted' },
    errors: [400, 403, 404, 409, 503],
  },
  whoami: {
    method: 'GET',
    url: '/v1/whoami',
    operationId: 'whoami',
    summary: "The token's principal, roles and expiry",
    auth: 'bearer',
    roles: API_ROLES,
    success: { status: 200, schema: WhoAmIResponseSchema, description: 'Who the token belongs to' },
    errors: [],
  },
  createToken: {
    method: 'POST',
    url: '/v1/tokens',
    operationId: 'createToken',
    summary:
      'Create a bearer token for a principal (roles default to agent; expiry to 90 days); the token is in the answer ' +
      'once and works at once; the creation is logged with who made it (role: admin)',
    auth: 'bearer',
    roles: ADMIN_ROLES,
    body: CreateTokenRequestSchema,
    success: { status: 201, schema: CreateTokenResponseSchema, description: 'The token (shown once) and its record' },
    errors: [400],
  },
  listTokens: {
    method: 'GET',
    url: '/v1/tokens',
    operationId: 'listTokens',
    summary: 'Every token record with its status, never a secret or its hash (role: admin)',
    auth: 'bearer',
    roles: ADMIN_ROLES,
    success: { status: 200, schema: ListTokensResponseSchema, description: 'The token records' },
    errors: [],
  },
  revokeToken: {
    method: 'DELETE',
    url: '/v1/tokens/:tokenId',
    operationId: 'revokeToken',
    summary: 'Revoke a token: its next request is refused with 401; the revocation is logged (role: admin)',
    auth: 'bearer',
    roles: ADMIN_ROLES,
    params: TokenIdParamsSchema,
    success: { status: 200, schema: TokenInfoSchema, description: 'The revoked token record' },
    errors: [400, 404],
  },
  openapi: {
    method: 'GET',
    url: '/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI document',
    auth: 'none',
    success: { status: 200, description: 'OpenAPI 3.1 document' },
    errors: [],
  },
  slackInteractions: {
    method: 'POST',
    url: '/slack/interactions',
    operationId: 'slackInteractions',
    summary: 'Slack interactivity endpoint (Approve/Deny buttons); authenticated by the Slack request signature',
    auth: 'slack-signature',
    body: SlackInteractionFormSchema,
    bodyContentType: 'application/x-www-form-urlencoded',
    success: { status: 200, description: 'Acknowledged; the outcome is shown in Slack' },
    errors: [400, 401],
  },
} as const satisfies Record<string, RouteSpec>;

export const ROUTE_LIST: readonly RouteSpec[] = Object.values(ROUTES);
