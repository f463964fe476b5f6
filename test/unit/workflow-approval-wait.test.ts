import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LevelGate } from '../../schemas/policy.js';
import { awaitApproval, ladderSteps, type ApprovalWaitDeps } from '../../workflows/approval-wait.js';
import { testSession, type TestClock } from '../support/fake-session.js';

/** A `condition` stand-in: time jumps to the deadline unless `decideAt` (ms after the start) comes first. */
function fakeWait(clock: TestClock, decideAt: number | undefined, decide: () => void) {
  const start = clock.ms;
  const announced: string[] = [];
  const outcomes: string[] = [];
  const deps: ApprovalWaitDeps = {
    async waitUntil(test, timeoutMs) {
      const end = clock.ms + timeoutMs;
      if (decideAt !== undefined && start + decideAt <= end) {
        clock.ms = Math.max(clock.ms, start + decideAt);
        decide();
      } else {
        clock.ms = end;
      }
      return test();
    },
    nowMs: () => clock.ms,
    announce: (_action, _level, stage, channels, roles) => announced.push(`${stage}:${channels.join('+')}:${roles.join('+')}`),
    publishOutcome: (_action, _level, outcome) => outcomes.push(outcome),
    escalated: () => undefined,
  };
  return { deps, announced, outcomes };
}

const LADDER: LevelGate = {
  mode: 'human',
  quorum: 1,
  timeoutMs: 60_000,
  notify: ['webhook'],
  escalation: [
    { afterMs: 10_000, channels: ['slack'], roles: ['lead'] },
    { afterMs: 30_000, channels: [], roles: ['admin'] },
    { afterMs: 90_000, channels: ['slack'], roles: ['never'] },
  ],
};

describe('approval wait', () => {
  it('keeps only the ladder steps that start before the timeout', () => {
    assert.deepEqual(ladderSteps(LADDER, 60_000).map((s) => s.afterMs), [10_000, 30_000]);
  });

  it('climbs the ladder, then denies by policy at the timeout', async () => {
    const { session, clock } = testSession();
    session.enqueue({ language: 'python', code: 'import subprocess' });
    const action = session.state.actions[0]!;
    const { deps, announced, outcomes } = fakeWait(clock, undefined, () => undefined);
    assert.equal(await awaitApproval(session, deps, action, 'medium', LADDER), false);
    assert.deepEqual(announced, ['0:webhook:', '1:slack:lead', '2:webhook:admin']);
    assert.equal(action.status, 'timed_out');
    assert.deepEqual(action.decisions.map((d) => [d.approver, d.decision, d.ruleIds]), [['policy', 'deny', ['gate.approval-timeout']]]);
    assert.deepEqual(outcomes, ['timed_out']);
    assert.equal(action.approvalDeadline, '2026-01-01T00:01:00.000Z');
  });

  it('stops climbing once a human decides, and reports the outcome', async () => {
    const { session, clock } = testSession();
    session.enqueue({ language: 'python', code: 'import subprocess' });
    const action = session.state.actions[0]!;
    const approve = () => session.recordHumanDecision({ actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli' });
    const { deps, announced, outcomes } = fakeWait(clock, 15_000, approve);
    assert.equal(await awaitApproval(session, deps, action, 'medium', LADDER), true);
    assert.deepEqual(announced, ['0:webhook:', '1:slack:lead']);
    assert.equal(action.status, 'awaiting_approval');
    assert.deepEqual(outcomes, ['approved']);
  });

  it('uses the run\'s explicit timeout over the policy\'s', async () => {
    const { session, clock } = testSession({ input: { approvalTimeoutMs: 5_000 } });
    session.enqueue({ language: 'python', code: 'import subprocess' });
    const { deps, announced } = fakeWait(clock, undefined, () => undefined);
    assert.equal(await awaitApproval(session, deps, session.state.actions[0]!, 'medium', LADDER), false);
    assert.deepEqual(announced, ['0:webhook:']);
    assert.match(session.state.actions[0]!.decisions[0]!.reason ?? '', /no decision within 5s/);
  });
});
