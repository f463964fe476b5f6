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

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function main(): Promise<number> {
  const logger = createLogger({ name: 'airlock-production-test', level: process.env.LOG_LEVEL ?? 'warn' });
  const config = loadConfig();
  const onProgress = createStderrProgress();
  const seconds = (since: number) => `${Math.round((Date.now() - since) / 1000)} s`;

  const setupStarted = Date.now();
  await ensurePrerequisites({ stateDir: config.home, sandboxImageName: config.AIRLOCK_SANDBOX_IMAGE, needTemporalCli: false, needTestServer: false, onProgress, logger });
  const binDir = buildCacheDir();
  const temporalStarted = Date.now();
  const temporal = await ensureTemporalServer({ binDir, onProgress });
  onProgress(`Temporal server ready in ${seconds(temporalStarted)} (${temporal.server})`);
  const weedStarted = Date.now();
  const weed = await ensureSeaweedfs({ binDir, onProgress });
  onProgress(`SeaweedFS ready in ${seconds(weedStarted)} (${weed})`);
  const postgresql = await ensurePostgresql({ onProgress });
  onProgress(`set-up done in ${seconds(setupStarted)}`);

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
  const testsStarted = Date.now();
  // The test process stops every server it started; a Ctrl-C reaches it too (same process group) and it cleans up.
  const status = await runInForeground(process.execPath, ['--test', '--test-concurrency=1', ...testFiles], { cwd: PROJECT_ROOT, env });
  onProgress(`production tests took ${seconds(testsStarted)} (exit status ${status})`);
  return status;
}

exitWithStatus(main, 'airlock-production-test');
