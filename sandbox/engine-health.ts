/**
 * Whether this worker's Docker engine answers, checked by pinging it every few seconds. The sandbox worker polls
 * its task queues only while the engine is up, so actions wait in the queue through a dockerd restart instead of
 * failing on a host that cannot run them. State changes are logged once each, never per ping.
 */
import type { Logger } from 'pino';

export type EngineState = 'unknown' | 'up' | 'down';

export interface EngineHealthOptions {
  /** One round trip to the engine (`docker.ping()`); rejects or hangs when the engine is not there. */
  ping: () => Promise<unknown>;
  /** Where the engine is (DOCKER_HOST), for the log lines. */
  endpoint: string;
  logger: Logger;
  intervalMs?: number;
  pingTimeoutMs?: number;
  /** Failed pings in a row before the engine counts as down: one slow answer on a busy host is not an outage. */
  failuresBeforeDown?: number;
}

const DEFAULT_INTERVAL_MS = 2_000;
const DEFAULT_PING_TIMEOUT_MS = 5_000;
const DEFAULT_FAILURES_BEFORE_DOWN = 2;

export class EngineHealth {
  private current: EngineState = 'unknown';
  private failures = 0;
  private readonly listeners = new Set<(state: EngineState) => void>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private checking: Promise<void> | undefined;

  constructor(private readonly options: EngineHealthOptions) {}

  get state(): EngineState {
    return this.current;
  }

  /** Starts pinging (the first ping at once). */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.checking;
  }

  /** Calls `listener` on every change of state; returns the function that unsubscribes. */
  onChange(listener: (state: EngineState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the engine is in `state` (at once if it is); resolves early, with false, when `signal` aborts. */
  waitFor(state: 'up' | 'down', signal?: AbortSignal): Promise<boolean> {
    if (this.current === state) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (reached: boolean) => {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(reached);
      };
      const onAbort = () => done(false);
      const unsubscribe = this.onChange((next) => {
        if (next === state) done(true);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** One ping now, outside the schedule; returns the state after it. */
  async checkNow(): Promise<EngineState> {
    await (this.checking ??= this.check().finally(() => (this.checking = undefined)));
    return this.current;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.checkNow().finally(() => this.schedule(this.options.intervalMs ?? DEFAULT_INTERVAL_MS));
    }, ms);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    const timeoutMs = this.options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.options.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      this.failures = 0;
      this.set('up');
    } catch (err) {
      this.failures += 1;
      // Before the first answer, one failure is enough to say so: the worker is waiting, not losing anything.
      const threshold = this.current === 'unknown' ? 1 : (this.options.failuresBeforeDown ?? DEFAULT_FAILURES_BEFORE_DOWN);
      if (this.failures >= threshold) this.set('down', err);
    } finally {
      clearTimeout(timer);
    }
  }

  private set(state: EngineState, err?: unknown): void {
    if (state === this.current) return;
    const previous = this.current;
    this.current = state;
    const { logger, endpoint } = this.options;
    if (state === 'up') logger.info({ endpoint, previous }, 'Docker engine answers; sandbox tasks are taken');
    else logger.warn({ endpoint, previous, reason: err instanceof Error ? err.message : String(err) }, 'Docker engine does not answer; sandbox tasks are not taken until it does');
    for (const listener of [...this.listeners]) listener(state);
  }
}
