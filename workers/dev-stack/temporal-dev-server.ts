import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { AIRLOCK_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { DevServerStartError, PortInUseError, StackAlreadyRunningError } from '../../platform/setup-errors.js';
import { isPortFree } from './port-check.js';
import {
  readProcessRecord,
  recordedProcessState,
  recordFor,
  recordOwnerRunning,
  removeProcessRecord,
  stopRecordedProcess,
  writeProcessRecord,
} from '../setup/process-record.js';
import { ensureSearchAttributes, searchAttributeCliFlags } from './search-attribute-registration.js';

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 250;
const CONNECT_ATTEMPT_TIMEOUT_MS = 2_000;
const STOP_GRACE_MS = 15_000;
const LOG_TAIL_LINES = 15;

/** How to run `temporal server start-dev`. */
export interface DevServerArgsOptions {
  /** SQLite file; kept across restarts so earlier runs stay visible. */
  dbFile: string;
  /** Address the gRPC frontend (and the UI) bind to; loopback by default so nothing is exposed. */
  ip: string;
  port: number;
  /** Web UI port; undefined runs the server headless (tests). */
  uiPort: number | undefined;
  namespace: string;
  /** Register Airlock's search attributes at start (dropped on a retry if the CLI refuses them). */
  withSearchAttributes: boolean;
}

/** The argument list for `temporal`, kept pure so it can be checked without starting anything. */
export function buildDevServerArgs(options: DevServerArgsOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    options.dbFile,
    '--ip',
    options.ip,
    '--port',
    String(options.port),
  ];
  if (options.uiPort === undefined) {
    args.push('--headless');
  } else {
    // The news feed is fetched from the internet; a local dev tool has no business doing that.
    args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  }
  // "default" always exists; any other namespace has to be created at start.
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.withSearchAttributes) args.push(...searchAttributeCliFlags(AIRLOCK_SEARCH_ATTRIBUTES));
  return args;
}

/** A dev server we started; stop it when done. */
export interface DevServer {
  /** host:port of the gRPC frontend. */
  address: string;
  /** Web UI, when not headless. */
  uiUrl: string | undefined;
  logFile: string;
  /** Settles when the server process ends, for whatever reason. */
  exited: Promise<number | null>;
  /** Asks the server to shut down, then kills it if it does not within a grace period. Idempotent. */
  stop(): Promise<void>;
}

export interface StartDevServerOptions extends Omit<DevServerArgsOptions, 'withSearchAttributes'> {
  cliPath: string;
  logFile: string;
  logger: Logger;
  /**
   * Where to write down the server process (pid, start time, owner). When set, a server left running under that
   * record by an earlier, crashed start is stopped before this one starts; without it nothing is recorded.
   */
  recordFile?: string;
}

/**
 * Starts `temporal server start-dev`, waits until its frontend answers for the namespace, and makes sure Airlock's
 * search attributes are registered. The CLI is passed `--search-attribute` flags; CLI versions that reject them
 * for an existing database (an attribute already present) are retried without, and in every case the attributes
 * are checked and added through the operator service.
 */
export async function startDevServer(options: StartDevServerOptions): Promise<DevServer> {
  if (options.recordFile) await stopLeftoverServer(options.recordFile, options.logger);
  await assertPortsFree(options);
  await mkdir(path.dirname(options.dbFile), { recursive: true });
  await mkdir(path.dirname(options.logFile), { recursive: true });

  try {
    return await startOnce(options, true);
  } catch (err) {
    if (err instanceof DevServerStartError && /search attribute/i.test(err.logTail)) {
      options.logger.warn('the Temporal CLI refused --search-attribute for this database; registering them afterwards');
      return startOnce(options, false);
    }
    throw err;
  }
}

/**
 * A server recorded by an earlier start whose `up` is gone (killed, crashed, power loss) is ours: stop it cleanly
 * so that this start can own a server of its own. Its SQLite database keeps every run. A record whose owner still
 * runs belongs to a live stack, which is never touched; a record whose process ended is just removed.
 */
export async function stopLeftoverServer(recordFile: string, logger: Logger): Promise<void> {
  const record = await readProcessRecord(recordFile);
  if (!record) return;
  if (recordedProcessState(record) === 'running') {
    if (recordOwnerRunning(record)) throw new StackAlreadyRunningError(record.ownerPid!, recordFile);
    logger.warn(
      { pid: record.pid, startedAt: record.startedAt, recordFile },
      'stopping the Temporal dev server left running by an earlier `airlock up` of this state folder',
    );
    await stopRecordedProcess(record, STOP_GRACE_MS);
  }
  await removeProcessRecord(recordFile);
}

async function assertPortsFree(options: StartDevServerOptions): Promise<void> {
  if (!(await isPortFree(options.ip, options.port))) {
    throw new PortInUseError(options.ip, options.port, 'Temporal gRPC');
  }
  if (options.uiPort !== undefined && !(await isPortFree(options.ip, options.uiPort))) {
    throw new PortInUseError(options.ip, options.uiPort, 'Temporal Web UI');
  }
}

async function startOnce(options: StartDevServerOptions, withSearchAttributes: boolean): Promise<DevServer> {
  const { logger, logFile } = options;
  const args = buildDevServerArgs({ ...options, withSearchAttributes });
  const address = `${options.ip}:${options.port}`;
  logger.debug({ cliPath: options.cliPath, args }, 'starting the Temporal dev server');
  // The log is appended to across runs; only what this start writes explains a failure of this start.
  const logOffset = await stat(logFile).then((info) => info.size, () => 0);

  const child = spawnDetached(options.cliPath, args, logFile);
  const { recordFile } = options;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  // If this process ends without stopping the server (an uncaught error), do not leave the server behind.
  const killOnExit = () => {
    child.kill('SIGKILL');
    if (recordFile) rmSync(recordFile, { force: true });
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopChild(child, exited).finally(async () => {
      process.removeListener('exit', killOnExit);
      if (recordFile) await removeProcessRecord(recordFile);
    });
    return stopping;
  };
  // Written before waiting for readiness: a kill during the wait must leave a record the next start can act on.
  if (recordFile && child.pid !== undefined) {
    await writeProcessRecord(recordFile, recordFor(child.pid, [options.cliPath, ...args], process.pid));
  }

  try {
    const connection = await waitUntilReady({ address, namespace: options.namespace, exited, logFile, logOffset });
    try {
      await ensureSearchAttributes({ connection, namespace: options.namespace, logger });
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const uiUrl = options.uiPort === undefined ? undefined : `http://${options.ip}:${options.uiPort}`;
  logger.info({ address, uiUrl, dbFile: options.dbFile, logFile }, 'Temporal dev server is ready');
  return { address, uiUrl, logFile, exited, stop };
}

function spawnDetached(cliPath: string, args: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    // Its own process group: a Ctrl-C in the terminal reaches us, not the server, so we can stop the workers
    // first and the server last.
    return spawn(cliPath, args, { detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

async function waitUntilReady(options: {
  address: string;
  namespace: string;
  exited: Promise<number | null>;
  logFile: string;
  logOffset: number;
}): Promise<Connection> {
  let exitCode: number | null | undefined;
  void options.exited.then((code) => (exitCode = code ?? -1));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new DevServerStartError(
        `the Temporal dev server exited while starting (exit code ${exitCode})`,
        options.logFile,
        await logTail(options.logFile, options.logOffset),
      );
    }
    try {
      const connection = await Connection.connect({
        address: options.address,
        connectTimeout: CONNECT_ATTEMPT_TIMEOUT_MS,
      });
      try {
        await connection.workflowService.describeNamespace({ namespace: options.namespace });
        return connection;
      } catch (err) {
        await connection.close();
        throw err;
      }
    } catch (err) {
      lastError = err;
    }
    await sleep(READY_POLL_MS);
  }
  throw new DevServerStartError(
    `the Temporal dev server did not answer at ${options.address} within ${READY_TIMEOUT_MS / 1000}s`,
    options.logFile,
    await logTail(options.logFile, options.logOffset),
    { cause: lastError },
  );
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([exited, gaveUp]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

async function logTail(logFile: string, fromOffset: number): Promise<string> {
  const text = await readFile(logFile).then((bytes) => bytes.subarray(fromOffset).toString('utf8'), () => '');
  return text
    .trimEnd()
    .split('\n')
    .slice(-LOG_TAIL_LINES)
    .map((line) => `  ${line}`)
    .join('\n');
}
