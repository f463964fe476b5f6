/**
 * A small typed client of Airlock's HTTP API, for callers that hold an API token rather than a connection to
 * Temporal (the MCP server's stdio mode, scripts). Every call has a timeout; every non-2xx answer becomes an
 * HttpApiError carrying the API's own code and message.
 */
import type { ActionInput } from '../schemas/action.js';
import type { RiskLevel } from '../schemas/risk.js';
import type { RunState, RunStatus, StartRunInput, SubmitActionResult } from '../schemas/run.js';
import type { RunSummary } from './list-query.js';

/** A run started over HTTP: the token's principal is the requester. */
export type HttpStartRunRequest = Omit<StartRunInput, 'requester' | 'carryOver'>;

export interface HttpListRunsQuery {
  status?: RunStatus;
  agent?: string;
  risk?: RiskLevel;
  pending?: 'true' | 'false';
  limit?: number;
}

/** An artifact's bytes as the API sends them: text when UTF-8, otherwise base64. */
export interface HttpArtifact {
  sha256: string;
  bytes: number;
  encoding: 'utf8' | 'base64';
  content: string;
}

/** Long enough for a busy worker to answer a query, short enough that a stalled one never hangs the caller. */
export const HTTP_API_TIMEOUT_MS = 15_000;

/** The API answered with an error, or did not answer at all (`code` `unavailable`, `status` 0). */
export class HttpApiError extends Error {
  override readonly name = 'HttpApiError';
  constructor(
    readonly status: number,
    /** The API's error code (`invalid_request`, `forbidden`, `not_found`, …). */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface HttpApiClientOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  token: string;
  timeoutMs?: number;
}

export class HttpApiClient {
  private readonly baseUrl: string;

  constructor(private readonly options: HttpApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  startRun(body: HttpStartRunRequest, options: { idempotencyKey?: string } = {}): Promise<{ runId: string; requester: string }> {
    return this.request('POST', '/v1/runs', { body, idempotencyKey: options.idempotencyKey });
  }

  submitAction(runId: string, action: ActionInput, options: { idempotencyKey?: string } = {}): Promise<SubmitActionResult> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(runId)}/actions`, { body: action, idempotencyKey: options.idempotencyKey });
  }

  getRun(runId: string): Promise<RunState> {
    return this.request('GET', `/v1/runs/${encodeURIComponent(runId)}`);
  }

  async listRuns(query: HttpListRunsQuery = {}): Promise<RunSummary[]> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const suffix = search.size > 0 ? `?${search.toString()}` : '';
    return (await this.request<{ runs: RunSummary[] }>('GET', `/v1/runs${suffix}`)).runs;
  }

  /** `runId`: the run that produced the artifact; agent tokens must give it, readers may leave it out. */
  getArtifact(sha256: string, runId?: string): Promise<HttpArtifact> {
    const suffix = runId !== undefined ? `?${new URLSearchParams({ runId }).toString()}` : '';
    return this.request('GET', `/v1/artifacts/${encodeURIComponent(sha256)}${suffix}`);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; idempotencyKey?: string | undefined } = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? HTTP_API_TIMEOUT_MS),
      });
    } catch (err) {
      const why = err instanceof Error && err.name === 'TimeoutError' ? 'did not answer in time' : 'could not be reached';
      throw new HttpApiError(0, 'unavailable', `the Airlock API at ${this.baseUrl} ${why}`, { cause: err });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new HttpApiError(response.status, error?.code ?? 'internal', error?.message ?? `HTTP ${response.status} from ${method} ${path}`);
    }
    return body as T;
  }
}
