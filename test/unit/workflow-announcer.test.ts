import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentPolicy } from '../../policy/policy-snapshot.js';
import { Announcer, type AnnouncerDeps } from '../../workflows/announcer.js';
import { testSession } from '../support/fake-session.js';

function withChannels() {
  const policy = { ...currentPolicy({ approvers: null }), channels: { slack: { channel: 'C1' }, webhook: { url: 'http://127.0.0.1:9/hook' } } };
  const { session } = testSession({ policy });
  session.enqueue({ language: 'python', code: 'import subprocess' });
  return { session, action: session.state.actions[0]! };
}

describe('announcer', () => {
  it('records each delivery under its channel, keeps what a channel posted, and updates only those messages', async () => {
    const { session, action } = withChannels();
    const outcomes: unknown[] = [];
    const deps: AnnouncerDeps = {
      notifyApprovers: async ({ channel, runId, actionId }) => {
        assert.deepEqual([runId, actionId], ['run-1', 'a1']);
        return channel === 'slack' ? { delivered: true, slack: { channel: 'C1', ts: '1.5' } } : { delivered: true };
      },
      publishApprovalOutcome: async (input) => void outcomes.push(input),
      now: () => '2026-01-01T00:00:00.000Z',
      failed: (error) => assert.fail(error),
    };
    const announcer = new Announcer(session, deps);
    announcer.announce(action, 'medium', 0, ['slack', 'webhook'], []);
    announcer.publishOutcome(action, 'medium', 'approved');
    assert.equal(announcer.busy, true);
    await announcer.drain();
    assert.equal(announcer.busy, false);
    assert.deepEqual(action.notifications?.map((n) => [n.channel, n.delivered, n.slack?.ts]), [['slack', true, '1.5'], ['webhook', true, undefined]]);
    assert.equal(outcomes.length, 1);
    const update = outcomes[0] as { slack?: unknown; webhook?: unknown; outcome: string; actionId: string };
    assert.deepEqual(update.slack, [{ channel: 'C1', ts: '1.5' }]);
    assert.equal(update.webhook, undefined);
    assert.deepEqual([update.outcome, update.actionId], ['approved', 'a1']);
  });

  it('records a failed delivery on the action instead of failing it, and skips the outcome when nothing was posted', async () => {
    const { session, action } = withChannels();
    let outcomeCalls = 0;
    const announcer = new Announcer(session, {
      notifyApprovers: async () => {
        throw Object.assign(new Error('activity failed'), { cause: new Error('webhook answered 500') });
      },
      publishApprovalOutcome: async () => void outcomeCalls++,
      now: () => '2026-01-01T00:00:00.000Z',
      failed: (error) => assert.fail(error),
    });
    announcer.announce(action, 'medium', 1, ['webhook'], ['lead']);
    announcer.publishOutcome(action, 'medium', 'timed_out');
    await announcer.drain();
    assert.deepEqual(action.notifications, [
      { channel: 'webhook', stage: 1, at: '2026-01-01T00:00:00.000Z', delivered: false, detail: 'activity failed: webhook answered 500', roles: ['lead'] },
    ]);
    assert.equal(outcomeCalls, 0);
  });
});
