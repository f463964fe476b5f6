import os from 'node:os';
import path from 'node:path';

/**
 * Where binaries that take minutes to build (the Go-built test servers) are kept between clones of the repo:
 * AIRLOCK_BUILD_CACHE when set, else `airlock/bin` under the user's cache folder (XDG_CACHE_HOME or ~/.cache). Kept
 * outside the state folder on purpose: every fresh clone has a new `.airlock`, and rebuilding on each would cost a CI
 * run many minutes. Each file name carries the version it was built from, so a version bump builds again.
 */
export function buildCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.AIRLOCK_BUILD_CACHE?.trim();
  if (explicit) return path.resolve(explicit);
  const cacheHome = env.XDG_CACHE_HOME?.trim() || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'airlock', 'bin');
}
