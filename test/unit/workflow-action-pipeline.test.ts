import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessRisk as scoreRisk } from '../../policy/assess-risk.js';
import { LEGACY_RISK_RULES } from '../../policy/risk-rules.js';
import type { ExecutionRequest, ExecutionResult } from '../../schemas/execution.js';
import { processAction, type PipelineDeps } from '../../workflows/action-pipeline.js';
import { testSession } from '../support/fake-session.js';

const output = { text: '', inlineComplete: true, bytes: 0, truncated: false, sha256: 'e3b0' };

// The pattern rules are enough to drive the pipeline's branches; the syntax analyser has tests of its own.
function fakeDeps(options: { approve?: boolean; exitCode?: number } = {}) {
  const executed: ExecutionRequest[] = [];
  const assessed: unknown[] = [];
  const deps: PipelineDeps = {
    assessRisk: async (input) => {
      assessed.push(input);
      return { ...scoreRisk(input.code, input.language, LEGACY_RISK_RULES), policyVersion: input.policyVersion, codeSha256: 'c0de' };
    },
    executeCode: async (request) => {
      executed.push(request);
      return { exitCode: options.exitCode ?? 0, stdout: output, stderr: output, timedOut: false, oomKilled: false, durationMs: 5 } as unknown as ExecutionResult;
    },
    awaitApproval: async () => options.approve ?? false,
    failed: () => undefined,
  };
  return { deps, executed, assessed };
}

describe('action pipeline', () => {
  it('auto-approves low risk, records the rule ids and runs it, naming the run and action in every activity input', async () => {
    const { session, events } = testSession();
    session.enqueue({ language: 'python', code: 'print(sum(range(10)))' });
    const action = session.dequeue()!;
    const { deps, executed, assessed } = fakeDeps();
    await processAction(session, deps, action);
    assert.equal(action.status, 'succeeded');
    assert.deepEqual(events.statuses, ['a1:assessed', 'a1:approved', 'a1:running', 'a1:succeeded']);
    assert.deepEqual(action.decisions[0]?.ruleIds, ['gate.low.auto-approve']);
    assert.deepEqual([executed[0]?.runId, executed[0]?.actionId], ['run-1', 'a1']);
    assert.deepEqual((assessed[0] as { actionId: string }).actionId, 'a1');
  });

  it('denies critical code by policy without running it', async () => {
    const { session } = testSession();
    session.enqueue({ language: 'bash', code: 'rm -rf / --no-preserve-root' });
    const action = session.dequeue()!;
    const { deps, executed } = fakeDeps();
    await processAction(session, deps, action);
    assert.equal(action.status, 'denied');
    assert.equal(executed.length, 0);
    assert.equal(session.state.highestRisk, 'critical');
  });

  it('leaves a timed-out wait without a container, and fails an action whose sandbox throws', async () => {
    const { session } = testSession();
    session.enqueue({ language: 'python', code: 'import subprocess\nsubprocess.run(["id"])' });
    const waited = session.dequeue()!;
    const timedOut = fakeDeps({ approve: false });
    await processAction(session, timedOut.deps, waited);
    assert.equal(timedOut.executed.length, 0);

    session.enqueue({ language: 'python', code: 'print(1)' });
    const broken = session.dequeue()!;
    const { deps } = fakeDeps();
    deps.executeCode = async () => {
      throw new Error('sandbox image missing');
    };
    await processAction(session, deps, broken);
    assert.equal(broken.status, 'failed');
    assert.equal(broken.error, 'sandbox image missing');
  });
});
