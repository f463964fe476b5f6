import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { loadConfig } from '../../platform/config.js';
import { MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';
import { createLogger } from '../../platform/logger.js';
import { findFreePort } from '../dev-stack/port-check.js';
import { startDevServer, stopLeftoverServer, type DevServer } from '../dev-stack/temporal-dev-server.js';
import { ensureChromium } from '../setup/ensure-chromium.js';
import { ensurePrerequisites } from '../setup/ensure-prerequisites.js';
import { createStderrProgress } from '../setup/progress.js';
import { runInForeground } from './child-process-status.js';
import { exitWithStatus } from './exit-with-status.js';
import { filterTestFiles, findTestFiles } from './test-files.js';
import { makeCanarySecrets, teeWithSecretScan } from './secret-scan.js';

/** Two cores on the reference machine; more parallel files mostly fight over Docker and Temporal. */
const TEST_CONCURRENCY = 2;
const LOOPBACK = '127.0.0.1';
const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `npm test`: the same set-up as `npm run up`, then a private Temporal dev server (free port, database in a temp
 * folder, so it never meets a running `npm run up`), ESLint, and every compiled test under dist/test. Exits with
 * the tests' status (or ESLint's, if only that failed).
 */
async function main(): Promise<number> {
  // Quiet by default: stdout carries the test report, and progress already goes to stderr.
  const logger = createLogger({ name: 'airlock-test', level: process.env.LOG_LEVEL ?? 'warn' });
  const config = loadConfig();
  const onProgress = createStderrProgress();

  const prerequisites = await ensurePrerequisites({
    stateDir: config.home,
    sandboxImageName: config.AIRLOCK_SANDBOX_IMAGE,
    needTemporalCli: true,
    needTestServer: true,
    onProgress,
    logger,
  });
  // The web UI's browser tests drive the system's Chromium (never a downloaded one).
  const chromiumPath = await ensureChromium({ onProgress, logger });
  // From here on a Ctrl-C must not kill us outright: the dev server (its own process group) has to be stopped.
  const interruption = watchForInterruption();
  const testHome = await mkdtemp(path.join(os.tmpdir(), 'airlock-test-'));
  let server: DevServer | undefined;
  let status = 1;
  try {
    // Private servers of earlier `npm test` runs that were killed outright are stopped, not left to pile up.
    const recordDir = path.join(config.home, 'test-servers');
    await stopLeftoverTestServers(recordDir, logger);
    const port = await findFreePort(LOOPBACK);
    onProgress(`starting a private Temporal dev server on ${LOOPBACK}:${port} (state in ${testHome})`);
    server = await startDevServer({
      cliPath: prerequisites.temporalCli!.path,
      dbFile: path.join(testHome, 'temporal.db'),
      logFile: path.join(testHome, 'temporal-server.log'),
      ip: LOOPBACK,
      port,
      uiPort: undefined,
      namespace: config.TEMPORAL_NAMESPACE,
      logger,
      recordFile: path.join(recordDir, `temporal-${process.pid}.json`),
    });
    if (interruption.interrupted) return 130;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      AIRLOCK_TEMPORAL_CLI: prerequisites.temporalCli!.path,
      AIRLOCK_TEST_SERVER_PATH: prerequisites.testServerPath,
      ...(chromiumPath ? { AIRLOCK_CHROMIUM_PATH: chromiumPath } : {}),
      AIRLOCK_HOME: testHome,
    };

    onProgress('running ESLint');
    const lintStatus = await interruption.run('npx', ['eslint', '.'], { cwd: PROJECT_ROOT, env });
    if (interruption.interrupted) return 130;

    const testFiles = filterTestFiles(await findTestFiles(PROJECT_ROOT), process.argv.slice(2));
    if (testFiles.length === 0) {
      onProgress('no compiled tests found under dist/test (or none matched the arguments): nothing was tested');
      return 1;
    }
    onProgress(`running ${testFiles.length} test files`);
    // Every test process gets canary secrets; the suite fails if any of them is ever printed (logs included).
    const canaries = makeCanarySecrets();
    let scans: { leaked: () => string[] }[] = [];
    const testStatus = await interruption.run(
      process.execPath,
      ['--test', `--test-concurrency=${TEST_CONCURRENCY}`, ...testFiles],
      { cwd: PROJECT_ROOT, env: { ...env, ...canaries }, stdio: ['inherit', 'pipe', 'pipe'] },
      (child) => {
        const secrets = Object.values(canaries);
        scans = [teeWithSecretScan(child.stdout!, process.stdout, secrets), teeWithSecretScan(child.stderr!, process.stderr, secrets)];
      },
    );
    const leakedSecrets = scans.flatMap((scan) => scan.leaked());
    if (leakedSecrets.length > 0) onProgress('a canary secret from the environment appeared in the test output: something logs secrets');
    if (interruption.interrupted) return 130;
    if (lintStatus !== 0) onProgress(`ESLint reported problems (exit status ${lintStatus})`);
    // Every test file cleans up its own sandboxes; anything left once they are all done is a leak.
    const leaked = await prerequisites.docker.listContainers({ all: true, filters: { label: [MANAGED_LABEL_FILTER] } });
    if (leaked.length > 0) {
      onProgress(`Airlock containers left behind by the tests: ${leaked.map((c) => c.Names.join(',')).join(' ')}`);
    }
    status = testStatus !== 0 ? testStatus : lintStatus !== 0 ? lintStatus : leaked.length > 0 || leakedSecrets.length > 0 ? 1 : 0;
    return status;
  } finally {
    if (server) {
      onProgress('stopping the private Temporal dev server');
      await server.stop();
    }
    if (status === 0) {
      await rm(testHome, { recursive: true, force: true });
    } else {
      onProgress(`kept ${testHome} (Temporal server log and test state) for inspection`);
    }
    interruption.dispose();
  }
}

/** Every record in the folder belongs to one earlier test run; those whose run is gone name leftovers. */
async function stopLeftoverTestServers(recordDir: string, logger: ReturnType<typeof createLogger>): Promise<void> {
  const files = await readdir(recordDir).catch(() => [] as string[]);
  for (const file of files.filter((name) => name.endsWith('.json'))) {
    // A record of a test run that is still going is refused with an error; that run is not ours to stop.
    await stopLeftoverServer(path.join(recordDir, file), logger).catch(() => undefined);
  }
}

/**
 * SIGINT/SIGTERM while a child runs: pass it on (a terminal's Ctrl-C already reached the child; a `kill` aimed at
 * us did not), let the child end, then clean up instead of dying with the dev server still running.
 */
function watchForInterruption() {
  let current: ChildProcess | undefined;
  const state = { interrupted: false };
  const onSignal = (signal: NodeJS.Signals) => {
    state.interrupted = true;
    current?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get interrupted() {
      return state.interrupted;
    },
    run(command: string, args: readonly string[], options: SpawnOptions, onSpawn?: (child: ChildProcess) => void) {
      return runInForeground(command, args, options, (child) => {
        current = child;
        onSpawn?.(child);
      }).finally(() => (current = undefined));
    },
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}

exitWithStatus(main, 'airlock-test');
