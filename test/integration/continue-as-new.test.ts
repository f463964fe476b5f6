/** Long sessions continue as new: real Temporal server, real workers, real Docker sandbox. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { buildListQuery } from '../../client/list-query.js';
import { closeUpdate, getRunQuery, submitActionUpdate } from '../../workflows/messages.js';
import { AGENT_ATTRIBUTE, RISK_ATTRIBUTE, STATUS_ATTRIBUTE } from '../../workflows/search-attributes.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { startTestWorkers, type TestWorkers } from '../support/temporal.js';

const CONTINUED_AS_NEW = proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW;

const AUTO = { mode: 'auto', quorum: 1 } as const;
const ALL_AUTO = { low: AUTO, medium: AUTO, high: AUTO, critical: AUTO };

describe('agentRun continue-as-new', () => {
  let stack: TestWorkers;
  before(async () => {
    stack = await startTestWorkers();
  });
  after(async () => {
    await stack?.stop();
  });

  it('continues a long session under the same id, keeping its actions, numbering, policy and search attributes', async () => {
    // A tiny threshold: every idle point after the first action is past it.
    const handle = await startRun(stack.client, stack.taskQueue, { agent: 'can-agent', closeWhenDone: false, continueAsNewAfterEvents: 20 });
    const firstRunId = (await handle.describe()).runId;
    const first = await waitForRun(handle, (run) => run.policyVersion !== undefined);

    for (const n of [1, 2, 3]) {
      const { actionId } = await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: `print(${n} * 7)` }] });
      assert.equal(actionId, `a${n}`);
      await waitForRun(handle, actionIs(actionId, 'succeeded'), 60_000);
    }

    const history = await stack.client.workflow.getHandle(handle.workflowId, firstRunId).fetchHistory();
    assert.equal(history.events?.at(-1)?.eventType, CONTINUED_AS_NEW, 'the first execution ended by continuing as new');
    const description = await stack.client.workflow.getHandle(handle.workflowId).describe();
    assert.notEqual(description.runId, firstRunId);
    assert.equal(description.typedSearchAttributes.get(AGENT_ATTRIBUTE), 'can-agent');
    assert.equal(description.typedSearchAttributes.get(STATUS_ATTRIBUTE), 'running');
    assert.equal(description.typedSearchAttributes.get(RISK_ATTRIBUTE), 'low');

    // `airlock list` shows the session once (its latest execution), not once per execution.
    const query = `${buildListQuery({ agent: 'can-agent' })} AND WorkflowId = '${handle.workflowId}'`;
    let listed: string[] = [];
    for (let i = 0; i < 40; i++) {
      listed = [];
      for await (const wf of stack.client.workflow.list({ query })) listed.push(wf.runId);
      if (listed.length === 1 && listed[0] === description.runId) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(listed, [description.runId]);

    const continued = await handle.query(getRunQuery);
    assert.equal(continued.policyVersion, first.policyVersion);
    assert.equal(continued.startedAt, first.startedAt);
    assert.deepEqual(continued.actions.map((a) => [a.actionId, a.status]), [['a1', 'succeeded'], ['a2', 'succeeded'], ['a3', 'succeeded']]);
    const carried = continued.actions[0]!;
    assert.equal(carried.carriedOver, true);
    assert.equal(carried.code, '');
    assert.match(carried.codeSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(carried.risk?.level, 'low');
    assert.equal(carried.decisions[0]?.policyVersion, first.policyVersion);
    assert.equal(carried.result?.exitCode, 0);
    assert.match(carried.result?.stdout.sha256 ?? '', /^[0-9a-f]{64}$/);
    // Recent, small previews are carried so a client reading right after the continue-as-new still sees them.
    assert.equal(carried.result?.stdout.text, '7\n');

    // The continued execution still takes and runs actions, numbering on.
    const { actionId } = await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: 'print("after continue-as-new")' }] });
    assert.equal(actionId, 'a4');
    const ran = await waitForRun(handle, actionIs('a4', 'succeeded'), 60_000);
    const fresh = ran.actions.find((a) => a.actionId === 'a4')!;
    assert.equal(fresh.result?.stdout.text, 'after continue-as-new\n');
    assert.equal(fresh.decisions[0]?.policyVersion, first.policyVersion);

    await handle.executeUpdate(closeUpdate);
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    assert.equal(result.closedReason, 'closed');
    assert.equal(result.policyVersion, first.policyVersion);
    assert.deepEqual(result.actions.map((a) => a.actionId), ['a1', 'a2', 'a3', 'a4']);
    assert.ok(result.actions.every((a) => a.status === 'succeeded'));
    const closed = await stack.client.workflow.getHandle(handle.workflowId).describe();
    assert.equal(closed.typedSearchAttributes.get(STATUS_ATTRIBUTE), 'completed');
  });

  it('ignores a carry-over that a client passes at start: the run loads its own policy', async () => {
    const honest = await startRun(stack.client, stack.taskQueue, { closeWhenDone: false });
    const pinned = await waitForRun(honest, (run) => run.policyVersion !== undefined);
    const forged = await startRun(stack.client, stack.taskQueue, {
      closeWhenDone: false,
      carryOver: { policy: { version: 'forged', gates: ALL_AUTO, approvers: null }, startedAt: '2000-01-01T00:00:00.000Z', ignoredDecisions: [], actions: [] },
    });
    const run = await waitForRun(forged, (r) => r.policyVersion !== undefined);
    assert.equal(run.policyVersion, pinned.policyVersion);
    assert.notEqual(run.startedAt, '2000-01-01T00:00:00.000Z');
    await Promise.all([honest.executeUpdate(closeUpdate), forged.executeUpdate(closeUpdate)]);
  });
});
