import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 2_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but is not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `task` while holding a lock folder (mkdir is atomic), so two test processes that need the same Go build at once
 * do not build it twice in one work folder: the second waits, then finds the binary. A lock whose holder has died
 * is taken over. Gives up waiting after `timeoutMs`.
 */
export async function withBuildLock<T>(lockDir: string, timeoutMs: number, onWait: () => void, task: () => Promise<T>): Promise<T> {
  await mkdir(path.dirname(lockDir), { recursive: true });
  const owner = path.join(lockDir, 'pid');
  const deadline = Date.now() + timeoutMs;
  let waited = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(owner, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number((await readFile(owner, 'utf8').catch(() => '')).trim());
    // A lock without a pid yet is being taken this instant; one whose holder is gone is stale.
    if (holder > 0 && !alive(holder)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for the build lock ${lockDir} (held by pid ${holder || 'unknown'})`);
    if (!waited) onWait();
    waited = true;
    await sleep(POLL_MS);
  }
  try {
    return await task();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
