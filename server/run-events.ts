/** Run events on the wire as server-sent events; the events themselves are derived in workflows/run-events.ts. */
import { runEventPayload, type RunEvent } from '../workflows/run-events.js';

/** The events after `lastEventId` (all of them when it is unknown or absent). */
export function eventsAfter(events: readonly RunEvent[], lastEventId: string | undefined): RunEvent[] {
  if (lastEventId === undefined) return [...events];
  const index = events.findIndex((event) => event.id === lastEventId);
  return index < 0 ? [...events] : events.slice(index + 1);
}

/** One event in the server-sent events wire format. */
export function formatServerSentEvent(event: RunEvent): string {
  const payload = JSON.stringify(runEventPayload(event));
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${payload}\n\n`;
}
