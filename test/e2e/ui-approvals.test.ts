/**
 * The approval web UI in a real browser (the system's Chromium through playwright-core) against real workers, a
 * real Temporal server and the real HTTP server: sign in, watch an action arrive, approve it and read its output;
 * deny with a reason; see the server's refusal of a self-approval; see what a resubmission changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { getRunQuery, submitActionUpdate } from '../../workflows/messages.js';
import { launchChromium, openSession, signIn } from '../support/browser.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { startUiStack, type UiStack } from '../support/ui-stack.js';
import { uniqueId } from '../support/temporal.js';

/** `import subprocess` is a medium-risk finding: one human approval. */
const MEDIUM_RISK_CODE = 'import subprocess\nprint("hello from the sandbox")\n';

/** Marks the page so a test can prove an update arrived without a navigation or reload. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as { airlockTestMark?: boolean }).airlockTestMark = true;
  });
}

async function pageWasNotReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as unknown as { airlockTestMark?: boolean }).airlockTestMark === true);
}

describe('approval web UI', { timeout: 240_000 }, () => {
  let stack: UiStack;
  let browser: Browser;
  const tokens: Record<string, string> = {};
  const pageErrors: string[][] = [];

  before(async () => {
    stack = await startUiStack();
    browser = await launchChromium();
    for (const principal of ['alice', 'bob', 'carol']) tokens[principal] = stack.tokenFor(principal);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const session = async () => {
    const opened = await openSession(browser);
    pageErrors.push(opened.errors);
    return opened;
  };

  it('refuses an unknown token, keeps the UI behind sign-in, and signs out', async () => {
    const { page, context } = await session();
    await page.goto(`${stack.baseUrl}/`);
    assert.match(page.url(), /\/sign-in\?next=%2F$/, 'an anonymous visitor is sent to sign in');
    await page.getByLabel('API token').fill('alk_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.getByTestId('sign-in-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /token is not valid/);
    assert.equal((await context.cookies()).length, 0, 'no session cookie for a refused token');

    await signIn(page, stack.baseUrl, tokens.bob as string);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${stack.baseUrl}/sign-in`);
    await page.goto(`${stack.baseUrl}/`);
    assert.match(page.url(), /\/sign-in/, 'after signing out the pages need a new sign-in');
    await context.close();
  });

  it('shows a new pending action without a reload, and approving it runs the code and shows the output', async () => {
    const { page, context } = await session();
    await signIn(page, stack.baseUrl, tokens.bob as string);
    assert.equal(await page.getByTestId('principal').textContent(), 'bob');
    const cookie = (await context.cookies()).find((c) => c.name === 'airlock_session');
    assert.ok(cookie?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(cookie?.sameSite, 'Strict');
    await markPage(page);

    const agent = uniqueId('ui-agent');
    const task = `Print a greeting ${agent}`;
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, {
      agent,
      actions: [{ language: 'python', code: MEDIUM_RISK_CODE, task }],
    });
    const row = page.locator(`[data-testid="pending-item"][data-run-id="${handle.workflowId}"]`);
    await row.waitFor({ timeout: 20_000 });
    assert.ok(await pageWasNotReloaded(page), 'the action appeared through a live update');
    const rowText = (await row.textContent()) ?? '';
    assert.match(rowText, new RegExp(agent));
    assert.match(rowText, /Medium risk/);
    assert.match(rowText, /0 of 1 approval/);
    assert.match(rowText, /left/, 'the time left before the timeout is shown');

    await row.getByRole('link', { name: `Review ${task}` }).click();
    await page.waitForURL(new RegExp(`/runs/${handle.workflowId}#action-a1$`));
    const action = page.locator('#action-a1');
    await action.waitFor();
    const flagged = action.locator('.code-line[data-flagged="true"]');
    assert.equal(await flagged.count(), 1, 'exactly the line behind the finding is marked');
    assert.match((await flagged.textContent()) ?? '', /import subprocess/);
    assert.match((await action.getByTestId('findings').textContent()) ?? '', /py\.subprocess/);
    const temporalLink = await page.getByTestId('temporal-link').getAttribute('href');
    assert.match(temporalLink ?? '', new RegExp(`/namespaces/default/workflows/${handle.workflowId}$`));

    await markPage(page);
    await action.getByRole('button', { name: 'Approve' }).click();
    await action.locator('[data-decide-message]').filter({ hasText: 'Approved: the action runs now.' }).waitFor();
    const stdout = page.locator('#action-a1 [data-testid="stdout"]');
    await stdout.waitFor({ timeout: 60_000 });
    assert.equal((await stdout.textContent())?.trim(), 'hello from the sandbox');
    assert.equal((await page.locator('#action-a1 [data-testid="exit"]').textContent())?.trim(), 'exit 0');
    assert.match((await page.locator('#action-a1 [data-testid="decisions"]').textContent()) ?? '', /bob\s+approved\s+via web UI/);
    assert.ok(await pageWasNotReloaded(page), 'the result arrived without a reload');
    assert.equal(await page.locator('#timeline > li').count(), 1, 'live updates replace the action, never duplicate it');

    const state = await handle.query(getRunQuery);
    const decision = state.actions[0]?.decisions.find((d) => !d.automatic);
    assert.equal(decision?.approver, 'bob');
    assert.equal(decision?.channel, 'ui');
    await context.close();
  });

  it('denies with a reason; the action never runs', async () => {
    const { page, context } = await session();
    await signIn(page, stack.baseUrl, tokens.carol as string);
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, {
      actions: [{ language: 'python', code: MEDIUM_RISK_CODE, task: 'Run a subprocess' }],
    });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    await page.goto(`${stack.baseUrl}/runs/${handle.workflowId}`);
    const action = page.locator('#action-a1');
    // By keyboard alone: type the reason, Tab past Approve to Deny, press Enter.
    await action.getByLabel(/Reason/).focus();
    await page.keyboard.type('No subprocesses in this pipeline');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent), 'Approve');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#action-a1 [data-status="denied"]').waitFor();
    const decisions = (await page.locator('#action-a1 [data-testid="decisions"]').textContent()) ?? '';
    assert.match(decisions, /carol\s+denied/);
    assert.match(decisions, /No subprocesses in this pipeline/);

    const state = await waitForRun(handle, actionIs('a1', 'denied'));
    assert.equal(state.actions[0]?.result, undefined, 'a denied action has no sandbox result');
    assert.equal(state.actions[0]?.decisions.at(-1)?.reason, 'No subprocesses in this pipeline');

    await page.getByRole('link', { name: 'Recent runs' }).click();
    await page.getByRole('link', { name: handle.workflowId }).waitFor();
    await context.close();
  });

  it("shows the server's message when the requester tries to approve their own action", async () => {
    const { page, context } = await session();
    await signIn(page, stack.baseUrl, tokens.alice as string);
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, {
      requester: 'alice',
      actions: [{ language: 'python', code: MEDIUM_RISK_CODE }],
    });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    await page.goto(`${stack.baseUrl}/runs/${handle.workflowId}`);
    await page.locator('#action-a1').getByRole('button', { name: 'Approve' }).click();
    const refusal = page.locator('#action-a1 [data-testid="decision-error"]');
    await refusal.waitFor();
    assert.equal((await refusal.textContent())?.trim(), 'alice requested this action and may not approve it: another approver must decide');
    const state = await handle.query(getRunQuery);
    assert.equal(state.actions[0]?.status, 'awaiting_approval', 'the refused approval did not count');
    assert.equal(state.actions[0]?.decisions.filter((d) => !d.automatic).length, 0);
    await handle.terminate('test done');
    await context.close();
  });

  it('refuses a decision without the page’s CSRF token', async () => {
    const { page, context } = await session();
    await signIn(page, stack.baseUrl, tokens.bob as string);
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, {
      actions: [{ language: 'python', code: MEDIUM_RISK_CODE }],
    });
    await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    // The session cookie alone (what a forged cross-site form would carry) is not enough.
    const response = await context.request.post(`${stack.baseUrl}/runs/${handle.workflowId}/actions/a1/decision`, {
      headers: { accept: 'application/json' },
      form: { decision: 'approve' },
    });
    assert.equal(response.status(), 403);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /security token/);
    assert.equal((await handle.query(getRunQuery)).actions[0]?.status, 'awaiting_approval');
    await handle.terminate('test done');
    await context.close();
  });

  it('shows what a resubmitted action changed since the failed one', async () => {
    const { page, context } = await session();
    await signIn(page, stack.baseUrl, tokens.bob as string);
    const handle = await startRun(stack.workers.client, stack.workers.taskQueue, {
      closeWhenDone: false,
      actions: [{ language: 'python', code: 'print("first try")\nraise SystemExit(3)\n' }],
    });
    await waitForRun(handle, actionIs('a1', 'failed'), 60_000);
    await page.goto(`${stack.baseUrl}/runs/${handle.workflowId}`);
    await markPage(page);
    await handle.executeUpdate(submitActionUpdate, {
      args: [{ language: 'python', code: 'import subprocess\nprint("first try")\nprint("second try")\n' }],
    });
    const diff = page.locator('#action-a2 [data-testid="diff"]');
    await diff.waitFor();
    assert.ok(await pageWasNotReloaded(page), 'the resubmission appeared through a live update');
    assert.equal(await diff.locator('.diff-line.added').count(), 2);
    assert.equal(await diff.locator('.diff-line.removed').count(), 1);
    assert.match((await diff.locator('.diff-line.removed').textContent()) ?? '', /SystemExit\(3\)/);
    assert.equal((await page.locator('#action-a1 [data-testid="exit"]').textContent())?.trim(), 'exit 3');
    await handle.terminate('test done');
    await context.close();
  });

  it('produced no console errors or page exceptions', () => {
    assert.deepEqual(pageErrors.flat(), []);
  });
});
