/**
 * A lock between processes for short read-modify-write sections on one file: a lock file created exclusively
 * (`wx`), removed when done. A lock left by a process that died is broken once it is older than `staleMs`.
 * Synchronous, for callers (the token store) whose whole section is synchronous.
 */
import { closeSync, fsyncSync, openSync, rmSync, statSync, writeSync } from 'node:fs';

export class FileLockTimeoutError extends Error {
  override readonly name = 'FileLockTimeoutError';
  constructor(readonly lockFile: string, waitedMs: number) {
    super(`could not lock ${lockFile} within ${waitedMs} ms; if no airlock process is running, remove that file`);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Runs `fn` holding the lock `lockFile`. */
export function withFileLockSync<T>(lockFile: string, fn: () => T, options: { timeoutMs?: number; staleMs?: number } = {}): T {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const started = Date.now();
  let fd: number | undefined;
  for (let wait = 2; fd === undefined; wait = Math.min(wait * 2, 50)) {
    try {
      fd = openSync(lockFile, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lockFile).mtimeMs > staleMs) rmSync(lockFile, { force: true });
      } catch {
        // Released meanwhile.
      }
      if (Date.now() - started > timeoutMs) throw new FileLockTimeoutError(lockFile, timeoutMs);
      sleepSync(wait + Math.random() * wait);
    }
  }
  try {
    writeSync(fd, String(process.pid));
    return fn();
  } finally {
    closeSync(fd);
    rmSync(lockFile, { force: true });
  }
}

/** Writes `text` to `fd` and makes it durable before returning. */
export function writeDurablySync(fd: number, text: string): void {
  writeSync(fd, text);
  fsyncSync(fd);
}
