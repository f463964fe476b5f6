/**
 * Local activities (policy load and risk scoring, from the `local-control-activities` patch on) leave one marker
 * each in history instead of scheduled/started/completed events. This turns such a marker into those same audit
 * events, so the audit, signature verification and shadow replay read both kinds of history alike.
 */
import { ACTIVITY_TYPES } from '../workflows/activity-types.js';
import type { AuditEvent } from './audit-events.js';

/** The marker name the Temporal SDK core gives local-activity markers. */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** What the SDK core keeps about the call in the marker's `data` detail (JSON). */
interface LocalActivityMarkerData {
  activity_id?: string;
  activity_type?: string;
  attempt?: number;
}

interface EventBase {
  eventId: number;
  at: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The audit events one local-activity marker stands for. `assessRiskWithInput` carries the scored input in its
 * result and is reported as `assessRisk` with that input, as a scheduled activity would have been.
 */
export function localActivityEvents(
  base: EventBase,
  data: unknown,
  result: unknown,
  failure: string | undefined,
): AuditEvent[] {
  const marker: LocalActivityMarkerData = isObject(data) ? data : {};
  let activityType = marker.activity_type ?? '';
  let input: unknown;
  let value = result;
  if (activityType === ACTIVITY_TYPES.assessRiskWithInput && isObject(result)) {
    activityType = ACTIVITY_TYPES.assessRisk;
    input = result.input;
    value = result.assessment;
  }
  const events: AuditEvent[] = [
    { ...base, kind: 'activity-scheduled', activityId: marker.activity_id ?? '', activityType, input },
    { ...base, kind: 'activity-started', scheduledEventId: base.eventId, attempt: marker.attempt ?? 1 },
  ];
  events.push(
    failure !== undefined
      ? { ...base, kind: 'activity-failed', scheduledEventId: base.eventId, failure }
      : { ...base, kind: 'activity-completed', scheduledEventId: base.eventId, result: value },
  );
  return events;
}
