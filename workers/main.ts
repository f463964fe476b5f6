#!/usr/bin/env node
/**
 * Production worker entry point: `node dist/workers/main.js [--role control|sandbox|all]`. Control workers run the
 * workflows and light activities; sandbox workers need a Docker engine and can run on as many hosts as needed, all
 * polling the same `<queue>-sandbox` task queue.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { runWorkers } from './run-workers.js';

const ROLES = ['control', 'sandbox', 'all'] as const;
type Role = (typeof ROLES)[number];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' } } });
  const role = values.role as Role;
  if (!ROLES.includes(role)) throw new ConfigError(`--role must be one of ${ROLES.join(', ')}, not "${values.role}"`);
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => abort.abort());
  await runWorkers({
    config,
    logger,
    signal: abort.signal,
    roles: { control: role !== 'sandbox', sandbox: role !== 'control' },
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`airlock worker: ${err.message}\n`);
  } else {
    createLogger().fatal({ err }, 'worker failed');
  }
  process.exit(1);
});
