import type { ApiErrorCode } from './api-schemas.js';

const STATUS: Record<ApiErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_request: 400,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** An expected API failure: answered as `{ error: { code, message, reason? } }` with the matching status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }

  toBody(): { error: { code: ApiErrorCode; message: string; reason?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.reason ? { reason: this.reason } : {}) } };
  }
}
