/**
 * The real API server beside a test's workers, so the CLI and the SDK decide the way users do: through the API, as
 * the principal of a token. `envFor(principal)` is the environment for running the CLI as that person.
 */
import type { ApiRole } from '../../platform/api-roles.js';
import { startApiServer, type ApiServer } from '../../server/start-api-server.js';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { createLogger } from '../../platform/logger.js';
import type { TestWorkers } from './temporal.js';

export interface DecidingApi {
  server: ApiServer;
  url: string;
  tokenFor(principal: string, roles?: ApiRole[]): string;
  /** The workers' CLI environment plus AIRLOCK_API_URL and a fresh AIRLOCK_TOKEN of `principal`. */
  envFor(principal: string, roles?: ApiRole[]): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function startDecidingApi(workers: TestWorkers, extraEnv: NodeJS.ProcessEnv = {}): Promise<DecidingApi> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'airlock-api-test' });
  const server = await startApiServer({
    config: workers.config,
    logger,
    env: { ...process.env, ...extraEnv, AIRLOCK_HTTP_HOST: '127.0.0.1', AIRLOCK_HTTP_PORT: '0' },
  });
  const tokens = new TokenStore(tokenFilePath(workers.config.home));
  const tokenFor = (principal: string, roles: ApiRole[] = ['approver']) => tokens.create(principal, { roles }).token;
  return {
    server,
    url: server.url,
    tokenFor,
    envFor: (principal, roles) => ({ ...workers.env, AIRLOCK_API_URL: server.url, AIRLOCK_TOKEN: tokenFor(principal, roles) }),
    close: () => server.close(),
  };
}
