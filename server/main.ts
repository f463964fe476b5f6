#!/usr/bin/env node
/**
 * Standalone HTTP API and web UI: `node dist/server/main.js`, for deployments that run the API apart from the
 * workers (see docker-compose.yml). `airlock up` starts the same server inside the embedded stack.
 */
import { ConfigError, loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { startApiServer } from './start-api-server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'airlock-api', format: config.LOG_FORMAT });
  const server = await startApiServer({ config, logger });
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await server.close();
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`airlock api: ${err.message}\n`);
  } else {
    createLogger({ name: 'airlock-api' }).fatal({ err }, 'API server failed');
  }
  process.exit(1);
});
