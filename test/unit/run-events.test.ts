import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunState } from '../../schemas/run.js';
import { eventsAfter, formatServerSentEvent } from '../../server/run-events.js';
import { runEvents } from '../../workflows/run-events.js';

const decision = (approver: string, at: string, automatic = false) => ({
  decision: 'approve' as const,
  approver,
  channel: automatic ? ('policy' as const) : ('api' as const),
  at,
  automatic,
  policyVersion: 'v1',
});

function run(actions: Partial<RunState['actions'][number]>[], status: RunState['status'] = 'running'): RunState {
  return {
    runId: 'run-x',
    agent: 'agent',
    requester: 'alice',
    status,
    actions: actions.map((a, i) => ({ actionId: `a${i + 1}`, decisions: [], requiredApprovals: 0, submittedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...a })),
  } as unknown as RunState;
}

describe('runEvents', () => {
  it('gives an auto-approved action no approval event, and one decided and one finished event', () => {
    const events = runEvents(run([{ status: 'succeeded', decisions: [decision('policy', '2026-01-01T00:00:01.000Z', true)], updatedAt: '2026-01-01T00:00:02.000Z' }], 'completed'));
    assert.deepEqual(events.map((e) => e.id), ['run-x/a1/decided/1', 'run-x/a1/finished', 'run-x/closed']);
  });

  it('orders events by time across actions, so new events always come after old ones', () => {
    const earlier = runEvents(run([{ status: 'awaiting_approval', requiredApprovals: 1 }, { status: 'awaiting_approval', requiredApprovals: 1, submittedAt: '2026-01-01T00:00:05.000Z' }]));
    const later = runEvents(run([
      { status: 'running', requiredApprovals: 1, decisions: [decision('bob', '2026-01-01T00:00:09.000Z')] },
      { status: 'awaiting_approval', requiredApprovals: 1, submittedAt: '2026-01-01T00:00:05.000Z' },
    ]));
    assert.deepEqual(later.slice(0, earlier.length).map((e) => e.id), earlier.map((e) => e.id));
    assert.deepEqual(eventsAfter(later, earlier.at(-1)!.id).map((e) => e.id), ['run-x/a1/decided/1']);
  });

  it('derives the same ids every time and resumes from an unknown id with everything', () => {
    const state = run([{ status: 'denied', requiredApprovals: 1, decisions: [{ ...decision('bob', '2026-01-01T00:00:03.000Z'), decision: 'deny' }], updatedAt: '2026-01-01T00:00:03.000Z' }]);
    assert.deepEqual(runEvents(state), runEvents(state));
    assert.equal(eventsAfter(runEvents(state), 'nope').length, 3);
  });

  it('formats an event as one server-sent event block', () => {
    const [event] = runEvents(run([{ status: 'awaiting_approval', requiredApprovals: 2 }]));
    const text = formatServerSentEvent(event!);
    assert.match(text, /^id: run-x\/a1\/awaiting_approval\nevent: action\.awaiting_approval\ndata: \{.*"requiredApprovals":2.*\}\n\n$/);
  });
});
