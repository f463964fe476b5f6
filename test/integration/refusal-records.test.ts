/**
 * A refused decision is recorded, not only logged: when the workflow's validator refuses a signed `decide` update
 * (which leaves nothing in history), the deciding service reports it back and the run keeps it, with the workflow's
 * own reason, for `airlock audit` and the run's state. Reports from anyone else who reaches Temporal are kept only
 * when they are genuine: unsigned, tampered, copied or surplus reports are not. The histories this writes replay.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { AirlockClient } from '../../client/sdk.js';
import { renderAudit } from '../../cli/render-audit.js';
import { AirlockMetrics } from '../../platform/telemetry/metrics.js';
import { disabledTracing } from '../../platform/telemetry/tracing.js';
import type { RunState } from '../../schemas/run.js';
import { metricsSinks } from '../../workers/telemetry/metrics-sinks.js';
import { decisionRefusedSignal, getRunQuery } from '../../workflows/messages.js';
import { MAX_REFUSAL_REPORTS_PER_ACTION } from '../../workflows/refusal-reports.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { actionIs, waitForRun } from '../support/runs.js';
import { decideSigned, signatureFor } from '../support/signed-decision.js';
import { workflowBundle } from '../support/temporal.js';

const MEDIUM_CODE = 'import subprocess\nprint(subprocess.run(["echo", "refused"], capture_output=True, text=True).stdout.strip())';
const policy = () => 'levels:\n  medium:\n    mode: human\n    quorum: 1\n    timeout: 5m\n';

type Ignored = RunState['ignoredDecisions'][number];

void describe('refused decisions are recorded', () => {
  let stack: ApiStack;
  let alice: string;
  let bob: string;
  before(async () => {
    stack = await startApiStack({ policy });
    alice = stack.tokenFor('alice', ['agent', 'approver']);
    bob = stack.tokenFor('bob', ['approver']);
  });
  after(async () => {
    await stack?.stop();
  });

  const waitingRun = async (): Promise<string> => {
    const started = await stack.call('POST', '/v1/runs', { token: alice, body: { agent: 'refusal-agent', closeWhenDone: false, actions: [{ language: 'python', code: MEDIUM_CODE }] } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const runId = started.body.runId as string;
    await waitForRun(stack.workers.client.workflow.getHandle(runId), actionIs('a1', 'awaiting_approval'));
    return runId;
  };
  const refusedOf = async (runId: string): Promise<Ignored[]> =>
    ((await stack.call('GET', `/v1/runs/${runId}`, { token: bob })).body as RunState).ignoredDecisions.filter((i) => i.refusal !== undefined);

  void it('records refusals the deciding service sees, with the workflow reason, in the run and in airlock audit', async () => {
    const runId = await waitingRun();
    const own = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: alice, body: { decision: 'approve' } });
    assert.equal(own.status, 403, JSON.stringify(own.body));
    assert.equal(own.body.error.reason, 'self_approval');
    const approved = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: bob, body: { decision: 'approve', reason: 'fine' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const again = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: bob, body: { decision: 'deny' } });
    assert.equal(again.status, 409, JSON.stringify(again.body));

    const handle = stack.workers.client.workflow.getHandle(runId);
    const done = await waitForRun(handle, actionIs('a1', 'succeeded'), 60_000);
    const refused = done.ignoredDecisions.filter((i) => i.refusal !== undefined);
    assert.deepEqual(
      refused.map((r) => [r.approver, r.decision, r.channel]),
      [
        ['alice', 'approve', 'api'],
        ['bob', 'deny', 'api'],
      ],
    );
    assert.equal(refused[0]!.refusal, 'self_approval');
    assert.ok(refused[1]!.refusal && refused[1]!.reason, 'the late decision is recorded with the workflow reason');
    assert.match(refused[0]!.reason, /may not approve it/);
    assert.equal(done.actions[0]!.decisions.filter((d) => !d.automatic).length, 1, 'the refused ones counted for nothing');

    const client = await AirlockClient.connect(stack.workers.config);
    try {
      const report = await client.audit(runId);
      const ignored = report.actions[0]!.ignoredDecisions.filter((i) => i.via === 'refused-update');
      assert.deepEqual(ignored.map((i) => [i.approver, i.decision, i.refusal]), [['alice', 'approve', 'self_approval'], ['bob', 'deny', refused[1]!.refusal]]);
      assert.match(renderAudit(report), /ignored approve from alice \(refused update, self_approval\): .*may not approve it/);
    } finally {
      await client.disconnect();
    }

    // The run's history, report signals included, replays against the workflow code.
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), sinks: { ...disabledTracing().workflowSinks(), ...metricsSinks(new AirlockMetrics({ defaultMetrics: false })) } },
      history,
      runId,
    );
    await handle.terminate('test done');
  });

  void it('keeps no unsigned, tampered, copied or surplus report, and never counts one', async () => {
    const runId = await waitingRun();
    const handle = stack.workers.client.workflow.getHandle(runId);
    const report = (decision: unknown) => handle.signal(decisionRefusedSignal, decision as never);
    const home = stack.home;

    await report({ actionId: 'a1', decision: 'approve', approver: 'mallory', channel: 'api' });
    const genuine = { actionId: 'a1', decision: 'approve' as const, approver: 'alice', channel: 'api' as const };
    const signature = await signatureFor(handle, home, genuine);
    await report({ ...genuine, signature: { ...signature, signature: signature.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } });
    await report({ ...genuine, approver: 'bob', signature });
    await report({ ...genuine, signature });
    await report({ ...genuine, signature });
    let refused: Ignored[] = [];
    for (let i = 0; i < 100 && refused.length === 0; i++) {
      refused = (await handle.query(getRunQuery)).ignoredDecisions.filter((d) => d.refusal !== undefined);
      if (refused.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(refused.map((r) => [r.approver, r.refusal]), [['alice', 'self_approval']], 'only the genuine report, once');

    // Bounded: distinct genuine reports past the cap are not kept.
    for (let i = 0; i < MAX_REFUSAL_REPORTS_PER_ACTION + 3; i++) {
      await report({ ...genuine, reason: `try ${i}`, signature: await signatureFor(handle, home, { ...genuine, reason: `try ${i}` }) });
    }
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal((await refusedOf(runId)).length, MAX_REFUSAL_REPORTS_PER_ACTION);

    // A report of a decision that would count is not kept, and does not count either.
    const bobs = { actionId: 'a1', decision: 'approve' as const, approver: 'bob', channel: 'api' as const };
    await report({ ...bobs, signature: await signatureFor(handle, home, bobs) });
    await new Promise((r) => setTimeout(r, 1_000));
    const state = await handle.query(getRunQuery);
    assert.equal(state.actions[0]!.status, 'awaiting_approval', 'a report never approves');
    assert.deepEqual(state.actions[0]!.decisions, []);

    // A copy of a decision that counted is no refusal.
    const at = new Date();
    const outcome = await decideSigned(handle, home, bobs, at);
    assert.equal(outcome.status, 'approved');
    await report({ ...bobs, signature: await signatureFor(handle, home, bobs, at) });
    await waitForRun(handle, actionIs('a1', 'succeeded'), 60_000);
    assert.ok(!(await refusedOf(runId)).some((r) => r.approver === 'bob'), 'no refusal recorded for bob');
    await handle.terminate('test done');
  });
});
