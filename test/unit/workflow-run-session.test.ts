import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testSession } from '../support/fake-session.js';

const HIGH = { language: 'python' as const, code: 'import os\nos.system("id")' };

describe('run session', () => {
  it('numbers actions a1, a2, … in submission order and queues them', () => {
    const { session } = testSession();
    assert.equal(session.enqueue({ language: 'python', code: 'print(1)' }), 'a1');
    assert.equal(session.enqueue({ language: 'bash', code: 'echo 2' }), 'a2');
    assert.equal(session.queued, 2);
    assert.equal(session.dequeue()?.actionId, 'a1');
    assert.deepEqual(session.state.actions.map((a) => a.status), ['received', 'received']);
  });

  it('parses a decision once: a padded approver is recorded trimmed and then counts as a duplicate', () => {
    const { session, events } = testSession();
    session.enqueue(HIGH);
    const action = session.state.actions[0]!;
    action.requiredApprovals = 2;
    session.setActionStatus(action, 'awaiting_approval');
    const padded = session.parseDecision({ actionId: 'a1', decision: 'approve', approver: ' bob ', channel: 'cli' });
    assert.equal(padded.refusal, undefined);
    const outcome = session.recordHumanDecision(padded.decision!);
    assert.deepEqual(outcome, { actionId: 'a1', status: 'awaiting_approval', approvals: 1, requiredApprovals: 2 });
    const again = session.parseDecision({ actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'api' });
    assert.equal(again.refusal?.type, 'duplicate_decision');
    assert.deepEqual(action.decisions.map((d) => d.approver), ['bob']);
    assert.deepEqual(events.decisions, ['a1:bob:approve']);
  });

  it('explains an invalid decision and keeps an ignored signal with its reason', () => {
    const { session, events } = testSession();
    const parsed = session.parseDecision({ actionId: 'a1', decision: 'maybe', approver: 'bob', channel: 'cli' });
    assert.equal(parsed.decision, undefined);
    assert.match(!parsed.decision ? parsed.invalid : '', /decision must be "approve" or "deny"/);
    session.ignoreDecision({ actionId: 'a1', approver: 'bob', channel: 'cli' }, undefined);
    assert.deepEqual(session.state.ignoredDecisions.map((d) => [d.actionId, d.approver, d.reason]), [['a1', 'bob', 'invalid decision']]);
    assert.deepEqual(events.ignored, ['']);
  });

  it('refuses decisions before the policy is pinned and actions once closed', () => {
    const { session } = testSession({ policy: null });
    session.enqueue(HIGH);
    session.setActionStatus(session.state.actions[0]!, 'awaiting_approval');
    assert.equal(session.parseDecision({ actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli' }).refusal?.type, 'policy_loading');
    session.close('closed');
    session.close('idle');
    assert.equal(session.state.closedReason, 'closed');
    assert.throws(() => session.validateAction({ language: 'python', code: 'print(1)' }), /run run-1 is closed and accepts no more actions/);
  });

  it('records policy decisions with the pinned version and keeps the highest risk', () => {
    const { session } = testSession();
    session.enqueue(HIGH);
    const action = session.state.actions[0]!;
    session.recordPolicyDecision(action, 'deny', ['gate.critical.deny'], 'critical risk is denied by policy');
    assert.equal(action.decisions[0]?.policyVersion, session.pinnedPolicy.version);
    assert.equal(action.decisions[0]?.automatic, true);
    session.raiseRisk('high');
    session.raiseRisk('low');
    assert.equal(session.state.highestRisk, 'high');
  });
});
