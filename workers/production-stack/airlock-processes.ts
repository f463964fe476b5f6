import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../dev-stack/port-check.js';
import { startManagedProcess, waitUntilReadyOrStop, type ManagedProcess } from './managed-process.js';

const LOOPBACK = '127.0.0.1';
const READY_TIMEOUT_MS = 180_000;
const WORKER_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const API_MAIN = fileURLToPath(new URL('../../server/main.js', import.meta.url));

/** One Airlock process of the topology, with its own state folder (AIRLOCK_HOME) and log. */
export interface AirlockProcess {
  name: string;
  home: string;
  process: ManagedProcess;
}

export interface AirlockApiProcess extends AirlockProcess {
  /** `http://127.0.0.1:PORT`. */
  url: string;
}

/** Log lines are JSON (LOG_FORMAT=json), so readiness is a message in the log, not a guess at timing. */
async function logHasMessage(process: ManagedProcess, message: string): Promise<boolean> {
  const tail = await process.logTail(400);
  return tail.includes(`"msg":"${message}"`);
}

/**
 * `node dist/workers/main.js --role ROLE` as its own process (so it can be killed like a crashed host), with its
 * own AIRLOCK_HOME under `dir` and the identity `name`. Resolves once its workers poll Temporal.
 */
export async function startAirlockWorker(options: { name: string; role: 'control' | 'sandbox'; dir: string; env: NodeJS.ProcessEnv }): Promise<AirlockProcess> {
  const home = path.join(options.dir, options.name);
  await mkdir(home, { recursive: true });
  const child = startManagedProcess({
    name: `${options.role} worker ${options.name}`,
    command: process.execPath,
    args: [WORKER_MAIN, '--role', options.role],
    env: { ...options.env, AIRLOCK_HOME: home, AIRLOCK_WORKER_IDENTITY: options.name, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    cwd: home,
    logFile: path.join(options.dir, `${options.name}.log`),
  });
  await waitUntilReadyOrStop(child, () => logHasMessage(child, 'workers polling'), READY_TIMEOUT_MS);
  return { name: options.name, home, process: child };
}

/**
 * `node dist/server/main.js` on a free loopback port with its own AIRLOCK_HOME (its token store and, unless
 * AIRLOCK_SIGNING_KEY is given, its signing key). Resolves once it listens.
 */
export async function startAirlockApi(options: { name: string; dir: string; env: NodeJS.ProcessEnv; home?: string }): Promise<AirlockApiProcess> {
  const home = options.home ?? path.join(options.dir, options.name);
  await mkdir(home, { recursive: true });
  const port = await findFreePort(LOOPBACK);
  const child = startManagedProcess({
    name: `API ${options.name}`,
    command: process.execPath,
    args: [API_MAIN],
    env: { ...options.env, AIRLOCK_HOME: home, AIRLOCK_HTTP_HOST: LOOPBACK, AIRLOCK_HTTP_PORT: String(port), LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    cwd: home,
    logFile: path.join(options.dir, `${options.name}.log`),
  });
  const url = `http://${LOOPBACK}:${port}`;
  await waitUntilReadyOrStop(child, async () => (await fetch(`${url}/v1/openapi.json`, { signal: AbortSignal.timeout(2_000) })).ok, READY_TIMEOUT_MS);
  return { name: options.name, home, url, process: child };
}
