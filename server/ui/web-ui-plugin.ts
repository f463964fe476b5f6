/**
 * The approval web UI, as a Fastify plugin served at `/`: sign-in with an API token, the pending approvals, run
 * pages and decisions. Pages are rendered on the server from escaped templates; a small script keeps them live
 * (polling) and sends decisions without a reload. Decisions reach the workflow's `decide` update like every
 * other channel, as the signed-in principal, on the `ui` channel.
 */
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AirlockConfig } from '../../platform/config.js';
import { temporalConnectionOptions, type TemporalTlsSettings } from '../../platform/temporal-tls.js';
import { AirlockClientError, RunNotFoundError } from '../../client/errors.js';
import type { AirlockClient } from '../../client/sdk.js';
import { DecisionKindSchema, type DecisionOutcome } from '../../schemas/decision.js';
import { ApiError } from '../api-error.js';
import { RateLimiter } from '../rate-limiter.js';
import type { TokenStore } from '../../platform/token-store.js';
import { DECIDE_ROLES, hasAnyRole, READ_ROLES } from '../../platform/api-roles.js';
import type { DecideDeps } from '../decide-service.js';
import { expiredCookie, parseCookies, sessionCookie } from './cookies.js';
import type { SafeHtml } from './html.js';
import { csrfTokenMatches, SESSION_TTL_MS, SessionStore, type Session } from './session-store.js';
import { defaultTemporalWebUrl, workflowWebUrl } from './temporal-web-url.js';
import { loadUiAssets } from './ui-assets.js';
import { createUiRunSource, type UiRunSource } from './ui-run-source.js';
import { actionVersion } from './views/action-card.js';
import { renderPage, type PageOptions } from './views/layout.js';
import { renderPendingList, renderPendingPage, PENDING_LIVE_PATH } from './views/pending-page.js';
import { actionAnchor, runPath } from './views/paths.js';
import { renderRunPage, renderRunSummary, renderTimelineItem } from './views/run-page.js';
import { renderRunsPage } from './views/runs-page.js';
import { renderProblemPage, renderSignInPage } from './views/sign-in-page.js';

export const SESSION_COOKIE = 'airlock_session';
/** Sign-in attempts per minute per client address: enough for typos, too few to guess tokens. */
const SIGN_IN_ATTEMPTS_PER_MINUTE = 20;
const RECENT_RUNS_LIMIT = 50;
const FORM_BODY_LIMIT_BYTES = 16 * 1024;

export interface WebUiOptions {
  /** Run state and decisions (the SDK client the API uses). */
  client: Pick<AirlockClient, 'getRun' | 'deliverSignedDecision'>;
  /** The deciding service's key (decisions made here are signed with it). */
  signer: DecideDeps['signer'];
  /** API tokens: signing in checks the token against this store. */
  tokens: TokenStore;
  /** Temporal address and namespace (listing, links) and the task queue whose runs this deployment serves. */
  config: Pick<AirlockConfig, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'AIRLOCK_TASK_QUEUE'> & TemporalTlsSettings;
  /** Base URL of the Temporal Web UI; guessed from TEMPORAL_ADDRESS when absent. */
  temporalWebUrl?: string;
  /** Replaces the Temporal-backed source (tests of the pages alone). */
  source?: UiRunSource;
}

/** A session whose token still counts, with the token's roles as they are now. */
type LiveSession = Session & { roles: string[] };

const DecisionFormSchema = z.object({
  decision: DecisionKindSchema,
  reason: z.string().max(1_000, 'the reason may be at most 1000 characters').optional(),
  contentSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

/** Form bodies arrive parsed or as text, depending on which parser the parent server registered. */
function formFields(body: unknown): Record<string, string> {
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  if (body && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }
  return {};
}

/** Only same-site paths may be a post-sign-in destination (no `//host` or `/\host` tricks). */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[^\s\\]*$/.test(next) ? next : '/';
}

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

/** Registers the UI's routes on `app` (call through `app.register`, so its hooks stay inside the UI's scope). */
export async function webUiPlugin(app: FastifyInstance, options: WebUiOptions): Promise<void> {
  const { assets, version: assetVersion } = loadUiAssets();
  const sessions = new SessionStore();
  const signInLimiter = new RateLimiter(SIGN_IN_ATTEMPTS_PER_MINUTE);
  const temporalWebBase = options.temporalWebUrl ?? defaultTemporalWebUrl(options.config.TEMPORAL_ADDRESS);
  const source = options.source ?? (await connectedSource(app, options));

  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) =>
      done(null, body),
    );
  }

  app.addHook('onSend', async (_request, reply, payload) => {
    // Pages only ever load the UI's own files; nothing may frame them.
    void reply.header(
      'content-security-policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'same-origin');
    void reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });

  /**
   * The live session of the request, checked against the token store every time: a revoked or expired token (or
   * one that lost its read roles) ends its sessions at once.
   */
  const sessionOf = (request: FastifyRequest): LiveSession | undefined => {
    const session = sessions.get(parseCookies(request.headers.cookie).get(SESSION_COOKIE));
    if (!session) return undefined;
    let status;
    try {
      status = options.tokens.checkId(session.tokenId);
    } catch (err) {
      request.log.error({ err }, 'token store unreadable');
      return undefined;
    }
    if (!status.ok || !hasAnyRole(status.record.roles, READ_ROLES)) {
      sessions.delete(session.id);
      return undefined;
    }
    return { ...session, roles: status.record.roles };
  };

  const isSecure = (request: FastifyRequest) => request.protocol === 'https';

  /**
   * A browser states where a POST came from; another site's origin is refused even before the CSRF token check.
   * Hosts are compared, not schemes: behind a TLS-terminating proxy the page is https while we see http.
   */
  const crossOrigin = (request: FastifyRequest): boolean => {
    const origin = request.headers.origin;
    if (!origin) return false;
    try {
      return new URL(origin).host !== (request.headers.host ?? '');
    } catch {
      return true; // `null` (sandboxed frames, some redirects) or garbage: not our page
    }
  };

  const page = (reply: FastifyReply, status: number, pageOptions: Omit<PageOptions, 'assetVersion'>) =>
    reply.code(status).type('text/html; charset=utf-8').send(renderPage({ ...pageOptions, assetVersion }).value);

  const signedInPage = (reply: FastifyReply, session: Session, status: number, title: string, body: SafeHtml, current?: PageOptions['current']) =>
    page(reply, status, { title, body, principal: session.principal, csrfToken: session.csrfToken, ...(current ? { current } : {}) });

  const requirePageSession = (request: FastifyRequest, reply: FastifyReply, next = request.url): LiveSession | undefined => {
    const session = sessionOf(request);
    if (!session) void reply.redirect(`/sign-in?next=${encodeURIComponent(next)}`, 303);
    return session;
  };

  const requireApiSession = (request: FastifyRequest, reply: FastifyReply): LiveSession | undefined => {
    const session = sessionOf(request);
    if (!session) void reply.code(401).send({ error: { code: 'unauthenticated', message: 'Your session has ended: sign in again.' } });
    return session;
  };

  /** Expected failures as a page a person can act on; the unexpected ones are logged and summarised. */
  const problem = (request: FastifyRequest, err: unknown): { status: number; title: string; message: string } => {
    if (err instanceof RunNotFoundError) return { status: 404, title: 'Run not found', message: err.message };
    if (err instanceof ApiError) return { status: err.status, title: 'Request refused', message: err.message };
    if (err instanceof AirlockClientError) return { status: 503, title: 'Airlock is not answering', message: err.message };
    request.log.error({ err }, 'web UI request failed');
    return { status: 500, title: 'Something went wrong', message: 'The server could not complete this request; the server log has the details.' };
  };

  // --- static files ---
  app.get<{ Params: { name: string } }>('/ui/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.code(404).type('text/plain').send('not found');
    return reply.header('cache-control', 'public, max-age=3600').type(asset.contentType).send(asset.body);
  });

  // --- sign-in ---
  app.get<{ Querystring: { next?: string } }>('/sign-in', async (request, reply) => {
    if (sessionOf(request)) return reply.redirect(safeNext(request.query.next), 303);
    return page(reply, 200, { title: 'Sign in', body: renderSignInPage({ next: safeNext(request.query.next) }) });
  });

  app.post('/sign-in', async (request, reply) => {
    const fields = formFields(request.body);
    const next = safeNext(fields.next);
    // A wrong or missing token re-renders the form (200, like any form with a message); abuse keeps its status.
    const refuse = (status: number, error: string) =>
      page(reply, status, { title: 'Sign in', body: renderSignInPage({ error, next }) });
    if (crossOrigin(request)) return refuse(403, 'This sign-in form was not sent from Airlock. Open Airlock directly and sign in there.');
    const verdict = signInLimiter.take(request.ip);
    if (!verdict.allowed) return refuse(429, `Too many sign-in attempts. Try again in ${verdict.retryAfterSec} s.`);
    const token = (fields.token ?? '').trim();
    if (!token) return refuse(200, 'Enter your API token.');
    let stored;
    try {
      stored = options.tokens.principalFor(token);
    } catch (err) {
      request.log.error({ err }, 'token store unreadable');
      return refuse(503, 'The server cannot read its token file; ask the operator to check the server log.');
    }
    if (!stored) return refuse(200, 'That token is not valid. Check it, or create a new one with: airlock token create --as YOUR_NAME --role approver');
    if (!hasAnyRole(stored.roles, READ_ROLES)) {
      return refuse(403, 'This token may not use the approval console (it needs the viewer, approver or admin role).');
    }
    const session = sessions.create(stored.principal, stored.id);
    request.log.info({ principal: stored.principal, tokenId: stored.id }, 'web UI sign-in');
    void reply.header('set-cookie', sessionCookie(SESSION_COOKIE, session.id, { maxAgeSec: SESSION_TTL_MS / 1000, secure: isSecure(request) }));
    return reply.redirect(next, 303);
  });

  app.post('/sign-out', async (request, reply) => {
    const session = sessionOf(request);
    // Signing someone out is harmless but still needs their page's token, so another site cannot do it.
    if (session && csrfTokenMatches(session, formFields(request.body).csrf)) sessions.delete(session.id);
    void reply.header('set-cookie', expiredCookie(SESSION_COOKIE, isSecure(request)));
    return reply.redirect('/sign-in', 303);
  });

  // --- pages ---
  app.get('/', async (request, reply) => {
    const session = requirePageSession(request, reply);
    if (!session) return reply;
    try {
      const pending = await source.pendingApprovals();
      return signedInPage(reply, session, 200, 'Pending approvals', renderPendingPage(pending, Date.now()), 'pending');
    } catch (err) {
      const p = problem(request, err);
      return signedInPage(reply, session, p.status, p.title, renderProblemPage(p.title, p.message), 'pending');
    }
  });

  app.get('/runs', async (request, reply) => {
    const session = requirePageSession(request, reply);
    if (!session) return reply;
    try {
      const runs = await source.recentRuns(RECENT_RUNS_LIMIT);
      return signedInPage(reply, session, 200, 'Recent runs', renderRunsPage(runs, Date.now()), 'runs');
    } catch (err) {
      const p = problem(request, err);
      return signedInPage(reply, session, p.status, p.title, renderProblemPage(p.title, p.message), 'runs');
    }
  });

  app.get<{ Params: { runId: string } }>('/runs/:runId', async (request, reply) => {
    const session = requirePageSession(request, reply);
    if (!session) return reply;
    try {
      const run = await source.getRun(request.params.runId);
      const viewer = { principal: session.principal, csrfToken: session.csrfToken, nowMs: Date.now() };
      const link = temporalWebBase ? workflowWebUrl(temporalWebBase, options.config.TEMPORAL_NAMESPACE, run.runId) : undefined;
      return signedInPage(reply, session, 200, `Run ${run.runId}`, renderRunPage(run, viewer, link));
    } catch (err) {
      const p = problem(request, err);
      return signedInPage(reply, session, p.status, p.title, renderProblemPage(p.title, p.message));
    }
  });

  // --- live updates (polled by the page script) ---
  app.get(PENDING_LIVE_PATH, async (request, reply) => {
    const session = requireApiSession(request, reply);
    if (!session) return reply;
    try {
      const pending = await source.pendingApprovals();
      return { html: renderPendingList(pending, Date.now()).value, count: pending.items.length };
    } catch (err) {
      const p = problem(request, err);
      return reply.code(p.status).send({ error: { message: p.message } });
    }
  });

  app.get<{ Params: { runId: string } }>('/ui/live/runs/:runId', async (request, reply) => {
    const session = requireApiSession(request, reply);
    if (!session) return reply;
    try {
      const run = await source.getRun(request.params.runId);
      const viewer = { principal: session.principal, csrfToken: session.csrfToken, nowMs: Date.now() };
      const link = temporalWebBase ? workflowWebUrl(temporalWebBase, options.config.TEMPORAL_NAMESPACE, run.runId) : undefined;
      return {
        summary: renderRunSummary(run, link).value,
        actions: run.actions.map((action) => ({
          id: action.actionId,
          version: actionVersion(action, session.principal),
          html: renderTimelineItem(run, action, viewer).value,
          status: action.status,
        })),
      };
    } catch (err) {
      const p = problem(request, err);
      return reply.code(p.status).send({ error: { message: p.message } });
    }
  });

  // --- decisions ---
  app.post<{ Params: { runId: string; actionId: string } }>('/runs/:runId/actions/:actionId/decision', async (request, reply) => {
    const json = wantsJson(request);
    const { runId, actionId } = request.params;
    const session = json ? requireApiSession(request, reply) : requirePageSession(request, reply, runPath(runId));
    if (!session) return reply;
    const fields = formFields(request.body);
    const fail = (status: number, message: string) =>
      json
        ? reply.code(status).send({ error: { message } })
        : signedInPage(reply, session, status, 'Decision not recorded', renderProblemPage('Decision not recorded', message));

    const presented = (request.headers['x-csrf-token'] as string | undefined) ?? fields.csrf;
    if (crossOrigin(request) || !csrfTokenMatches(session, presented)) {
      return fail(403, 'This decision did not come from your Airlock page (the security token is missing or out of date). Reload the page and decide again.');
    }
    if (!hasAnyRole(session.roles, DECIDE_ROLES)) {
      return fail(403, `${session.principal} may view runs but not decide: that needs the approver role.`);
    }
    const parsed = DecisionFormSchema.safeParse({
      decision: fields.decision,
      reason: fields.reason?.trim() || undefined,
      contentSha256: fields.contentSha256 || undefined,
    });
    if (!parsed.success) return fail(400, z.prettifyError(parsed.error).replace(/\n/g, ' '));

    let outcome: DecisionOutcome;
    try {
      outcome = await source.decide({
        runId,
        actionId,
        decision: parsed.data.decision,
        approver: session.principal,
        ...(parsed.data.reason ? { reason: parsed.data.reason } : {}),
        ...(parsed.data.contentSha256 ? { expectedContentSha256: parsed.data.contentSha256 } : {}),
      });
    } catch (err) {
      const p = problem(request, err);
      // A refusal is an answer, not a failed request: the page shows it, and the browser logs no network error.
      if (json && err instanceof ApiError && p.status < 500) {
        return { ok: false, error: { message: p.message, ...(err.reason ? { reason: err.reason } : {}) } };
      }
      return fail(p.status, p.message);
    }
    request.log.info({ runId, actionId, approver: session.principal, decision: parsed.data.decision, status: outcome.status }, 'web UI decision');
    const message = outcomeMessage(parsed.data.decision, outcome);
    if (json) return { ok: true, message, outcome };
    return reply.redirect(`${runPath(runId)}#${actionAnchor(actionId)}`, 303);
  });
}

/** What the approver reads after a decision was counted. */
export function outcomeMessage(decision: 'approve' | 'deny', outcome: DecisionOutcome): string {
  if (decision === 'deny') return 'Denied: the action will not run.';
  if (outcome.status === 'awaiting_approval') {
    const missing = outcome.requiredApprovals - outcome.approvals;
    return `Approved (${outcome.approvals} of ${outcome.requiredApprovals}): waiting for ${missing} more approver${missing === 1 ? '' : 's'}.`;
  }
  return 'Approved: the action runs now.';
}

/** The Temporal-backed source, with a connection of its own for listing that closes with the server. */
async function connectedSource(app: FastifyInstance, options: WebUiOptions): Promise<UiRunSource> {
  const connection = await Connection.connect(temporalConnectionOptions(options.config));
  app.addHook('onClose', async () => {
    await connection.close();
  });
  const temporal = new Client({ connection, namespace: options.config.TEMPORAL_NAMESPACE });
  return createUiRunSource({ airlock: options.client, signer: options.signer, temporal, taskQueue: options.config.AIRLOCK_TASK_QUEUE, logger: app.log });
}
