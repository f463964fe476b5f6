import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses `90s`, `15m`, `1.5h`, `2d` or a bare number of seconds into milliseconds. */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const match = DURATION_PATTERN.exec(trimmed);
  if (!match) {
    throw new Error(`"${text}" is not a duration: use a number with a unit, such as 90s, 15m, 2h or 1d`);
  }
  const unit = match[2] as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

/** A duration given either as milliseconds or as text such as `15m`. */
export const DurationMsSchema = z.union([
  z.number().int().positive(),
  z.string().transform((text, ctx) => {
    try {
      return parseDurationMs(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
]);

/** Renders milliseconds compactly (`15m`, `1h30m`, `250ms`) for messages and the CLI. */
export function formatDurationMs(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
