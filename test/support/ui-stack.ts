/** Real workers + the real HTTP server (API and web UI) on a free loopback port, with tokens for test users. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../platform/logger.js';
import { startApiServer, type ApiServer } from '../../server/start-api-server.js';
import type { ApiRole } from '../../platform/api-roles.js';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { startTestWorkers, testConfig, type TestWorkers } from './temporal.js';

export interface UiStack {
  workers: TestWorkers;
  server: ApiServer;
  baseUrl: string;
  /** Creates an API token for `principal` (as `airlock token create --as P --role approver` would). */
  tokenFor(principal: string, roles?: ApiRole[]): string;
  stop(): Promise<void>;
}

export async function startUiStack(): Promise<UiStack> {
  // A private home: the token file is read-modify-written, so test files must not share one.
  const home = await mkdtemp(path.join(os.tmpdir(), 'airlock-ui-test-'));
  const config = testConfig({ AIRLOCK_HOME: home });
  const workers = await startTestWorkers({ config });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'airlock-ui-test' });
  let server: ApiServer;
  try {
    server = await startApiServer({ config, logger, env: { ...process.env, AIRLOCK_HTTP_HOST: '127.0.0.1', AIRLOCK_HTTP_PORT: '0' } });
  } catch (err) {
    await workers.stop();
    throw err;
  }
  const tokens = new TokenStore(tokenFilePath(config.home));
  return {
    workers,
    server,
    baseUrl: server.url,
    tokenFor: (principal, roles = ['approver']) => tokens.create(principal, { roles }).token,
    async stop() {
      await server.close();
      await workers.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}
