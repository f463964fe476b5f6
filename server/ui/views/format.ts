/** Human-readable times and sizes for the pages (the browser script keeps the relative ones ticking). */

/** "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h": two units at most, enough to judge urgency. */
export function formatDuration(ms: number): string {
  const totalSec = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(totalSec / 86_400);
  const hours = Math.floor((totalSec % 86_400) / 3_600);
  const minutes = Math.floor((totalSec % 3_600) / 60);
  const seconds = totalSec % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/** "2 min ago" for a past ISO time. */
export function formatAgo(iso: string, nowMs: number): string {
  return `${formatDuration(nowMs - Date.parse(iso))} ago`;
}

/** "4 min 10 s left", or "timing out" once the deadline has passed. */
export function formatTimeLeft(deadlineIso: string, nowMs: number): string {
  const left = Date.parse(deadlineIso) - nowMs;
  return left > 0 ? `${formatDuration(left)} left` : 'timing out';
}

/** A stable, readable absolute time (UTC), used in titles and the timeline. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
