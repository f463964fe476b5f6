/**
 * How log lines look: JSON lines (for log pipelines, and whenever output is piped) or one readable line per entry
 * on a terminal. The readable form is made from the same JSON pino writes, so redaction applies to both.
 */
import type { LogFormat } from '../schemas/config.js';

/** `LOG_FORMAT` when set; otherwise readable on a terminal and JSON when piped. */
export function logFormatFor(setting: string | undefined, isTty: boolean): LogFormat {
  if (setting === 'json' || setting === 'pretty') return setting;
  return isTty ? 'pretty' : 'json';
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own fields, shown in the line's head rather than as key=value. */
const HEAD_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err']);

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

function time(ms: unknown): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().slice(11, 23) : '--:--:--.---';
}

/** One JSON log line as `HH:MM:SS.mmm LEVEL name: message key=value …`, with an error's stack below it. */
export function prettyLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = LEVEL_NAMES[entry.level as number] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key]) => !HEAD_FIELDS.has(key))
    .map(([key, value]) => `${key}=${fieldValue(value)}`);
  const head = `${time(entry.time)} ${level.padEnd(5)} ${String(entry.name ?? '')}: ${String(entry.msg ?? '')}`;
  const err = entry.err as { message?: unknown; stack?: unknown } | undefined;
  const errLines = err ? [`    ${String(err.stack ?? err.message ?? JSON.stringify(err)).replace(/\n/g, '\n    ')}`] : [];
  return [[head, ...fields].join(' '), ...errLines].join('\n') + '\n';
}

/** A pino destination that writes readable lines to `out`. */
export function prettyDestination(out: { write(text: string): unknown }): { write(line: string): void } {
  return { write: (line) => void out.write(prettyLogLine(line)) };
}
