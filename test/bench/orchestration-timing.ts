/**
 * How long a run spent outside its sandbox, read from what Temporal recorded for it: the history's event times are
 * the server's clock, which is this machine's clock too, so they compare with the client's submit time.
 *
 * - before the sandbox: from the client's submit to the `executeCode` activity starting on the sandbox worker (the
 *   start request, every workflow task, the policy and risk steps and each dispatch hop);
 * - orchestration: the whole submit → result time minus the `executeCode` activity's own time (so also the result's
 *   way back to the client).
 */
import type { temporal } from '@temporalio/proto';

/** The activity that runs the code in a container (activities/sandbox-activities.ts). */
export const SANDBOX_ACTIVITY = 'executeCode';

export interface TimedEvent {
  eventId: number;
  type: 'scheduled' | 'started' | 'completed' | 'other';
  timeMs: number;
  activityType?: string;
  scheduledEventId?: number;
}

export interface OrchestrationTiming {
  beforeSandboxMs: number;
  sandboxActivityMs: number;
}

/** The first sandbox activity's start and completion times; throws when the history has no completed one. */
export function sandboxActivityWindow(events: readonly TimedEvent[]): { startedMs: number; completedMs: number } {
  const scheduled = events.find((e) => e.type === 'scheduled' && e.activityType === SANDBOX_ACTIVITY);
  if (!scheduled) throw new Error(`the run's history has no ${SANDBOX_ACTIVITY} activity`);
  const started = events.find((e) => e.type === 'started' && e.scheduledEventId === scheduled.eventId);
  const completed = events.find((e) => e.type === 'completed' && e.scheduledEventId === scheduled.eventId);
  if (!started || !completed) throw new Error(`the run's ${SANDBOX_ACTIVITY} activity did not complete`);
  return { startedMs: started.timeMs, completedMs: completed.timeMs };
}

export function orchestrationTiming(events: readonly TimedEvent[], submittedAtMs: number): OrchestrationTiming {
  const window = sandboxActivityWindow(events);
  return { beforeSandboxMs: window.startedMs - submittedAtMs, sandboxActivityMs: window.completedMs - window.startedMs };
}

/** A protobuf timestamp in milliseconds (its seconds are a Long, which prints as its decimal value). */
function timestampMs(ts: temporal.api.history.v1.IHistoryEvent['eventTime']): number {
  return Number(String(ts?.seconds ?? 0)) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);
}

/** The few fields of a fetched history that the timing needs. */
export function timedEvents(history: temporal.api.history.v1.IHistory): TimedEvent[] {
  return (history.events ?? []).map((event) => {
    const base = { eventId: Number(event.eventId ?? 0), timeMs: timestampMs(event.eventTime) };
    if (event.activityTaskScheduledEventAttributes) {
      return { ...base, type: 'scheduled', activityType: event.activityTaskScheduledEventAttributes.activityType?.name ?? '' };
    }
    if (event.activityTaskStartedEventAttributes) {
      return { ...base, type: 'started', scheduledEventId: Number(event.activityTaskStartedEventAttributes.scheduledEventId ?? 0) };
    }
    if (event.activityTaskCompletedEventAttributes) {
      return { ...base, type: 'completed', scheduledEventId: Number(event.activityTaskCompletedEventAttributes.scheduledEventId ?? 0) };
    }
    return { ...base, type: 'other' };
  });
}
