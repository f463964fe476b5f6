/**
 * The Go builds of `npm run test:production` (SeaweedFS, then the Temporal server and its SQL tool) and nothing else,
 * for `.ci/run` to start in the background while `npm test` runs: on a new machine they take most of an hour of
 * compiling at low priority, and the tests leave cores idle while they wait on Docker and Temporal. SeaweedFS comes
 * first because `npm test`'s S3 tests need it (they wait on the build lock meanwhile). No package installs here, so
 * nothing contends with `npm test`'s own set-up for apt's lock. `test:production` later finds the binaries in the
 * build cache, or waits for this build's lock, or builds again if this one failed.
 */
import { buildCacheDir } from '../setup/build-cache.js';
import { ensureSeaweedfs } from '../setup/ensure-seaweedfs.js';
import { ensureTemporalServer } from '../setup/ensure-temporal-server.js';
import { createStderrProgress } from '../setup/progress.js';
import { exitWithStatus } from '../test-stack/exit-with-status.js';
import { PhaseTimings } from './phase-timings.js';

async function main(): Promise<number> {
  const onProgress = createStderrProgress();
  const timings = new PhaseTimings(onProgress);
  const binDir = buildCacheDir();
  const weed = await timings.time('SeaweedFS', () => ensureSeaweedfs({ binDir, onProgress }));
  onProgress(`SeaweedFS ready (${weed})`);
  const temporal = await timings.time('Temporal server', () => ensureTemporalServer({ binDir, onProgress }));
  onProgress(`Temporal server ready (${temporal.server}, ${temporal.sqlTool})`);
  onProgress(`production builds done: ${timings.summary()}`);
  return 0;
}

exitWithStatus(main, 'airlock-production-prebuild');
