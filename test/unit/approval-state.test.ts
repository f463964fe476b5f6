import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentPolicy } from '../../policy/policy-snapshot.js';
import { resolveLimits } from '../../schemas/action.js';
import type { DecisionInput } from '../../schemas/decision.js';
import type { ActionState } from '../../schemas/run.js';
import { approvalCount, decisionRefusal, isDecided } from '../../workflows/approval-state.js';

function action(overrides: Partial<ActionState> = {}): ActionState {
  return {
    actionId: 'a1',
    language: 'python',
    code: 'print(1)',
    status: 'awaiting_approval',
    submittedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    limits: resolveLimits(undefined),
    decisions: [],
    requiredApprovals: 2,
    ...overrides,
  };
}

const approve = (approver: string): ActionState['decisions'][number] => ({
  decision: 'approve',
  approver,
  channel: 'cli',
  at: '2026-01-01T00:00:01.000Z',
  automatic: false,
  policyVersion: 'v',
});

const decision = (approver: string, kind: 'approve' | 'deny' = 'approve'): DecisionInput => ({
  actionId: 'a1',
  decision: kind,
  approver,
  channel: 'cli',
});

const anyone = currentPolicy({ approvers: null });
const context = (a: ActionState | undefined, policy = anyone) => ({ runId: 'run-x', requester: 'alice', policy, action: a });

describe('approval counting', () => {
  it('counts one approver once, so a quorum of two needs two people', () => {
    const a = action({ decisions: [approve('bob'), approve('bob')] });
    assert.equal(approvalCount(a), 1);
    assert.equal(isDecided(a), false);
    a.decisions.push(approve('carol'));
    assert.equal(isDecided(a), true);
  });

  it('ends the wait on a single deny', () => {
    const a = action({ decisions: [{ ...approve('bob'), decision: 'deny' }] });
    assert.equal(isDecided(a), true);
  });
});

describe('decision refusals', () => {
  it('refuses the requester approving their own action', () => {
    assert.match(decisionRefusal(decision('alice'), context(action())) ?? '', /alice requested this action and may not approve it/);
  });

  it('lets the requester deny their own action', () => {
    assert.equal(decisionRefusal(decision('alice', 'deny'), context(action())), undefined);
  });

  it('refuses a second decision by the same approver', () => {
    assert.match(decisionRefusal(decision('bob'), context(action({ decisions: [approve('bob')] }))) ?? '', /already decided/);
  });

  it('refuses unknown actions and actions not awaiting approval, saying which', () => {
    assert.match(decisionRefusal(decision('bob'), context(undefined)) ?? '', /has no action a1/);
    assert.match(decisionRefusal(decision('bob'), context(action({ status: 'succeeded' }))) ?? '', /not awaiting approval \(status: succeeded\)/);
    assert.match(decisionRefusal(decision('bob'), context(action({ status: 'timed_out' }))) ?? '', /already timed out/);
  });

  it('refuses principals outside the approver list when the policy has one', () => {
    const restricted = currentPolicy({ approvers: ['carol'] });
    assert.match(decisionRefusal(decision('bob'), context(action(), restricted)) ?? '', /not an authorised approver/);
    assert.equal(decisionRefusal(decision('carol'), context(action(), restricted)), undefined);
  });

  it('changes the policy version when the approver list changes', () => {
    assert.notEqual(currentPolicy({ approvers: ['carol'] }).version, anyone.version);
    assert.equal(currentPolicy({ approvers: ['b', 'a'] }).version, currentPolicy({ approvers: ['a', 'b'] }).version);
  });
});
