/**
 * Regenerates the web UI screenshots in docs/screenshots from a real stack: `npx tsc -p . && node
 * dist/test/e2e/ui-screenshots.js` with TEMPORAL_ADDRESS pointing at a running Temporal server (for example the
 * one `npm run up` starts). It starts workers and the server on a private task queue, creates a few runs the way
 * agents would, signs in and photographs the pending list and a run page at laptop and phone width.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import type { ActionInput } from '../../schemas/action.js';
import { submitActionUpdate } from '../../workflows/messages.js';
import { decideSigned } from '../support/signed-decision.js';
import { launchChromium, openSession, signIn } from '../support/browser.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { startUiStack } from '../support/ui-stack.js';

const OUTPUT_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const LAPTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

const FAILING_CLEANUP = `import csv
import sys

rows = list(csv.reader(open("/workspace/orders.csv")))
print(f"read {len(rows)} orders")
`;

const REVISED_CLEANUP = `import csv
import os
import sys

# The first attempt assumed the file existed; create it from the export instead.
os.system("cp /airlock/export.csv /workspace/orders.csv 2>/dev/null || echo 'id,total' > /workspace/orders.csv")
rows = list(csv.reader(open("/workspace/orders.csv")))
print(f"read {len(rows)} orders")
`;

async function main(): Promise<void> {
  const stack = await startUiStack();
  const { client, taskQueue } = stack.workers;
  const handles: WorkflowHandle[] = [];
  const browser = await launchChromium();
  try {
    const pendingRun = async (agent: string, requester: string, action: ActionInput) => {
      const handle = await startRun(client, taskQueue, { agent, requester, actions: [action] });
      handles.push(handle);
      await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
      return handle;
    };
    await pendingRun('report-bot', 'alice', {
      language: 'python',
      task: 'Archive the quarterly report data before cleanup',
      code: 'import os\n\nos.system("tar czf /tmp/report.tgz /workspace/reports")\nprint("archived")\n',
    });
    await pendingRun('deps-auditor', 'dmitri', {
      language: 'node',
      task: 'List the packages the build installed',
      code: "const { execSync } = require('node:child_process');\nconsole.log(execSync('npm ls --depth=0').toString());\n",
    });
    await pendingRun('fx-fetcher', 'alice', {
      language: 'bash',
      task: 'Download today\'s exchange rates',
      code: '#!/bin/bash\nset -euo pipefail\ncurl -sS https://rates.example.com/today.json -o /workspace/rates.json\necho "saved $(wc -c < /workspace/rates.json) bytes"\n',
    });

    // A run whose first attempt failed and whose revision waits for a second approver.
    const revised = await startRun(client, taskQueue, {
      agent: 'data-cleaner',
      requester: 'alice',
      closeWhenDone: false,
      actions: [{ language: 'python', task: 'Count the exported orders', code: FAILING_CLEANUP }],
    });
    handles.push(revised);
    await waitForRun(revised, actionIs('a1', 'failed'), 60_000);
    await revised.executeUpdate(submitActionUpdate, {
      args: [{ language: 'python', task: 'Count the exported orders (create the file first)', code: REVISED_CLEANUP }],
    });
    await waitForRun(revised, actionIs('a2', 'awaiting_approval'));
    await decideSigned(revised, stack.workers.config.home, {
      actionId: 'a2', decision: 'approve', approver: 'carol', channel: 'cli', reason: 'Copies the export into the sandbox only',
    });

    await mkdir(OUTPUT_DIR, { recursive: true });
    const token = stack.tokenFor('bob');
    for (const [suffix, viewport] of [['', LAPTOP], ['-phone', PHONE]] as const) {
      const { context, page } = await openSession(browser, viewport);
      await signIn(page, stack.baseUrl, token);
      await page.locator('[data-testid="pending-item"]').nth(3).waitFor();
      await page.screenshot({ path: `${OUTPUT_DIR}pending-approvals${suffix}.png`, fullPage: suffix === '' });
      await page.goto(`${stack.baseUrl}/runs/${revised.workflowId}`);
      await page.locator('[data-testid="diff"]').waitFor();
      await page.screenshot({ path: `${OUTPUT_DIR}run-page${suffix}.png`, fullPage: true });
      await context.close();
    }
    process.stdout.write(`screenshots written to ${OUTPUT_DIR}\n`);
  } finally {
    await browser.close();
    await Promise.all(handles.map((handle) => handle.terminate('screenshots taken').catch(() => undefined)));
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`ui-screenshots failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
