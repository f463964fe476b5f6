/**
 * `npm run test:production`: the set-up the production topology needs (Docker engine, sandbox image, gVisor, the
 * Temporal server and SeaweedFS built from their Go modules into the build cache, PostgreSQL from Debian packages),
 * then the tests under dist/test/production, which start the topology themselves. Exits with the tests' status.
 */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { buildCacheDir } from '../setup/build-cache.js';
import { ensurePostgresql } from '../setup/ensure-postgresql.js';
import { ensurePrerequisites } from '../setup/ensure-prerequisites.js';
import { ensureSeaweedfs } from '../setup/ensure-seaweedfs.js';
import { ensureTemporalServer } from '../setup/ensure-temporal-server.js';
import { createStderrProgress } from '../setup/progress.js';
import { runInForeground } from '../test-stack/child-process-status.js';
import { exitWithStatus } from '../test-stack/exit-with-status.js';
import { filterTestFiles, findTestFiles } from '../test-stack/test-files.js';
import { PhaseTimings } from './phase-timings.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function main(): Promise<number> {
  const logger = createLogger({ name: 'airlock-production-test', level: process.env.LOG_LEVEL ?? 'warn' });
  const config = loadConfig();
  const onProgress = createStderrProgress();
  const timings = new PhaseTimings(onProgress);

  // Each step reports what it found or built; a failed build stops here with a set-up error naming the step.
  await timings.time('Docker, sandbox image, gVisor', () =>
    ensurePrerequisites({ stateDir: config.home, sandboxImageName: config.AIRLOCK_SANDBOX_IMAGE, needTemporalCli: false, needTestServer: false, onProgress, logger }),
  );
  const binDir = buildCacheDir();
  const temporal = await timings.time('Temporal server', () => ensureTemporalServer({ binDir, onProgress }));
  onProgress(`Temporal server ready (${temporal.server})`);
  const weed = await timings.time('SeaweedFS', () => ensureSeaweedfs({ binDir, onProgress }));
  onProgress(`SeaweedFS ready (${weed})`);
  const postgresql = await timings.time('PostgreSQL', () => ensurePostgresql({ onProgress }));
  onProgress(`PostgreSQL ready (${postgresql.binDir}); set-up took ${timings.total()}`);

  const testFiles = filterTestFiles(await findTestFiles(PROJECT_ROOT, 'production/'), process.argv.slice(2));
  if (testFiles.length === 0) {
    onProgress('no compiled tests under dist/test/production (or none matched the arguments): nothing was tested');
    return 1;
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // What set-up found or built, so the tests never build again.
    AIRLOCK_TEMPORAL_SERVER_PATH: temporal.server,
    AIRLOCK_TEMPORAL_SQL_TOOL_PATH: temporal.sqlTool,
    AIRLOCK_WEED_PATH: weed,
    AIRLOCK_POSTGRES_BIN: postgresql.binDir,
  };
  // The test process stops every server it started; a Ctrl-C reaches it too (same process group) and it cleans up.
  // Its own time limits (topology start, load, reads) bound this step.
  const status = await timings.time('production tests', () =>
    runInForeground(process.execPath, ['--test', '--test-concurrency=1', ...testFiles], { cwd: PROJECT_ROOT, env }),
  );
  onProgress(`test:production ${status === 0 ? 'passed' : `failed (exit status ${status})`}: ${timings.summary()}`);
  return status;
}

exitWithStatus(main, 'airlock-production-test');
