/**
 * A high-risk action needs two distinct approvers: two people, each in their own browser session, approve it
 * through the web UI; each page follows the other's decision live, and the output appears on both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { getRunQuery } from '../../workflows/messages.js';
import { launchChromium, openSession, signIn } from '../support/browser.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { startUiStack, type UiStack } from '../support/ui-stack.js';

/** os.system is a high-risk finding: the default policy wants two approvers. */
const HIGH_RISK_CODE = 'import os\nos.system("echo approved by two people")\n';

describe('two-approver action in the web UI', { timeout: 180_000 }, () => {
  let stack: UiStack;
  let browser: Browser;

  before(async () => {
    stack = await startUiStack();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('is approved from two separate browser sessions and then runs', async () => {
    const bob = await openSession(browser);
    const carol = await openSession(browser, { width: 390, height: 844 });
    await signIn(bob.page, stack.baseUrl, stack.tokenFor('bob'));
    await signIn(carol.page, stack.baseUrl, stack.tokenFor('carol'));

    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, {
      actions: [{ language: 'python', code: HIGH_RISK_CODE, task: 'Echo through a shell' }],
    });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    // Carol watches the pending list (phone width); Bob opens the run.
    const carolRow = carol.page.locator(`[data-testid="pending-item"][data-run-id="${handle.workflowId}"]`);
    await carolRow.waitFor();
    assert.match((await carolRow.textContent()) ?? '', /High risk[\s\S]*0 of 2 approvals/);
    await bob.page.goto(`${stack.baseUrl}/runs/${handle.workflowId}`);
    const bobAction = bob.page.locator('#action-a1');
    assert.match((await bobAction.getByTestId('quorum').textContent()) ?? '', /0 of 2 approvals/);

    await bobAction.getByRole('button', { name: 'Approve' }).click();
    await bobAction.locator('[data-decide-message]').filter({ hasText: 'Approved (1 of 2): waiting for 1 more approver.' }).waitFor();
    // Bob's page turns into "waiting for someone else"; Carol's list shows the progress without a reload.
    await bob.page.locator('#action-a1 [data-testid="quorum"]').filter({ hasText: '1 of 2 approvals' }).waitFor();
    await carolRow.getByTestId('quorum').filter({ hasText: '1 of 2 approvals' }).waitFor();
    assert.equal(await bob.page.locator('#action-a1').getByRole('button', { name: 'Approve' }).count(), 0, 'no second vote for Bob');

    await carolRow.getByRole('link', { name: 'Review Echo through a shell' }).click();
    const carolAction = carol.page.locator('#action-a1');
    await carolAction.getByRole('button', { name: 'Approve' }).click();
    await carolAction.locator('[data-decide-message]').filter({ hasText: 'Approved: the action runs now.' }).waitFor();

    for (const viewer of [bob, carol]) {
      const stdout = viewer.page.locator('#action-a1 [data-testid="stdout"]');
      await stdout.waitFor({ timeout: 60_000 });
      assert.equal((await stdout.textContent())?.trim(), 'approved by two people');
      const decisions = (await viewer.page.locator('#action-a1 [data-testid="decisions"]').textContent()) ?? '';
      assert.match(decisions, /bob\s+approved/);
      assert.match(decisions, /carol\s+approved/);
    }
    const state = await handle.query(getRunQuery);
    assert.deepEqual(
      state.actions[0]?.decisions.filter((d) => !d.automatic).map((d) => [d.approver, d.channel]),
      [['bob', 'ui'], ['carol', 'ui']],
    );
    assert.equal(state.actions[0]?.status, 'succeeded');
    assert.deepEqual([...bob.errors, ...carol.errors], [], 'no console errors or page exceptions');
    await bob.context.close();
    await carol.context.close();
  });
});
