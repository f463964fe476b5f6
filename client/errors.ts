/**
 * Errors the SDK throws. Callers branch on the class (or `code`), never on message text; messages are written
 * for the person who will read them and say what to do next.
 */

/** Base class so callers can tell Airlock's expected errors from bugs. */
export abstract class AirlockClientError extends Error {
  abstract readonly code: AirlockClientErrorCode;
}

export type AirlockClientErrorCode =
  | 'temporal_unavailable'
  | 'run_not_found'
  | 'decision_refused'
  | 'action_refused'
  | 'input_invalid'
  | 'wait_timed_out'
  | 'run_unresponsive'
  | 'api_unavailable'
  | 'not_authenticated'
  | 'forbidden';

function causeText(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

/** The Temporal server did not answer within the connect timeout (or refused the TLS handshake). */
export class TemporalUnavailableError extends AirlockClientError {
  override readonly name = 'TemporalUnavailableError';
  readonly code = 'temporal_unavailable' as const;
  /** Whether the connection was tried over TLS (TEMPORAL_TLS_* set). */
  readonly tls: boolean;
  constructor(
    readonly address: string,
    options?: { cause?: unknown; tls?: boolean },
  ) {
    super(
      options?.tls
        ? // Over TLS the usual cause is the handshake (a certificate the server refuses, a CA or name that does not match).
          `Temporal is not reachable at ${address} over TLS: ${causeText(options.cause)}; check TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, ` +
            'TEMPORAL_TLS_CA and TEMPORAL_TLS_SERVER_NAME against the server'
        : `Temporal is not reachable at ${address}: start the stack with \`npm run up\`, or set TEMPORAL_ADDRESS`,
      options,
    );
    this.tls = options?.tls ?? false;
  }
}

/** No workflow with this id exists in the namespace. */
export class RunNotFoundError extends AirlockClientError {
  override readonly name = 'RunNotFoundError';
  readonly code = 'run_not_found' as const;
  constructor(
    readonly runId: string,
    options?: { cause?: unknown },
  ) {
    super(`no run with id ${runId}`, options);
  }
}

/** The workflow's validator refused a decision; the message is the workflow's own reason. */
export class DecisionRefusedError extends AirlockClientError {
  override readonly name = 'DecisionRefusedError';
  readonly code = 'decision_refused' as const;
  /** The workflow's refusal type (`self_approval`, `unsigned`, `past_deadline`, ...), when known. */
  readonly refusal: string | undefined;
  constructor(
    readonly runId: string,
    readonly actionId: string,
    reason: string,
    options?: { cause?: unknown; refusal?: string },
  ) {
    super(reason, options);
    this.refusal = options?.refusal;
  }
}

/** The Airlock HTTP API did not answer (down, wrong AIRLOCK_API_URL, or too slow). */
export class ApiUnavailableError extends AirlockClientError {
  override readonly name = 'ApiUnavailableError';
  readonly code = 'api_unavailable' as const;
  constructor(
    readonly url: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`the Airlock API at ${url} ${detail}: start it with \`npm run up\`, or set AIRLOCK_API_URL`, options);
  }
}

/** No token, or the API refused it (unknown, expired or revoked). */
export class NotAuthenticatedError extends AirlockClientError {
  override readonly name = 'NotAuthenticatedError';
  readonly code = 'not_authenticated' as const;
}

/** The token is valid but its roles do not allow this. */
export class ForbiddenError extends AirlockClientError {
  override readonly name = 'ForbiddenError';
  readonly code = 'forbidden' as const;
}

/** The workflow's validator refused a new action (bad input, or the run is closed). */
export class ActionRefusedError extends AirlockClientError {
  override readonly name = 'ActionRefusedError';
  readonly code = 'action_refused' as const;
  constructor(
    readonly runId: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

/** Input rejected by a schema before anything was sent to Temporal. */
export class InputError extends AirlockClientError {
  override readonly name = 'InputError';
  readonly code = 'input_invalid' as const;
}

/** `waitForActions` gave up before the actions reached the requested state. */
export class WaitTimeoutError extends AirlockClientError {
  override readonly name = 'WaitTimeoutError';
  readonly code = 'wait_timed_out' as const;
  constructor(
    readonly runId: string,
    readonly timeoutMs: number,
  ) {
    super(`run ${runId}: actions did not reach the awaited state within ${timeoutMs} ms`);
  }
}

/** The run did not answer a query in time: usually no worker is polling its task queue. */
export class RunUnresponsiveError extends AirlockClientError {
  override readonly name = 'RunUnresponsiveError';
  readonly code = 'run_unresponsive' as const;
  constructor(
    readonly runId: string,
    readonly taskQueue: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      `run ${runId} did not answer within ${timeoutMs / 1000} s: is an Airlock worker running on task queue ` +
        `"${taskQueue}"? (start one with \`npm run up\`, or check AIRLOCK_TASK_QUEUE)`,
      options,
    );
  }
}
