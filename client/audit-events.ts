/**
 * Decodes a Temporal workflow history into the few event kinds the audit report needs, with payloads converted
 * by the default data converter. Only the fields Airlock reads are typed here; the rest of the proto is ignored.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { LOCAL_ACTIVITY_MARKER, localActivityEvents } from './local-activity-events.js';

interface Timestamp {
  seconds?: { toString(): string } | number | null;
  nanos?: number | null;
}
interface Payloads {
  payloads?: Payload[] | null;
}
interface EventIdLike {
  toString(): string;
}

/** The subset of a history event's proto shape read by the audit. */
export interface RawHistoryEvent {
  eventId?: EventIdLike | null;
  eventTime?: Timestamp | null;
  workflowExecutionStartedEventAttributes?: { input?: Payloads | null; firstExecutionRunId?: string | null; continuedExecutionRunId?: string | null } | null;
  workflowExecutionUpdateAcceptedEventAttributes?: {
    acceptedRequest?: {
      meta?: { updateId?: string | null; identity?: string | null } | null;
      input?: { name?: string | null; args?: Payloads | null } | null;
    } | null;
  } | null;
  workflowExecutionUpdateCompletedEventAttributes?: {
    acceptedEventId?: EventIdLike | null;
    outcome?: { success?: Payloads | null; failure?: { message?: string | null } | null } | null;
  } | null;
  workflowExecutionSignaledEventAttributes?: {
    signalName?: string | null;
    input?: Payloads | null;
    identity?: string | null;
  } | null;
  activityTaskScheduledEventAttributes?: {
    activityId?: string | null;
    activityType?: { name?: string | null } | null;
    input?: Payloads | null;
  } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: EventIdLike | null; attempt?: number | null } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: EventIdLike | null; result?: Payloads | null } | null;
  activityTaskFailedEventAttributes?: {
    scheduledEventId?: EventIdLike | null;
    failure?: { message?: string | null; applicationFailureInfo?: { details?: Payloads | null } | null } | null;
  } | null;
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, Payloads> | null;
    failure?: { message?: string | null } | null;
  } | null;
  workflowExecutionCompletedEventAttributes?: { result?: Payloads | null } | null;
  workflowExecutionFailedEventAttributes?: { failure?: { message?: string | null } | null } | null;
  workflowExecutionTerminatedEventAttributes?: { reason?: string | null } | null;
  workflowExecutionContinuedAsNewEventAttributes?: object | null;
  workflowExecutionCanceledEventAttributes?: object | null;
  workflowExecutionTimedOutEventAttributes?: object | null;
}

interface EventBase {
  eventId: number;
  /** ISO-8601 time the server recorded the event. */
  at: string;
}

/** A history event reduced to what the audit needs, payloads decoded. */
export type AuditEvent = EventBase &
  (
    | { kind: 'started'; input: unknown; firstExecutionRunId?: string; continued?: boolean }
    | { kind: 'update-accepted'; updateId: string; name: string; args: unknown[]; identity?: string }
    | { kind: 'update-completed'; acceptedEventId: number; result?: unknown; failure?: string }
    | { kind: 'signal'; name: string; args: unknown[]; identity?: string }
    | { kind: 'activity-scheduled'; activityId: string; activityType: string; input: unknown }
    | { kind: 'activity-started'; scheduledEventId: number; attempt: number }
    | { kind: 'activity-completed'; scheduledEventId: number; result: unknown }
    | { kind: 'activity-failed'; scheduledEventId: number; failure: string; details?: unknown[] }
    | { kind: 'workflow-completed'; result: unknown }
    | { kind: 'workflow-ended'; outcome: 'failed' | 'terminated' | 'continued-as-new' | 'cancelled' | 'timed-out'; message?: string }
  );

function toMs(ts: Timestamp | null | undefined): number {
  if (!ts) return 0;
  return Number(String(ts.seconds ?? 0)) * 1_000 + Math.floor((ts.nanos ?? 0) / 1_000_000);
}

function toNumber(id: EventIdLike | null | undefined): number {
  return id === null || id === undefined ? 0 : Number(id.toString());
}

function decodeAll(payloads: Payloads | null | undefined): unknown[] {
  return (payloads?.payloads ?? []).map((payload) => {
    try {
      return defaultPayloadConverter.fromPayload(payload);
    } catch {
      // A payload another converter wrote (e.g. encrypted) is shown as absent rather than breaking the audit.
      return undefined;
    }
  });
}

function decodeEvent(event: RawHistoryEvent, base: EventBase): AuditEvent | undefined {
  if (event.workflowExecutionStartedEventAttributes) {
    const attributes = event.workflowExecutionStartedEventAttributes;
    return {
      ...base,
      kind: 'started',
      input: decodeAll(attributes.input)[0],
      ...(attributes.firstExecutionRunId ? { firstExecutionRunId: attributes.firstExecutionRunId } : {}),
      ...(attributes.continuedExecutionRunId ? { continued: true } : {}),
    };
  }
  const accepted = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
  if (accepted) {
    return {
      ...base,
      kind: 'update-accepted',
      updateId: accepted.meta?.updateId ?? '',
      name: accepted.input?.name ?? '',
      args: decodeAll(accepted.input?.args),
      identity: accepted.meta?.identity ?? undefined,
    };
  }
  const updateDone = event.workflowExecutionUpdateCompletedEventAttributes;
  if (updateDone) {
    const failure = updateDone.outcome?.failure;
    return {
      ...base,
      kind: 'update-completed',
      acceptedEventId: toNumber(updateDone.acceptedEventId),
      result: failure ? undefined : decodeAll(updateDone.outcome?.success)[0],
      failure: failure ? (failure.message ?? 'update failed') : undefined,
    };
  }
  const signal = event.workflowExecutionSignaledEventAttributes;
  if (signal) {
    return {
      ...base,
      kind: 'signal',
      name: signal.signalName ?? '',
      args: decodeAll(signal.input),
      identity: signal.identity ?? undefined,
    };
  }
  const scheduled = event.activityTaskScheduledEventAttributes;
  if (scheduled) {
    return {
      ...base,
      kind: 'activity-scheduled',
      activityId: scheduled.activityId ?? '',
      activityType: scheduled.activityType?.name ?? '',
      input: decodeAll(scheduled.input)[0],
    };
  }
  const started = event.activityTaskStartedEventAttributes;
  if (started) {
    return {
      ...base,
      kind: 'activity-started',
      scheduledEventId: toNumber(started.scheduledEventId),
      attempt: started.attempt ?? 1,
    };
  }
  const completed = event.activityTaskCompletedEventAttributes;
  if (completed) {
    return {
      ...base,
      kind: 'activity-completed',
      scheduledEventId: toNumber(completed.scheduledEventId),
      result: decodeAll(completed.result)[0],
    };
  }
  const failed = event.activityTaskFailedEventAttributes;
  if (failed) {
    return {
      ...base,
      kind: 'activity-failed',
      scheduledEventId: toNumber(failed.scheduledEventId),
      failure: failed.failure?.message ?? 'activity failed',
      // The sandbox puts the attempt records of a refused retry here.
      ...(failed.failure?.applicationFailureInfo?.details ? { details: decodeAll(failed.failure.applicationFailureInfo.details) } : {}),
    };
  }
  if (event.workflowExecutionCompletedEventAttributes) {
    return {
      ...base,
      kind: 'workflow-completed',
      result: decodeAll(event.workflowExecutionCompletedEventAttributes.result)[0],
    };
  }
  if (event.workflowExecutionFailedEventAttributes) {
    const message = event.workflowExecutionFailedEventAttributes.failure?.message ?? undefined;
    return { ...base, kind: 'workflow-ended', outcome: 'failed', message };
  }
  if (event.workflowExecutionTerminatedEventAttributes) {
    const message = event.workflowExecutionTerminatedEventAttributes.reason ?? undefined;
    return { ...base, kind: 'workflow-ended', outcome: 'terminated', message };
  }
  if (event.workflowExecutionContinuedAsNewEventAttributes) {
    return { ...base, kind: 'workflow-ended', outcome: 'continued-as-new' };
  }
  if (event.workflowExecutionCanceledEventAttributes) return { ...base, kind: 'workflow-ended', outcome: 'cancelled' };
  if (event.workflowExecutionTimedOutEventAttributes) return { ...base, kind: 'workflow-ended', outcome: 'timed-out' };
  return undefined;
}

/** Decodes the events the audit uses, in history order; all other events are dropped. */
export function decodeHistoryEvents(events: readonly RawHistoryEvent[]): AuditEvent[] {
  const decoded: AuditEvent[] = [];
  for (const event of events) {
    const base = { eventId: toNumber(event.eventId), at: new Date(toMs(event.eventTime)).toISOString() };
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
      const failure = marker.failure ? (marker.failure.message ?? 'local activity failed') : undefined;
      decoded.push(...localActivityEvents(base, decodeAll(marker.details?.data)[0], decodeAll(marker.details?.result)[0], failure));
      continue;
    }
    const audit = decodeEvent(event, base);
    if (audit) decoded.push(audit);
  }
  return decoded;
}
