import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunState } from '../schemas/run.js';
import { runEvents } from '../workflows/run-events.js';
import { eventsAfter, formatServerSentEvent } from './run-events.js';

/** How often the stream looks at the run; a comment line keeps idle connections (and proxies) from timing out. */
const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

/**
 * Streams a run's events as server-sent events until the run has closed or the client goes away. The run is read
 * before the response starts, so an unknown run is an ordinary 404. Events are derived from the run's state, so a
 * client that reconnects with Last-Event-ID gets exactly the events after that one.
 */
export async function streamRunEvents(options: {
  request: FastifyRequest;
  reply: FastifyReply;
  runId: string;
  getRun: (runId: string) => Promise<RunState>;
}): Promise<void> {
  const { request, reply, runId, getRun } = options;
  const lastHeader = request.headers['last-event-id'];
  const lastEventId = typeof lastHeader === 'string' && lastHeader !== '' ? lastHeader : undefined;
  let state = await getRun(runId);
  // What the client already has (everything up to its Last-Event-ID) counts as sent.
  const initial = runEvents(state);
  const unsent = new Set(eventsAfter(initial, lastEventId).map((event) => event.id));
  const sent = new Set(initial.filter((event) => !unsent.has(event.id)).map((event) => event.id));

  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let open = true;
  raw.on('close', () => (open = false));
  let lastWrite = Date.now();
  try {
    while (open) {
      for (const event of runEvents(state)) {
        if (sent.has(event.id)) continue;
        sent.add(event.id);
        raw.write(formatServerSentEvent(event));
        lastWrite = Date.now();
        if (event.type === 'run.closed') return;
      }
      if (Date.now() - lastWrite > KEEPALIVE_MS) {
        raw.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      await sleep(POLL_MS);
      if (!open) return;
      state = await getRun(runId);
    }
  } catch (err) {
    // The run became unreadable mid-stream (Temporal down, workers gone): say so as a last event, then end.
    if (open) raw.write(`event: error\ndata: ${JSON.stringify({ message: err instanceof Error ? err.message : String(err) })}\n\n`);
  } finally {
    raw.end();
  }
}
