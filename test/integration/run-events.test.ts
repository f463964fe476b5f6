/**
 * GET /v1/runs/{id}/events: a client that holds a connection instead of polling sees every event of a run once, in
 * order, and a reconnect with Last-Event-ID resumes after the last event it saw.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { ALICE_AND_APPROVER_BOB } from '../support/policies.js';

const FLAGGED_CODE = 'import subprocess\nprint(subprocess.run(["echo", "evented"], capture_output=True, text=True).stdout.strip())';


interface StreamedEvent {
  id: string;
  event: string;
  data: { type: string; actionId?: string; decision?: string; approver?: string; status?: string; exitCode?: number };
}

/** Reads a server-sent events stream to its end (or until `stopAfter` events), parsing each event. */
async function readEvents(url: string, token: string, options: { lastEventId?: string; onEvent?: (event: StreamedEvent) => void } = {}): Promise<StreamedEvent[]> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}) },
    signal: AbortSignal.timeout(120_000),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: StreamedEvent[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
      if (!fields.id) continue;
      const event = { id: fields.id, event: fields.event!, data: JSON.parse(fields.data!) as StreamedEvent['data'] };
      events.push(event);
      options.onEvent?.(event);
    }
  }
  return events;
}

void describe('run events as server-sent events', () => {
  let stack: ApiStack;
  let alice: string;
  let bob: string;
  before(async () => {
    stack = await startApiStack({ policy: ALICE_AND_APPROVER_BOB });
    alice = stack.tokenFor('alice');
    bob = stack.tokenFor('bob');
  });
  after(async () => {
    await stack?.stop();
  });

  void it('streams every event of a human-approved one-shot run once, in order, then ends', async () => {
    const started = await stack.call('POST', '/v1/runs', { token: alice, body: { agent: 'sse-agent', closeWhenDone: true, actions: [{ language: 'python', code: FLAGGED_CODE }] } });
    const runId = started.body.runId as string;
    let approved = false;
    const events = await readEvents(`${stack.api.url}/v1/runs/${runId}/events`, alice, {
      onEvent: (event) => {
        if (event.event === 'action.awaiting_approval' && !approved) {
          approved = true;
          void stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: bob, body: { decision: 'approve' } });
        }
      },
    });
    assert.deepEqual(
      events.map((e) => e.id),
      [`${runId}/a1/awaiting_approval`, `${runId}/a1/decided/1`, `${runId}/a1/finished`, `${runId}/closed`],
    );
    assert.deepEqual(events.map((e) => e.event), ['action.awaiting_approval', 'action.decided', 'action.finished', 'run.closed']);
    assert.equal(events[1]?.data.approver, 'bob');
    assert.equal(events[2]?.data.status, 'succeeded');
    assert.equal(events[2]?.data.exitCode, 0);

    const resumed = await readEvents(`${stack.api.url}/v1/runs/${runId}/events`, alice, { lastEventId: `${runId}/a1/decided/1` });
    assert.deepEqual(resumed.map((e) => e.id), [`${runId}/a1/finished`, `${runId}/closed`], 'a reconnect resumes after Last-Event-ID');
  });

  void it('answers 404 for an unknown run and 401 without a token', async () => {
    const unknown = await fetch(`${stack.api.url}/v1/runs/run-nosuchrun/events`, { headers: { authorization: `Bearer ${alice}` } });
    assert.equal(unknown.status, 404);
    const anonymous = await fetch(`${stack.api.url}/v1/runs/run-nosuchrun/events`);
    assert.equal(anonymous.status, 401);
  });
});
