import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from 'pino';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Temporal's logger interface on top of pino, so SDK, core and workflow logs land in the same JSON stream. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.logger[PINO_LEVEL[level]](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * Routes the Temporal runtime's logs (including the Rust core's, forwarded) into pino. The runtime is process-wide
 * and can be installed once; later calls are no-ops.
 */
export function installTemporalRuntimeLogger(logger: Logger, options: { metricsBindAddress?: string } = {}): void {
  if (Runtime._instance) return;
  Runtime.install({
    logger: new PinoTemporalLogger(logger.child({ component: 'temporal' })),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
      // The runtime's own metrics (polls, task latencies, slots) on a local Prometheus listener; /metrics appends them.
      ...(options.metricsBindAddress ? { metrics: { prometheus: { bindAddress: options.metricsBindAddress } } } : {}),
    },
  });
}

/**
 * For the workflow bundler: its progress report is a multi-line webpack summary, useful when debugging a bundle
 * and noise otherwise, so everything below an error goes to debug.
 */
export function bundlerLogger(logger: Logger): TemporalLogger {
  const child = logger.child({ component: 'workflow-bundler' });
  const debug = (message: string, meta?: LogMetadata) => child.debug(meta ?? {}, message);
  return {
    log: (level, message, meta) => (level === 'ERROR' ? child.error(meta ?? {}, message) : debug(message, meta)),
    trace: debug,
    debug,
    info: debug,
    warn: debug,
    error: (message, meta) => child.error(meta ?? {}, message),
  };
}
