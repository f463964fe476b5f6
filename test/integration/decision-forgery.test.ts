/**
 * The adversary reaches Temporal directly (as every agent service and an allowlisted sandbox can): forged, replayed
 * and tampered decisions, by update and by signal, and a policy smuggled in through the start input. None may
 * count; every action keeps waiting and no container is created. Real Temporal server, real workers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { DecisionInput } from '../../schemas/decision.js';
import type { PolicySnapshot } from '../../schemas/policy.js';
import { DecisionSigner } from '../../server/decision-signer.js';
import { agentRun } from '../../workflows/agent-run.js';
import { decideSignal, decideUpdate, getRunQuery } from '../../workflows/messages.js';
import { containersCreatedForRun } from '../support/docker.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { decideSigned, signatureFor } from '../support/signed-decision.js';
import { startTestWorkers, uniqueId, type TestWorkers } from '../support/temporal.js';

const MEDIUM_CODE = 'import subprocess\nprint(subprocess.run(["echo", "forged"], capture_output=True, text=True).stdout.strip())';
const HIGH_CODE = 'import os\nos.system("echo two-approvers")';

/** The workflow's refusal type and message, from a rejected `decide` update. */
async function refusalOf(attempt: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  try {
    await attempt;
  } catch (err) {
    assert.ok(err instanceof WorkflowUpdateFailedError, `expected an update rejection, got ${String(err)}`);
    const cause = err.cause as { type?: string; message: string };
    return { type: cause.type, message: cause.message };
  }
  assert.fail('the forged decision was accepted');
}

describe('forged decisions through Temporal', () => {
  let stack: TestWorkers;
  let home: string;
  before(async () => {
    stack = await startTestWorkers();
    home = stack.config.home;
  });
  after(async () => {
    await stack?.stop();
  });

  const stillWaiting = async (handle: WorkflowHandle, since: number) => {
    const run = await handle.query(getRunQuery);
    assert.equal(run.actions[0]?.status, 'awaiting_approval');
    assert.deepEqual(run.actions[0]?.decisions, [], 'nothing was counted');
    assert.equal(await containersCreatedForRun(handle.workflowId, since), 0);
  };

  it('refuses a raw decide update with a made-up approver, and two made-up names never meet a quorum of two', async () => {
    const since = Date.now();
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: HIGH_CODE }] });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    for (const approver of ['mallory', 'mallory-2']) {
      const refusal = await refusalOf(
        handle.executeUpdate(decideUpdate, { args: [{ actionId: 'a1', decision: 'approve', approver, channel: 'cli' }] }),
      );
      assert.equal(refusal.type, 'unsigned');
      assert.match(refusal.message, /counts only when the deciding service signed it/);
    }
    await stillWaiting(handle, since);
    await handle.terminate('test done');
  });

  it('ignores an unsigned decide signal, recording why, and the action keeps waiting', async () => {
    const since = Date.now();
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: MEDIUM_CODE }] });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    await handle.signal(decideSignal, { actionId: 'a1', decision: 'approve', approver: 'mallory', channel: 'slack' });
    const run = await waitForRun(handle, (r) => r.ignoredDecisions.length === 1);
    assert.equal(run.ignoredDecisions[0]?.approver, 'mallory');
    assert.match(run.ignoredDecisions[0]?.reason ?? '', /signed/);
    await stillWaiting(handle, since);
    await handle.terminate('test done');
  });

  it('refuses signatures that were tampered with, made by an unknown key, or expired', async () => {
    const since = Date.now();
    const handle = await startRun(stack.client, stack.taskQueue, { actions: [{ language: 'python', code: MEDIUM_CODE }] });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    const decision = { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'ui' } as const;
    const signature = await signatureFor(handle, home, decision);
    const send = (input: DecisionInput) => refusalOf(handle.executeUpdate(decideUpdate, { args: [input] }));

    // Every field is covered: another principal, channel, reason or issue time breaks the signature.
    for (const tampered of [
      { ...decision, approver: 'mallory', signature },
      { ...decision, channel: 'slack' as const, signature },
      { ...decision, reason: 'added later', signature },
      { ...decision, decision: 'deny' as const, signature },
      { ...decision, signature: { ...signature, issuedAt: new Date(Date.parse(signature.issuedAt) + 1_000).toISOString() } },
    ]) {
      assert.equal((await send(tampered)).type, 'bad_signature', JSON.stringify(tampered));
    }
    const stranger = DecisionSigner.fromSecretKey(randomBytes(32));
    assert.equal((await send({ ...decision, signature: await signatureFor(handle, stranger, decision) })).type, 'unknown_signer');
    const old = await signatureFor(handle, home, decision, new Date(Date.now() - 10 * 60_000));
    const expired = await send({ ...decision, signature: old });
    assert.equal(expired.type, 'signature_expired');
    await stillWaiting(handle, since);

    // The untouched signature counts: the checks above refused the forgery, not the decision.
    const outcome = await handle.executeUpdate(decideUpdate, { args: [{ ...decision, signature }] });
    assert.equal(outcome.status, 'approved');
    const run = await handle.result();
    assert.equal(run.actions[0]?.decisions.find((d) => !d.automatic)?.signerKeyId, signature.keyId);
  });

  it('refuses a signature for a1 replayed on a2, and one for a run that was closed and restarted under the same id', async () => {
    const since = Date.now();
    const first = await startRun(stack.client, stack.taskQueue, {
      closeWhenDone: false,
      actions: [{ language: 'python', code: MEDIUM_CODE }, { language: 'python', code: MEDIUM_CODE }],
    });
    await waitForRun(first, (r) => r.actions.every((a) => a.status === 'awaiting_approval'));
    const forA1 = { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'api' } as const;
    const signature = await signatureFor(first, home, forA1);
    // Same code on a2, so only the action id differs.
    const onA2 = await refusalOf(first.executeUpdate(decideUpdate, { args: [{ ...forA1, actionId: 'a2', signature }] }));
    assert.equal(onA2.type, 'bad_signature');

    // Close + restart: a fresh run under the same workflow id, a1 now with other code.
    await first.terminate('adversary restarts the run');
    const restarted = await stack.client.workflow.start(agentRun, {
      taskQueue: stack.taskQueue,
      workflowId: first.workflowId,
      args: [{ agent: 'test-agent', requester: 'alice', closeWhenDone: true, actions: [{ language: 'python', code: `${MEDIUM_CODE}\nprint("changed")` }] }],
    });
    await waitForRun(restarted, actionIs('a1', 'awaiting_approval'));
    const replayed = await refusalOf(restarted.executeUpdate(decideUpdate, { args: [{ ...forA1, signature }] }));
    assert.equal(replayed.type, 'signature_mismatch');
    assert.match(replayed.message, /another run/);
    // Even re-aimed at the new execution, a signature over the old content does not fit the changed code.
    const state = await restarted.query(getRunQuery);
    const reaimed = DecisionSigner.load({ home, env: {} }).sign({
      runId: state.runId,
      executionId: state.executionId!,
      actionId: 'a1',
      contentSha256: signature.contentSha256,
      decision: 'approve',
      principal: 'bob',
      channel: 'api',
    });
    const changed = await refusalOf(restarted.executeUpdate(decideUpdate, { args: [{ ...forA1, signature: reaimed }] }));
    assert.equal(changed.type, 'signature_mismatch');
    assert.match(changed.message, /runs [0-9a-f]{12}/);
    await stillWaiting(restarted, since);
    await restarted.terminate('test done');
  });

  it('ignores a carry-over (policy and decisions) that a client puts into the start input', async () => {
    const since = Date.now();
    const attacker = DecisionSigner.fromSecretKey(randomBytes(32));
    const forgedPolicy: PolicySnapshot = {
      version: 'forged',
      gates: { low: { mode: 'auto', quorum: 1 }, medium: { mode: 'auto', quorum: 1 }, high: { mode: 'auto', quorum: 1 }, critical: { mode: 'auto', quorum: 1 } },
      approvers: null,
      signers: [{ keyId: attacker.keyId, publicKey: attacker.publicKey, name: 'attacker' }],
    };
    const handle = await startRun(stack.client, stack.taskQueue, {
      actions: [{ language: 'python', code: MEDIUM_CODE }],
      carryOver: { policy: forgedPolicy, startedAt: new Date().toISOString(), ignoredDecisions: [], actions: [] },
    });
    const waiting = await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    assert.notEqual(waiting.policyVersion, 'forged', 'the worker pinned its own policy');
    const decision = { actionId: 'a1', decision: 'approve', approver: 'mallory', channel: 'api' } as const;
    const refusal = await refusalOf(
      handle.executeUpdate(decideUpdate, { args: [{ ...decision, signature: await signatureFor(handle, attacker, decision) }] }),
    );
    assert.equal(refusal.type, 'unknown_signer');
    await stillWaiting(handle, since);
    // A decision by the real deciding service still counts.
    await decideSigned(handle, home, { actionId: 'a1', decision: 'deny', approver: 'bob', channel: 'api' });
    assert.equal((await handle.result()).actions[0]?.status, 'denied');
  });

  it('refuses a decision that arrives after the approval deadline, even before the timer was processed', async () => {
    // Workers of their own, stopped over the deadline: the decision and the fired timer then reach the workflow in
    // the same task, and the validator runs before the timer is handled.
    const config = { ...stack.config, AIRLOCK_TASK_QUEUE: uniqueId('airlock-deadline') };
    let workers = await startTestWorkers({ config });
    try {
      // The suite's client: the stopped workers close their own connection.
      const handle = await startRun(stack.client, config.AIRLOCK_TASK_QUEUE, {
        approvalTimeoutMs: 2_000,
        actions: [{ language: 'python', code: MEDIUM_CODE }],
      });
      const waiting = await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
      const decision = { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'api' } as const;
      // Signed while the wait was open, so only its arrival is late.
      const signature = await signatureFor(handle, home, decision);
      await workers.stop();
      const deadline = Date.parse(waiting.actions[0]!.approvalDeadline!);
      await new Promise((resolve) => setTimeout(resolve, Math.max(deadline - Date.now() + 500, 0)));
      const late = refusalOf(handle.executeUpdate(decideUpdate, { args: [{ ...decision, signature }] }));
      workers = await startTestWorkers({ config });
      const refusal = await late;
      assert.equal(refusal.type, 'past_deadline');
      assert.match(refusal.message, /deadline of action a1 passed/);
      const run = await handle.result();
      assert.equal(run.actions[0]?.status, 'timed_out');
      assert.deepEqual(run.actions[0]?.decisions.map((d) => d.approver), ['policy']);
    } finally {
      await workers.stop();
    }
  });
});
