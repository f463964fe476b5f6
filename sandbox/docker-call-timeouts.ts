/**
 * Time limits for every call to the Docker engine, applied in one place: the modem's `dial`, through which every
 * dockerode call goes. A hung engine (a dockerd restart, a stuck storage driver) then turns into a
 * DockerCallTimeoutError that names the call, instead of an activity that waits until Temporal gives up on it.
 *
 * The limit covers the time until the engine answers: the whole response for ordinary calls, the response headers
 * (or the protocol upgrade) for streams. A stream that has started (exec output, a container's wait) is bounded by
 * the sandbox's own wall-clock limit, not here.
 */
import type Docker from 'dockerode';
import { DockerCallTimeoutError } from './docker-errors.js';

/** The kinds of call, each with its own budget. `unbounded` calls last as long as a container does, by design. */
export type DockerCallKind = 'create' | 'start' | 'exec' | 'inspect' | 'remove' | 'image' | 'archive' | 'network' | 'other' | 'unbounded';

/** Milliseconds each kind may take before the engine counts as not answering. */
export const DEFAULT_DOCKER_CALL_BUDGETS_MS: Readonly<Record<Exclude<DockerCallKind, 'unbounded'>, number>> = {
  // Creating a container may wait for the storage driver; gVisor containers take a few seconds more.
  create: 30_000,
  start: 30_000,
  exec: 15_000,
  inspect: 10_000,
  // A gVisor container full of processes has taken over 30 s to go; remove-container retries beyond this.
  remove: 90_000,
  image: 30_000,
  // Putting input files or fetching outputs: bounded sizes (the workspace tmpfs), so a minute is generous.
  archive: 60_000,
  network: 30_000,
  other: 30_000,
};

export type DockerCallBudgets = Readonly<Record<Exclude<DockerCallKind, 'unbounded'>, number>>;

/** Calls whose answer is a long-lived stream or a wait on the container itself. */
const UNBOUNDED = /^\/containers\/[^/]+\/(wait|attach|logs|stats)$|^\/events$|^\/build$|^\/images\/(create|load)$|^\/images\/get$/;

/** Which kind of call a request is, from its method and path (without the API version prefix or the query). */
export function dockerCallKind(method: string, path: string): DockerCallKind {
  const bare = path.replace(/\?.*$/, '').replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
  const verb = method.toUpperCase();
  if (UNBOUNDED.test(bare)) return 'unbounded';
  if (bare === '/containers/create') return 'create';
  if (/^\/containers\/[^/]+\/start$/.test(bare)) return 'start';
  if (/^\/containers\/[^/]+\/exec$/.test(bare) || /^\/exec\/[^/]+\/(start|resize)$/.test(bare)) return 'exec';
  if (/^\/containers\/[^/]+\/archive$/.test(bare)) return 'archive';
  if (verb === 'DELETE' || /^\/containers\/[^/]+\/(kill|stop)$/.test(bare) || /\/prune$/.test(bare)) return 'remove';
  if (bare.startsWith('/images')) return 'image';
  if (bare.startsWith('/networks')) return 'network';
  if (verb === 'GET' || verb === 'HEAD') return 'inspect';
  return 'other';
}

interface DialOptions {
  path: string;
  method?: string;
  abortSignal?: AbortSignal;
}
type DialCallback = (err: unknown, result?: unknown) => void;
type Dial = (options: DialOptions, callback?: DialCallback) => void;

const WRAPPED = Symbol('airlock.dockerCallTimeouts');

/**
 * Makes every call of `docker` fail with DockerCallTimeoutError when the engine does not answer within the budget
 * of its kind. Returns the same client; wrapping twice is a no-op.
 */
export function withDockerCallTimeouts(docker: Docker, endpoint: string, budgets: DockerCallBudgets = DEFAULT_DOCKER_CALL_BUDGETS_MS): Docker {
  const modem = docker.modem as unknown as { dial: Dial; [WRAPPED]?: true };
  if (modem[WRAPPED]) return docker;
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    const method = options.method ?? 'GET';
    const kind = dockerCallKind(method, options.path);
    if (kind === 'unbounded' || !callback) return dial(options, callback);
    const ms = budgets[kind];
    const controller = new AbortController();
    let timedOut: DockerCallTimeoutError | undefined;
    const timer = setTimeout(() => {
      timedOut = new DockerCallTimeoutError({ endpoint, kind, method, path: options.path.replace(/\?.*$/, ''), ms });
      controller.abort(timedOut);
    }, ms);
    const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, controller.signal]) : controller.signal;
    dial({ ...options, abortSignal: signal }, (err, result) => {
      clearTimeout(timer);
      callback(timedOut ?? err, result);
    });
  };
  modem[WRAPPED] = true;
  return docker;
}
