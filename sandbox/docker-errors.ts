/** True for a dockerode error carrying the HTTP status `status` (e.g. 404: no such container or image). */
export function hasDockerStatus(err: unknown, status: number): boolean {
  return typeof err === 'object' && err !== null && (err as { statusCode?: unknown }).statusCode === status;
}

/** The engine took longer than its budget to answer one call; retryable once the engine answers again. */
export class DockerCallTimeoutError extends Error {
  override readonly name = 'DockerCallTimeoutError';
  readonly endpoint: string;
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly ms: number;
  constructor(call: { endpoint: string; kind: string; method: string; path: string; ms: number }) {
    super(
      `the Docker engine at ${call.endpoint} did not answer ${call.method} ${call.path} (a ${call.kind} call) within ` +
        `${call.ms} ms; it may be restarting or overloaded`,
    );
    this.endpoint = call.endpoint;
    this.kind = call.kind;
    this.method = call.method;
    this.path = call.path;
    this.ms = call.ms;
  }
}

/** Socket errors that mean the engine is not there (stopped, restarting, wrong DOCKER_HOST), not a refusal. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN', 'ECONNABORTED']);

/**
 * True when `err` (or its cause) says the engine did not answer: a call timeout, a refused or reset connection
 * or a missing socket. Such errors are the infrastructure's, not
 * the code's or the request's, and are worth waiting out.
 */
export function isEngineUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DockerCallTimeoutError) return true;
    if ((e as Error).name === 'DockerUnavailableError') return true;
    // The engine stopped the container under the code (sandbox/container-ended-under-code.ts): its outage, too.
    if ((e as Error).name === 'ContainerEndedUnderCodeError') return true;
    const code = (e as { code?: unknown }).code;
    // A syscall error without an HTTP status: the socket itself failed.
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code) && (e as { statusCode?: unknown }).statusCode === undefined) return true;
  }
  return false;
}
