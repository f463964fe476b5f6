import pino, { type Logger } from 'pino';
import type { LogFormat } from '../schemas/config.js';
import { logFormatFor, prettyDestination } from './log-format.js';

/** Paths whose values never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'env',
  '*.env',
  // Signing secrets, bot tokens and request headers that carry credentials (Slack, webhooks, API clients).
  'signingSecret',
  '*.signingSecret',
  'callbackSecret',
  '*.callbackSecret',
  'botToken',
  '*.botToken',
  'apiKey',
  '*.apiKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.cookie',
  'headers["x-slack-signature"]',
  // Secrets the egress proxy adds: no code logs their values; these keep an accidental one out all the same.
  'credentials[*].value',
  '*.credentials[*].value',
  'secretValue',
  '*.secretValue',
  'headers["x-api-key"]',
  '*.headers.authorization',
];

/**
 * The one root logger of a process; units of work take `logger.child({ runId, actionId })`. Writes JSON lines to
 * stdout, or readable lines when stdout is a terminal (`LOG_FORMAT=json|pretty` decides instead when set).
 */
export function createLogger(options: { level?: string; name?: string; format?: LogFormat } = {}): Logger {
  const settings = {
    name: options.name ?? 'airlock',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const format = options.format ?? logFormatFor(process.env.LOG_FORMAT, process.stdout.isTTY === true);
  return format === 'pretty' ? pino(settings, prettyDestination(process.stdout)) : pino(settings);
}
