/**
 * The lean fast path against a real Temporal server and real workers: a one-shot run in one client call
 * (update-with-start), waits answered by the workflow's `awaitActions` update, and policy and risk as local
 * activities that still leave everything the audit reads in history.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AirlockClient } from '../../client/sdk.js';
import { InputError, WaitTimeoutError } from '../../client/errors.js';
import { LABELS } from '../../sandbox/labels.js';
import { managedContainers } from '../support/docker.js';
import { runCli } from '../support/cli.js';
import { startedRunIds } from '../support/runs.js';
import { startTestWorkers, uniqueId, type TestWorkers } from '../support/temporal.js';

const MEDIUM_RISK_CODE = 'import subprocess\nprint(subprocess.run(["echo", "held"], capture_output=True, text=True).stdout.strip())';

void describe('fast path: one-call runs and waits without polling', () => {
  let stack: TestWorkers;
  let sdk: AirlockClient;
  before(async () => {
    stack = await startTestWorkers();
    sdk = await AirlockClient.connect(stack.config);
  });
  after(async () => {
    await sdk?.disconnect();
    await stack?.stop();
    const leftovers = (await managedContainers()).filter((c) => startedRunIds.has(c.Labels[LABELS.runId] ?? ''));
    assert.deepEqual(leftovers, [], 'no Airlock container is left behind');
  });

  /** The run's history as the server keeps it. */
  async function historyOf(runId: string) {
    return (await stack.client.workflow.getHandle(runId).fetchHistory()).events ?? [];
  }

  void it('runs one action and returns its output in one call, scoring it with local activities the audit still reads', async () => {
    const runId = uniqueId('run');
    startedRunIds.add(runId);
    const state = await sdk.runAndWait({ agent: 'fast-agent', requester: 'alice', actions: [{ language: 'python', code: 'print(6 * 7)' }] }, { runId });
    assert.equal(state.runId, runId);
    const action = state.actions[0]!;
    assert.equal(action.status, 'succeeded');
    assert.equal(action.result?.stdout.text, '42\n');
    assert.equal(action.risk?.level, 'low');

    const events = await historyOf(runId);
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
    assert.deepEqual(scheduled, ['executeCode'], 'only the sandbox is a full activity round trip');
    assert.ok(events.some((e) => e.markerRecordedEventAttributes), 'policy and risk are recorded as local-activity markers');

    const report = await sdk.audit(runId);
    const audited = report.actions.find((a) => a.actionId === 'a1');
    assert.equal(audited?.assessed?.level, 'low', 'the audit finds the risk assessment in the marker');
    assert.equal(audited?.assessed?.policyVersion, state.policyVersion);
    assert.equal(audited?.execution?.exitCode, 0);
    const verification = await sdk.verifyAudit(runId);
    assert.equal(verification.policyVersion, state.policyVersion, 'the pinned policy is read from the marker');

    // A run that has ended cannot take an update: the wait reads its result instead.
    const ended = await sdk.waitForActions(runId, { until: 'final', timeoutMs: 10_000 });
    assert.equal(ended.status, 'completed');
    assert.equal(ended.actions[0]?.result?.stdout.text, '42\n');
  });

  void it('attaches a keyed retry to the run the first call started', async () => {
    const key = uniqueId('once');
    const input = { agent: 'fast-agent', requester: 'alice', actions: [{ language: 'python' as const, code: 'print("once")' }] };
    const first = await sdk.runAndWait(input, { idempotencyKey: key });
    startedRunIds.add(first.runId);
    const second = await sdk.runAndWait(input, { idempotencyKey: key });
    assert.equal(second.runId, first.runId);
    assert.equal(second.actions.length, 1, 'the retry ran nothing twice');
    assert.equal(second.actions[0]?.result?.stdout.text, 'once\n');
  });

  void it('answers waitForActions from the workflow when an action is held for a human, and when it is done', async () => {
    const { runId } = await sdk.startRun({ agent: 'fast-agent', requester: 'alice' });
    startedRunIds.add(runId);
    const { actionId } = await sdk.submitAction(runId, { language: 'python', code: MEDIUM_RISK_CODE });
    const held = await sdk.waitForActions(runId, { actionIds: [actionId], until: 'decision-needed', timeoutMs: 60_000 });
    assert.equal(held.actions[0]?.status, 'awaiting_approval');
    await assert.rejects(sdk.waitForActions(runId, { actionIds: [actionId], until: 'final', timeoutMs: 500 }), WaitTimeoutError);
    await assert.rejects(sdk.waitForActions(runId, { actionIds: ['a9'], until: 'final' }), (err: unknown) => {
      assert.ok(err instanceof InputError, String(err));
      assert.match(err.message, /has no action a9/);
      return true;
    });
    const low = await sdk.submitAction(runId, { language: 'python', code: 'print("second")' });
    const done = await sdk.waitForActions(runId, { actionIds: [low.actionId], until: 'final', timeoutMs: 60_000 });
    assert.equal(done.actions.find((a) => a.actionId === low.actionId)?.result?.stdout.text, 'second\n');
    const names = (await historyOf(runId)).flatMap((e) => {
      const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      return name ? [name] : [];
    });
    assert.ok(names.includes('awaitActions'), 'the waits were updates the workflow answered');
  });

  void it('airlock run --wait prints the output of a one-call run', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'airlock-fast-'));
    const file = path.join(dir, 'hello.py');
    await writeFile(file, 'print("from the cli")\n');
    const result = await runCli(['run', file, '--wait', '--json', '--as', 'alice'], stack.env);
    assert.equal(result.code, 0, result.stderr);
    const run = JSON.parse(result.stdout);
    startedRunIds.add(run.runId);
    assert.equal(run.actions[0].status, 'succeeded');
    assert.match(JSON.stringify(run.actions[0]), /from the cli/);
  });
});
