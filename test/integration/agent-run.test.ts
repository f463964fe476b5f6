/** The agentRun workflow end to end: real Temporal server, real workers, real Docker sandbox. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { closeUpdate, decideSignal, decideUpdate, getRunQuery, submitActionUpdate } from '../../workflows/messages.js';
import { containersCreatedForRun, managedContainers } from '../support/docker.js';
import { actionIs, startedRunIds, startRun, waitForRun } from '../support/runs.js';
import { LABELS } from '../../sandbox/labels.js';
import { startTestWorkers, type TestWorkers } from '../support/temporal.js';
import { decideSigned, signatureFor } from '../support/signed-decision.js';

const SUBPROCESS_CODE = 'import subprocess\nprint(subprocess.run(["echo", "approved-output"], capture_output=True, text=True).stdout.strip())';
const HIGH_RISK_CODE = 'import os\nos.system("echo two-approvers")';

describe('agentRun workflow', () => {
  let stack: TestWorkers;
  before(async () => {
    stack = await startTestWorkers();
  });
  after(async () => {
    await stack?.stop();
    // Other test files run beside this one: look only at this file's runs.
    const leftovers = (await managedContainers()).filter((c) => startedRunIds.has(c.Labels[LABELS.runId] ?? ''));
    assert.deepEqual(leftovers, [], 'no Airlock container is left behind');
  });

  it('auto-approves low-risk code, records the policy decision with rule ids, and returns stdout', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: 'print(sum(range(10)))' }] });
    const run = await handle.result();
    const action = run.actions[0]!;
    assert.equal(action.status, 'succeeded');
    assert.equal(action.risk?.level, 'low');
    assert.equal(action.result?.stdout.text, '45\n');
    assert.equal(action.result?.exitCode, 0);
    assert.equal(action.decisions.length, 1);
    const decision = action.decisions[0]!;
    assert.equal(decision.approver, 'policy');
    assert.equal(decision.channel, 'policy');
    assert.equal(decision.automatic, true);
    assert.deepEqual(decision.ruleIds, ['gate.low.auto-approve']);
    assert.equal(decision.policyVersion, run.policyVersion);
    assert.match(action.codeSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(run.status, 'completed');
  });

  it('holds medium risk for a human, findable by search attribute, and runs it once approved', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: SUBPROCESS_CODE }] });
    const waiting = await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    assert.equal(waiting.status, 'awaiting_approval');
    assert.equal(waiting.actions[0]?.risk?.level, 'medium');

    // Visibility is eventually consistent: poll the search attribute query briefly.
    let found = false;
    for (let i = 0; i < 40 && !found; i++) {
      for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}' AND AirlockStatus = 'awaiting_approval' AND AirlockAwaitingApproval = true` })) {
        found = wf.workflowId === handle.workflowId;
      }
      if (!found) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(found, 'the waiting run is listed by AirlockStatus = awaiting_approval');

    const outcome = await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli', reason: 'looks fine' });
    assert.deepEqual(outcome, { actionId: 'a1', status: 'approved', approvals: 1, requiredApprovals: 1 });
    const run = await handle.result();
    const action = run.actions[0]!;
    assert.equal(action.status, 'succeeded');
    assert.equal(action.result?.stdout.text, 'approved-output\n');
    assert.equal(action.decisions[0]?.approver, 'bob');
    assert.equal(action.decisions[0]?.reason, 'looks fine');
  });

  it('leaves a denied action denied, without ever creating a container', async () => {
    const since = Date.now();
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: SUBPROCESS_CODE }] });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'deny', approver: 'bob', channel: 'cli', reason: 'no shelling out' });
    const run = await handle.result();
    assert.equal(run.actions[0]?.status, 'denied');
    assert.equal(run.actions[0]?.result, undefined);
    assert.equal(await containersCreatedForRun(handle.workflowId, since), 0);
  });

  it('times out a short approval wait as timed_out, denied by policy, with no container', async () => {
    const since = Date.now();
    const handle = await startRun(stack.client, stack.taskQueue, {
      approvalTimeoutMs: 1_500,
      actions: [{ language: 'python', code: SUBPROCESS_CODE }],
    });
    const run = await handle.result();
    const action = run.actions[0]!;
    assert.equal(action.status, 'timed_out');
    assert.deepEqual(action.decisions.map((d) => [d.approver, d.decision, d.ruleIds]), [['policy', 'deny', ['gate.approval-timeout']]]);
    assert.equal(await containersCreatedForRun(handle.workflowId, since), 0);
  });

  it('denies critical code by policy without waiting for anyone', async () => {
    const since = Date.now();
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'bash', code: 'rm -rf /' }] });
    const run = await handle.result();
    const action = run.actions[0]!;
    assert.equal(action.status, 'denied');
    assert.equal(action.risk?.level, 'critical');
    assert.equal(action.decisions[0]?.approver, 'policy');
    assert.deepEqual(action.decisions[0]?.ruleIds?.slice(0, 2), ['gate.critical.deny', 'any.rm-rf-root']);
    assert.equal(action.approvalDeadline, undefined, 'never waited for approval');
    assert.equal(await containersCreatedForRun(handle.workflowId, since), 0);
  });

  it('refuses the requester approving their own action, with a clear message, and records nothing', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: SUBPROCESS_CODE }] });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    await assert.rejects(
      decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'alice', channel: 'cli' }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError && /alice requested this action and may not approve it/.test(String((err.cause as Error)?.message)),
    );
    const run = await handle.query(getRunQuery);
    assert.deepEqual(run.actions[0]?.decisions, []);
    await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'deny', approver: 'bob', channel: 'cli' });
    await handle.result();
  });

  it('needs two distinct approvers for high risk; the same approver twice counts once', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: HIGH_RISK_CODE }] });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    const first = await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli' });
    assert.deepEqual(first, { actionId: 'a1', status: 'awaiting_approval', approvals: 1, requiredApprovals: 2 });
    await assert.rejects(
      decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'api' }),
      (err: unknown) => /already decided/.test(String(((err as Error).cause as Error)?.message)),
    );
    // A signal duplicate cannot be refused, so it is recorded as ignored instead of counted.
    {
      const decision = { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'slack' } as const;
      await handle.signal(decideSignal, { ...decision, signature: await signatureFor(handle, stack.config.home, decision) });
    }
    const stillWaiting = await waitForRun(handle, (run) => run.ignoredDecisions.length === 1);
    assert.equal(stillWaiting.actions[0]?.status, 'awaiting_approval');
    assert.match(stillWaiting.ignoredDecisions[0]!.reason, /already decided/);
    await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'carol', channel: 'cli' });
    const run = await handle.result();
    assert.equal(run.actions[0]?.status, 'succeeded');
    assert.equal(run.actions[0]?.result?.stdout.text, 'two-approvers\n');
    assert.deepEqual(run.actions[0]?.decisions.map((d) => d.approver), ['bob', 'carol']);
  });

  it('counts an approver once however the name is padded: the update records the parsed decision', async () => {
    const since = Date.now();
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: HIGH_RISK_CODE }] });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    // A raw update whose approver is padded: the schema trims it, and the signature (made for the trimmed name) checks
    // against the parsed value, which is also what is recorded.
    const signature = await signatureFor(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli' });
    const first = await handle.executeUpdate(decideUpdate, { args: [{ actionId: 'a1', decision: 'approve', approver: ' bob ', channel: 'cli', signature }] });
    assert.deepEqual(first, { actionId: 'a1', status: 'awaiting_approval', approvals: 1, requiredApprovals: 2 });
    await assert.rejects(
      decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'api' }),
      (err: unknown) => /bob has already decided/.test(String(((err as Error).cause as Error)?.message)),
    );
    const waiting = await handle.query(getRunQuery);
    assert.equal(waiting.actions[0]?.status, 'awaiting_approval');
    assert.deepEqual(waiting.actions[0]?.decisions.map((d) => d.approver), ['bob']);
    await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'deny', approver: 'carol', channel: 'cli' });
    const run = await handle.result();
    assert.equal(run.actions[0]?.status, 'denied');
    assert.equal(await containersCreatedForRun(handle.workflowId, since), 0);
  });

  it('kills code that outlives its timeout and reports timedOut', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, {
      actions: [{ language: 'python', code: 'import time\nprint("started", flush=True)\ntime.sleep(60)', limits: { timeoutSec: 2 } }],
    });
    const run = await handle.result();
    const result = run.actions[0]?.result;
    assert.equal(run.actions[0]?.status, 'failed');
    assert.equal(result?.timedOut, true);
    assert.equal(result?.stdout.text, 'started\n');
    assert.ok((result?.durationMs ?? 0) < 15_000, `killed promptly (took ${result?.durationMs} ms)`);
  });

  it('reports oomKilled for code that exceeds its memory', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, {
      actions: [{ language: 'python', code: 'blocks = []\nwhile True:\n    blocks.append(bytearray(8 * 1024 * 1024))', limits: { memoryMb: 64 } }],
    });
    const run = await handle.result();
    assert.equal(run.actions[0]?.status, 'failed');
    assert.equal(run.actions[0]?.result?.oomKilled, true);
  });

  it('caps a 10 MB stdout at 1 MiB and flags it, keeping only a preview in history', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, {
      actions: [{ language: 'python', code: 'import sys\nchunk = "x" * 1023 + "\\n"\nfor _ in range(10 * 1024):\n    sys.stdout.write(chunk)' }],
    });
    const run = await handle.result();
    const stdout = run.actions[0]?.result?.stdout;
    assert.equal(run.actions[0]?.status, 'succeeded');
    assert.equal(stdout?.truncated, true);
    assert.equal(stdout?.bytes, 1024 * 1024);
    assert.equal(stdout?.inlineComplete, false);
    assert.ok((stdout?.text.length ?? 0) <= 64 * 1024);
  });

  it('accepts more actions in an open session and refuses them once closed', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, { closeWhenDone: false, actions: [] });
    const { actionId } = await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'node', code: 'console.log(6 * 7)' }] });
    assert.equal(actionId, 'a1');
    await assert.rejects(
      handle.executeUpdate(submitActionUpdate, { args: [{ language: 'ruby' as 'node', code: 'puts 1' }] }),
      (err: unknown) => /unknown language "ruby"/.test(String(((err as Error).cause as Error)?.message)),
    );
    await waitForRun(handle, actionIs('a1', 'succeeded'));
    await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: SUBPROCESS_CODE }] });
    await waitForRun(handle, actionIs('a2', 'awaiting_approval'));
    await handle.executeUpdate(closeUpdate);
    // Closed, but a2 still waits: the run is alive and refuses new work with a reason.
    await assert.rejects(
      handle.executeUpdate(submitActionUpdate, { args: [{ language: 'node', code: 'console.log(1)' }] }),
      (err: unknown) => /is closed and accepts no more actions/.test(String(((err as Error).cause as Error)?.message)),
    );
    await decideSigned(handle, stack.config.home, { actionId: 'a2', decision: 'deny', approver: 'bob', channel: 'cli' });
    const run = await handle.result();
    assert.deepEqual(run.actions.map((a) => a.status), ['succeeded', 'denied']);
    assert.equal(run.actions[0]?.result?.stdout.text, '42\n');
    assert.equal(run.status, 'failed');
    assert.equal(run.closedReason, 'closed');
  });
});
