/**
 * A small client of Airlock's HTTP API: what must go through the deciding service (decisions) and what the CLI
 * needs around them (who am I, a run's state). Every call has a timeout, so a stalled server never hangs a person.
 */
import type { DecisionKind, DecisionOutcome } from '../schemas/decision.js';
import type { RunState } from '../schemas/run.js';
import type { AirlockConfig } from '../platform/config.js';
import { ApiUnavailableError, DecisionRefusedError, ForbiddenError, InputError, NotAuthenticatedError, RunNotFoundError } from './errors.js';

/** The API itself waits at most 15 s for the workflow; this leaves room for the round trip. */
export const API_CALL_TIMEOUT_MS = 30_000;
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export interface ApiClientOptions {
  url: string;
  token: string | undefined;
  timeoutMs?: number;
}

/** What `GET /v1/whoami` answers. */
export interface WhoAmI {
  principal: string;
  roles: string[];
  tokenId: string;
  expiresAt?: string;
}

export interface ApiDecision {
  actionId: string;
  decision: DecisionKind;
  reason?: string;
  /** The content sha256 the person reviewed; the API refuses the decision if the action no longer has it. */
  contentSha256?: string;
  /** Recorded channel: `cli` for the `airlock` command, `api` otherwise. */
  channel?: 'api' | 'cli';
}

interface ErrorBody {
  error?: { code?: string; message?: string; reason?: string };
}

/** The API's base URL from the configuration. */
export function apiUrlOf(config: Pick<AirlockConfig, 'AIRLOCK_API_URL'>): string {
  return (config.AIRLOCK_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
}

export class AirlockApiClient {
  private readonly url: string;

  constructor(private readonly options: ApiClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
  }

  whoami(): Promise<WhoAmI> {
    return this.call<WhoAmI>('GET', '/v1/whoami');
  }

  async getRun(runId: string): Promise<RunState> {
    return this.call<RunState>('GET', `/v1/runs/${encodeURIComponent(runId)}`, undefined, { runId });
  }

  /**
   * Approves or denies as the token's principal; the deciding service signs it and the workflow checks it.
   * @throws DecisionRefusedError with the workflow's reason; NotAuthenticatedError; ForbiddenError; ApiUnavailableError.
   */
  async decide(runId: string, decision: ApiDecision): Promise<DecisionOutcome> {
    const body = {
      decision: decision.decision,
      ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
      ...(decision.contentSha256 ? { contentSha256: decision.contentSha256 } : {}),
      ...(decision.channel ? { channel: decision.channel } : {}),
    };
    const path = `/v1/runs/${encodeURIComponent(runId)}/actions/${encodeURIComponent(decision.actionId)}/decision`;
    return this.call<DecisionOutcome>('POST', path, body, { runId, actionId: decision.actionId });
  }

  private async call<T>(method: string, path: string, body?: unknown, target: { runId?: string; actionId?: string } = {}): Promise<T> {
    if (!this.options.token) {
      throw new NotAuthenticatedError('no API token: run `airlock login`, or set AIRLOCK_TOKEN (create one with `airlock token create`)');
    }
    const timeoutMs = this.options.timeoutMs ?? API_CALL_TIMEOUT_MS;
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new ApiUnavailableError(this.url, timedOut ? `did not answer within ${timeoutMs / 1000} s` : 'is not reachable', { cause: err });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiUnavailableError(this.url, `answered ${response.status} with something that is not JSON`);
    }
    if (response.ok) return parsed as T;
    const error = (parsed as ErrorBody | undefined)?.error ?? {};
    const message = error.message ?? `HTTP ${response.status}`;
    if (response.status === 401) throw new NotAuthenticatedError(`${message} (run \`airlock login\` with a valid token, or set AIRLOCK_TOKEN)`);
    if (response.status === 400) throw new InputError(message);
    if (target.actionId && (response.status === 403 || response.status === 409 || (response.status === 404 && error.reason))) {
      throw new DecisionRefusedError(target.runId ?? '', target.actionId, message, error.reason ? { refusal: error.reason } : {});
    }
    if (response.status === 403) throw new ForbiddenError(message);
    if (response.status === 404 && target.runId) throw new RunNotFoundError(target.runId);
    throw new ApiUnavailableError(this.url, `answered ${response.status}: ${message}`);
  }
}
