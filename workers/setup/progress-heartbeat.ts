import type { ProgressReporter } from './progress.js';

/** Between "still …" lines of a long step: often enough that CI logs show life, rarely enough to stay readable. */
export const HEARTBEAT_MS = 120_000;

/** Whole minutes, for progress lines ("3 min"); under a minute reads "0 min" rather than a misleading decimal. */
export function minutesSince(startedMs: number, nowMs: number = Date.now()): string {
  return `${Math.floor((nowMs - startedMs) / 60_000)} min`;
}

/**
 * Reports `still <what> (N min so far)` every `intervalMs` until the returned function is called. A Go build of the
 * Temporal server prints nothing for half an hour; without these lines a CI log cannot tell a slow build from a
 * hung one. The timer does not keep the process alive.
 */
export function startHeartbeat(onProgress: ProgressReporter, what: string, intervalMs: number = HEARTBEAT_MS): () => void {
  const started = Date.now();
  const timer = setInterval(() => onProgress(`still ${what} (${minutesSince(started)} so far)`), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
