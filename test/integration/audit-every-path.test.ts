/**
 * The audit of one run whose actions took every path — auto-approved, human-approved, human-denied (by signal),
 * timed out, failed code, denied by policy — checked field by field against what the test did, through the SDK
 * and through `airlock audit --json` and `airlock audit --since --jsonl`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AuditDecisionLine } from '../../client/audit-export.js';
import type { AuditAction, AuditReport } from '../../client/audit-report.js';
import { AirlockClient } from '../../client/sdk.js';
import type { ActionInput } from '../../schemas/action.js';
import type { RunState } from '../../schemas/run.js';
import { closeSignal, decideSignal, submitActionUpdate } from '../../workflows/messages.js';
import { runCli } from '../support/cli.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { startTestWorkers, type TestWorkers } from '../support/temporal.js';
import { decideSigned, signatureFor } from '../support/signed-decision.js';

const CODE = {
  auto: 'print("auto")',
  approved: 'import subprocess\nprint(subprocess.run(["echo", "human-ok"], capture_output=True, text=True).stdout.strip())',
  denied: 'import subprocess\nsubprocess.run(["true"])',
  timedOut: 'import subprocess\nsubprocess.run(["false"])',
  failed: 'import sys\nprint("partial")\nsys.exit(3)',
  critical: 'rm -rf / --no-preserve-root',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('airlock audit of a run through every path', () => {
  let stack: TestWorkers;
  let runId: string;
  let final: RunState;
  const started = Date.now();

  before(async () => {
    stack = await startTestWorkers();
    const handle = await startRun(stack.client, stack.taskQueue, {
      closeWhenDone: false,
      actions: [{ language: 'python', code: CODE.auto, task: 'auto path' }],
    });
    runId = handle.workflowId;
    const submit = (action: ActionInput) => handle.executeUpdate(submitActionUpdate, { args: [action] });
    // Updates that arrive with the run's first task are numbered before the start input's actions: let a1 settle.
    await waitForRun(handle, actionIs('a1', 'succeeded'));
    await submit({ language: 'python', code: CODE.approved, task: 'human approves' });
    await submit({ language: 'python', code: CODE.denied });
    await submit({ language: 'python', code: CODE.timedOut, approvalTimeoutMs: 1_000 });
    await submit({ language: 'python', code: CODE.failed });
    await submit({ language: 'bash', code: CODE.critical });
    await waitForRun(handle, actionIs('a2', 'awaiting_approval'));
    await decideSigned(handle, stack.config.home, { actionId: 'a2', decision: 'approve', approver: 'bob', channel: 'cli', reason: 'reviewed' });
    await waitForRun(handle, actionIs('a3', 'awaiting_approval'));
    {
      const decision = { actionId: 'a3', decision: 'deny', approver: 'carol', channel: 'api', reason: 'no subprocesses' } as const;
      await handle.signal(decideSignal, { ...decision, signature: await signatureFor(handle, stack.config.home, decision) });
    }
    await waitForRun(handle, (run) => run.actions.every((a) => ['succeeded', 'failed', 'denied', 'timed_out'].includes(a.status)), 60_000);
    await handle.signal(closeSignal);
    final = await handle.result();
  });
  after(async () => {
    await stack?.stop();
  });

  function byId(report: AuditReport, actionId: string): AuditAction {
    const action = report.actions.find((a) => a.actionId === actionId);
    assert.ok(action, `the audit has ${actionId}`);
    return action;
  }

  function checkReport(report: AuditReport): void {
    assert.equal(report.runId, runId);
    assert.equal(report.agent, 'test-agent');
    assert.equal(report.requester, 'alice');
    assert.equal(report.policyVersion, final.policyVersion);
    assert.equal(report.ended?.outcome, 'completed');
    assert.deepEqual(report.actions.map((a) => [a.actionId, a.status]), [
      ['a1', 'succeeded'],
      ['a2', 'succeeded'],
      ['a3', 'denied'],
      ['a4', 'timed_out'],
      ['a5', 'failed'],
      ['a6', 'denied'],
    ]);
    const codes = [CODE.auto, CODE.approved, CODE.denied, CODE.timedOut, CODE.failed, CODE.critical];
    report.actions.forEach((action, index) => {
      const state = final.actions[index]!;
      assert.equal(action.codeSha256, sha256(codes[index]!), `${action.actionId} code sha256`);
      assert.equal(action.assessed?.level, state.risk?.level);
      assert.equal(action.assessed?.score, state.risk?.score);
      assert.deepEqual(action.assessed?.findings, state.risk?.findings);
      assert.equal(action.assessed?.policyVersion, final.policyVersion);
      assert.ok(action.submitted?.at, `${action.actionId} has a submission time`);
    });

    const auto = byId(report, 'a1');
    assert.equal(auto.assessed?.level, 'low');
    assert.equal(auto.decisions.length, 1);
    assert.equal(auto.decisions[0]?.automatic, true);
    assert.equal(auto.decisions[0]?.via, 'policy');
    assert.ok(auto.decisions[0]?.ruleIds?.includes('gate.low.auto-approve'));
    assert.equal(auto.decisions[0]?.policyVersion, final.policyVersion);

    const approved = byId(report, 'a2');
    assert.equal(approved.assessed?.level, 'medium');
    assert.ok(approved.assessed?.findings.some((finding) => finding.ruleId === 'py.subprocess'));
    assert.deepEqual(
      approved.decisions.map((d) => [d.decision, d.approver, d.channel, d.reason, d.automatic, d.via]),
      [['approve', 'bob', 'cli', 'reviewed', false, 'update']],
    );
    assert.ok(approved.decisions[0]?.eventId, 'the decision points at its history event');

    const denied = byId(report, 'a3');
    assert.deepEqual(
      denied.decisions.map((d) => [d.decision, d.approver, d.channel, d.reason, d.automatic, d.via]),
      [['deny', 'carol', 'api', 'no subprocesses', false, 'signal']],
    );
    assert.equal(denied.execution, undefined, 'a denied action never ran');

    const timedOut = byId(report, 'a4');
    assert.equal(timedOut.decisions.length, 1);
    assert.equal(timedOut.decisions[0]?.automatic, true);
    assert.equal(timedOut.decisions[0]?.decision, 'deny');
    assert.equal(timedOut.execution, undefined);

    const critical = byId(report, 'a6');
    assert.equal(critical.assessed?.level, 'critical');
    assert.equal(critical.decisions[0]?.decision, 'deny');
    assert.equal(critical.decisions[0]?.automatic, true);
    assert.equal(critical.execution, undefined);

    for (const [actionId, exitCode, stdout] of [['a1', 0, 'auto\n'], ['a2', 0, 'human-ok\n'], ['a5', 3, 'partial\n']] as const) {
      const action = byId(report, actionId);
      const state = final.actions.find((a) => a.actionId === actionId)!;
      const execution = action.execution;
      assert.ok(execution, `${actionId} has an execution record`);
      assert.equal(execution.exitCode, exitCode);
      assert.equal(execution.timedOut, false);
      assert.equal(execution.oomKilled, false);
      assert.equal(execution.stdout.sha256, sha256(stdout));
      assert.equal(execution.stdout.bytes, Buffer.byteLength(stdout));
      assert.equal(execution.stderr.sha256, state.result?.stderr.sha256);
      assert.match(execution.sandbox.containerId, /^[0-9a-f]{64}$/);
      assert.match(execution.sandbox.imageId, /^sha256:[0-9a-f]{64}$/);
      assert.equal(execution.sandbox.runtime, state.result?.sandbox.runtime);
      assert.deepEqual(execution.sandbox.limits, state.limits);
      assert.ok(execution.startedAt && execution.completedAt, `${actionId} execution times`);
    }
  }

  it('matches what happened, field by field, through the SDK', async () => {
    const client = await AirlockClient.connect(stack.config);
    try {
      checkReport(await client.audit(runId));
    } finally {
      await client.disconnect();
    }
  });

  it('prints the same report with `airlock audit --json`', async () => {
    const result = await runCli(['audit', runId, '--json'], stack.env);
    assert.equal(result.code, 0, result.stderr);
    checkReport(JSON.parse(result.stdout) as AuditReport);
  });

  it('exports every decision with `airlock audit --since --jsonl`', async () => {
    const minutes = Math.ceil((Date.now() - started) / 60_000) + 1;
    const result = await runCli(['audit', '--since', `${minutes}m`, '--jsonl'], stack.env);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as AuditDecisionLine);
    const ours = lines.filter((line) => line.runId === runId);
    assert.deepEqual(
      ours.map((line) => [line.actionId, line.decision, line.approver, line.automatic]).sort(),
      [
        ['a1', 'approve', 'policy', true],
        ['a2', 'approve', 'bob', false],
        ['a3', 'deny', 'carol', false],
        ['a4', 'deny', 'policy', true],
        ['a5', 'approve', 'policy', true],
        ['a6', 'deny', 'policy', true],
      ],
    );
    for (const line of ours) {
      assert.equal(line.type, 'airlock.decision');
      assert.equal(line.agent, 'test-agent');
      assert.match(line.codeSha256 ?? '', /^[0-9a-f]{64}$/);
      assert.equal(line.risk?.policyVersion, final.policyVersion);
      assert.ok(!Number.isNaN(Date.parse(line.at)));
    }
    // Lines are in time order across runs.
    const times = lines.map((line) => Date.parse(line.at));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
  });
});
