import type { ProgressReporter } from './progress.js';
import { buildGoModuleBinaries } from './go-build.js';
import { isExecutable } from './find-executable.js';
import { GoBuildError } from '../../platform/setup-errors.js';

/** The SeaweedFS release Airlock tests its S3 store against (a pseudo-version: SeaweedFS tags are not module tags). */
export const SEAWEEDFS_MODULE = 'github.com/seaweedfs/seaweedfs';
export const SEAWEEDFS_VERSION = 'v0.0.0-20261109003541-7506e5f91cd6';

/**
 * The `weed` binary (SeaweedFS: an S3-compatible object server in one process): AIRLOCK_WEED_PATH when set, else
 * the copy built earlier into `binDir`, else built now from the Go module (a few minutes, once per machine).
 */
export async function ensureSeaweedfs(options: { binDir: string; onProgress: ProgressReporter; env?: NodeJS.ProcessEnv }): Promise<string> {
  const explicit = (options.env ?? process.env).AIRLOCK_WEED_PATH;
  if (explicit) {
    if (await isExecutable(explicit)) return explicit;
    throw new GoBuildError(`AIRLOCK_WEED_PATH=${explicit} is not an executable file`);
  }
  const [weed] = await buildGoModuleBinaries({
    module: SEAWEEDFS_MODULE,
    version: SEAWEEDFS_VERSION,
    binaries: [{ pkg: './weed', file: `weed-${SEAWEEDFS_VERSION.slice(-12)}` }],
    binDir: options.binDir,
    onProgress: options.onProgress,
    ...(options.env ? { env: options.env } : {}),
  });
  return weed!;
}
