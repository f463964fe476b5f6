import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves after `ms` without keeping the process alive for it (a pending retry must not delay shutdown). */
export function delay(ms: number): Promise<void> {
  return sleep(ms, undefined, { ref: false });
}
