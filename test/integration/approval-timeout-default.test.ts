/** The default 15-minute approval timeout, run in the time-skipping environment (minutes pass in milliseconds). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createControlActivities } from '../../activities/index.js';
import { currentPolicy } from '../../policy/policy-snapshot.js';
import { createLogger } from '../../platform/logger.js';
import { agentRun } from '../../workflows/agent-run.js';
import { getRunQuery } from '../../workflows/messages.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';
import { uniqueId, workflowBundle } from '../support/temporal.js';

describe('approval timeout (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  it('keeps a medium-risk action waiting for 15 minutes by default, then denies it as timed_out', async () => {
    const taskQueue = uniqueId('airlock-ts');
    const logger = createLogger({ level: 'warn' });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createControlActivities({ logger, policy: () => currentPolicy({ approvers: null }) }),
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(agentRun, {
        taskQueue,
        workflowId: uniqueId('run'),
        args: [
          {
            agent: 'test-agent',
            requester: 'alice',
            closeWhenDone: true,
            actions: [{ language: 'python', code: 'import subprocess\nsubprocess.run(["true"])' }],
          },
        ],
      });
      // Wait (in real time) until the action is parked on its approval timer.
      for (let i = 0; i < 100; i++) {
        const run = await handle.query(getRunQuery);
        if (run.actions[0]?.status === 'awaiting_approval') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await env.sleep(14 * 60_000 + 50_000);
      const before = await handle.query(getRunQuery);
      assert.equal(before.actions[0]?.status, 'awaiting_approval', 'still waiting just before 15 minutes');

      const final = await handle.result();
      const action = final.actions[0];
      assert.equal(action?.status, 'timed_out');
      const waitedMs = Date.parse(action!.updatedAt) - Date.parse(action!.submittedAt);
      assert.ok(waitedMs >= 15 * 60_000 && waitedMs < 16 * 60_000, `timed out after ${waitedMs} ms of workflow time`);
      const denial = action!.decisions.at(-1);
      assert.equal(denial?.approver, 'policy');
      assert.equal(denial?.decision, 'deny');
      assert.deepEqual(denial?.ruleIds, ['gate.approval-timeout']);
      assert.equal(action!.result, undefined, 'a timed-out action never runs');
      assert.equal(final.status, 'failed');
    });
  });
});
