import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AirlockConfig } from '../../platform/config.js';
import { temporalConnectionOptions, temporalTlsRequested, TemporalTlsError } from '../../platform/temporal-tls.js';
import { startApiServer } from '../../server/start-api-server.js';
import { runWorkers } from '../run-workers.js';
import { ensurePrerequisites } from '../setup/ensure-prerequisites.js';
import { createStderrProgress } from '../setup/progress.js';
import { formatBanner } from './banner.js';
import { parseDevStackEnv } from './dev-stack-env.js';
import { ensureSearchAttributes } from './search-attribute-registration.js';
import { startDevServer, type DevServer } from './temporal-dev-server.js';
import { abortOnTermination } from './termination-signal.js';

/** Loopback only: the dev server has no authentication. */
const DEV_SERVER_IP = '127.0.0.1';
const EXTERNAL_CONNECT_TIMEOUT_MS = 10_000;

export interface EmbeddedStackOptions {
  config: AirlockConfig;
  logger: Logger;
  /** Aborting stops the stack (workers first, then the dev server). Without it, SIGINT/SIGTERM do. */
  signal?: AbortSignal;
  /** Defaults to process.env: TEMPORAL_ADDRESS, AIRLOCK_TEMPORAL_PORT, AIRLOCK_UI_PORT, TEMPORAL_CLI_PATH. */
  env?: NodeJS.ProcessEnv;
  /** Where the banner goes; stderr by default, next to the progress lines. */
  output?: NodeJS.WritableStream;
}

/** The Temporal dev server ended while the workers were still running. */
export class DevServerStoppedError extends Error {
  override readonly name = 'DevServerStoppedError';
  constructor(
    readonly exitCode: number | null,
    readonly logFile: string,
  ) {
    super(`the Temporal dev server stopped unexpectedly (exit code ${String(exitCode)}); see ${logFile}`);
  }
}

/**
 * `airlock up`: installs what is missing, starts the Temporal dev server (unless TEMPORAL_ADDRESS names one) with
 * its database in `<AIRLOCK_HOME>/temporal.db` so earlier runs survive a restart, then runs the workers in the
 * foreground until the signal aborts. Resolves once everything has stopped.
 */
export async function runEmbeddedStack(options: EmbeddedStackOptions): Promise<void> {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const output = options.output ?? process.stderr;
  const settings = parseDevStackEnv(env);
  // The embedded dev server speaks plain gRPC on loopback: TLS settings only make sense for a server named by address.
  if (settings.externalAddress === undefined && temporalTlsRequested(config)) {
    throw new TemporalTlsError(
      'TEMPORAL_TLS_CERT',
      'TEMPORAL_TLS_* are set but TEMPORAL_ADDRESS is not: `up` would start its own dev server, which has no TLS; ' +
        'set TEMPORAL_ADDRESS to the TLS server, or unset the TEMPORAL_TLS_* variables',
    );
  }
  const termination = options.signal ? undefined : abortOnTermination();
  const signal = options.signal ?? termination!.signal;
  const onProgress = createStderrProgress(output);

  try {
    const prerequisites = await ensurePrerequisites({
      stateDir: config.home,
      sandboxImageName: config.AIRLOCK_SANDBOX_IMAGE,
      needTemporalCli: settings.externalAddress === undefined,
      needTestServer: false,
      onProgress,
      logger,
      env,
    });
    if (signal.aborted) return;

    let server: DevServer | undefined;
    const temporalCli = prerequisites.temporalCli;
    if (temporalCli) {
      onProgress(`starting the Temporal dev server on ${DEV_SERVER_IP}:${settings.temporalPort}`);
      server = await startDevServer({
        cliPath: temporalCli.path,
        dbFile: path.join(config.home, 'temporal.db'),
        logFile: path.join(config.home, 'temporal-server.log'),
        recordFile: path.join(config.home, 'temporal-dev-server.json'),
        ip: DEV_SERVER_IP,
        port: settings.temporalPort,
        uiPort: settings.uiPort,
        namespace: config.TEMPORAL_NAMESPACE,
        logger,
      });
    } else if (settings.externalAddress !== undefined) {
      await registerOnExternalServer({ ...config, TEMPORAL_ADDRESS: settings.externalAddress }, logger);
    }

    try {
      if (signal.aborted) return;
      const temporalAddress = server?.address ?? settings.externalAddress ?? config.TEMPORAL_ADDRESS;
      // The HTTP API (and the Slack endpoint) runs beside the workers and stops with them.
      const api = await startApiServer({ config: { ...config, TEMPORAL_ADDRESS: temporalAddress }, logger, env });
      onProgress(`HTTP API listening on ${api.url} (OpenAPI: ${api.url}/v1/openapi.json)`);
      await runWorkersUntilStopped({
        config: { ...config, TEMPORAL_ADDRESS: temporalAddress },
        logger,
        signal,
        server,
        onReady: () =>
          output.write(
            formatBanner({
              temporalAddress,
              namespace: config.TEMPORAL_NAMESPACE,
              uiUrl: server?.uiUrl,
              home: config.home,
              startedServer: server !== undefined,
            }),
          ),
      }).finally(() => api.close());
    } finally {
      if (server) {
        onProgress('stopping the Temporal dev server');
        await server.stop();
      }
    }
  } finally {
    termination?.dispose();
  }
}

/**
 * Runs the workers; if the dev server dies under them they are stopped and the failure is reported, rather than
 * leaving workers that poll nothing.
 */
async function runWorkersUntilStopped(options: {
  config: AirlockConfig;
  logger: Logger;
  signal: AbortSignal;
  server: DevServer | undefined;
  onReady: () => void;
}): Promise<void> {
  const workersController = new AbortController();
  const stopWorkers = () => workersController.abort();
  options.signal.addEventListener('abort', stopWorkers, { once: true });
  let serverDied: DevServerStoppedError | undefined;
  void options.server?.exited.then((code) => {
    if (workersController.signal.aborted) return;
    serverDied = new DevServerStoppedError(code, options.server!.logFile);
    workersController.abort();
  });
  try {
    await runWorkers({
      config: options.config,
      logger: options.logger,
      signal: workersController.signal,
      onReady: options.onReady,
    });
  } finally {
    options.signal.removeEventListener('abort', stopWorkers);
    workersController.abort();
  }
  if (serverDied) throw serverDied;
}

/** With an external server, registering the attributes is best effort: Temporal Cloud, for one, manages them itself. */
async function registerOnExternalServer(config: AirlockConfig, logger: Logger): Promise<void> {
  const address = config.TEMPORAL_ADDRESS;
  // Outside the try: unusable TLS settings stop `up` with their own message instead of a warning.
  const target = temporalConnectionOptions(config);
  try {
    const connection = await Connection.connect({ ...target, connectTimeout: EXTERNAL_CONNECT_TIMEOUT_MS });
    try {
      await ensureSearchAttributes({ connection, namespace: config.TEMPORAL_NAMESPACE, logger });
    } finally {
      await connection.close();
    }
  } catch (err) {
    logger.warn(
      { address, reason: err instanceof Error ? err.message : String(err) },
      'could not check or register search attributes on the external Temporal server; register them with ' +
        '`temporal operator search-attribute create` if runs fail to set them',
    );
  }
}
