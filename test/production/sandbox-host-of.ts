/** Which sandbox host ran a run's code, as Temporal recorded it. */
import type { temporal } from '@temporalio/proto';

/**
 * The host (`a` or `b`, from the worker identity `sandbox-a …`) that completed the run's last sandbox activity, and
 * the attempt that did: an attempt above 1 finished work a killed host had started.
 */
export function sandboxHostOf(history: temporal.api.history.v1.IHistory): { host: 'a' | 'b'; attempt: number } | undefined {
  const events = history.events ?? [];
  const byId = new Map(events.map((event) => [String(event.eventId), event]));
  let found: { host: 'a' | 'b'; attempt: number } | undefined;
  for (const event of events) {
    const completed = event.activityTaskCompletedEventAttributes;
    if (!completed) continue;
    const scheduled = byId.get(String(completed.scheduledEventId))?.activityTaskScheduledEventAttributes;
    if (!scheduled?.taskQueue?.name?.includes('-sandbox')) continue;
    const started = byId.get(String(completed.startedEventId))?.activityTaskStartedEventAttributes;
    const host = /^sandbox-(a|b)\b/.exec(completed.identity ?? '')?.[1] as 'a' | 'b' | undefined;
    if (host) found = { host, attempt: started?.attempt ?? 1 };
  }
  return found;
}
