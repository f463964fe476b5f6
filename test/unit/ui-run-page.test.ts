import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActionState, RunState } from '../../schemas/run.js';
import { revisedAction } from '../../server/ui/views/action-card.js';
import { renderPendingList } from '../../server/ui/views/pending-page.js';
import { renderRunPage } from '../../server/ui/views/run-page.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const NOW = Date.parse('2026-01-01T12:00:00Z');

function action(overrides: Partial<ActionState>): ActionState {
  return {
    actionId: 'a1',
    language: 'python',
    code: 'print(1)\n',
    status: 'awaiting_approval',
    submittedAt: '2026-01-01T11:58:00Z',
    updatedAt: '2026-01-01T11:58:00Z',
    limits: { timeoutSec: 30, memoryMb: 256, cpus: 1, pids: 128, outputBytes: 1_048_576 },
    decisions: [],
    requiredApprovals: 2,
    approvalDeadline: '2026-01-01T12:10:00Z',
    ...overrides,
  };
}

function run(actions: ActionState[]): RunState {
  return { runId: 'run-1', agent: HOSTILE, requester: 'alice', status: 'awaiting_approval', closed: false, startedAt: '2026-01-01T11:58:00Z', actions, ignoredDecisions: [] };
}

const viewer = { principal: 'bob', csrfToken: 'csrf-123', nowMs: NOW };

describe('web UI run page', () => {
  it('never lets run data become markup', () => {
    const failed = action({
      status: 'failed',
      task: HOSTILE,
      code: `print("${HOSTILE}")\n`,
      result: {
        exitCode: 1,
        stdout: { text: HOSTILE, inlineComplete: true, bytes: 30, truncated: false, sha256: 'x' },
        stderr: { text: '', inlineComplete: true, bytes: 0, truncated: false, sha256: 'y' },
        timedOut: false,
        oomKilled: false,
        durationMs: 120,
        sandbox: { containerId: 'c', containerName: 'n', image: 'i', imageId: 'sha256:abc', runtime: 'runc', limits: action({}).limits },
      },
    });
    const page = renderRunPage(run([failed]), viewer, undefined).value;
    assert.ok(!page.includes('<img'), 'no element from run data');
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!renderPendingList({ items: [{ run: run([action({ task: HOSTILE })]), action: action({ task: HOSTILE }) }], unresponsive: [] }, NOW).value.includes('<img'));
  });

  it('marks the line behind each finding and links the finding to it', () => {
    const flagged = action({
      code: 'import os\nos.system("ls")\n',
      risk: {
        level: 'high',
        score: 70,
        ruleIds: ['py.os-system'],
        policyVersion: 'p',
        codeSha256: 'h',
        findings: [{ ruleId: 'py.os-system', description: 'runs a shell command', level: 'high', score: 70, match: 'os.system(', line: 2 }],
      },
    });
    const page = renderRunPage(run([flagged]), viewer, undefined).value;
    assert.match(page, /<div class="code-line flagged risk-high" id="action-a1-L2" data-flagged="true">/);
    assert.match(page, /href="#action-a1-L2">line 2</);
    assert.match(page, /0 of 2 approvals/);
    assert.match(page, /name="csrf" value="csrf-123"/);
  });

  it('compares an action with the one before it only when that one did not succeed', () => {
    const first = action({ actionId: 'a1', status: 'failed' });
    const second = action({ actionId: 'a2' });
    assert.equal(revisedAction(run([first, second]), second)?.actionId, 'a1');
    assert.equal(revisedAction(run([{ ...first, status: 'succeeded' }, second]), second), undefined);
    assert.equal(revisedAction(run([first, second]), first), undefined);
  });

  it('offers no decision form to someone who already decided', () => {
    const decided = action({
      decisions: [{ decision: 'approve', approver: 'bob', channel: 'ui', at: '2026-01-01T11:59:00Z', automatic: false, policyVersion: 'p' }],
    });
    const page = renderRunPage(run([decided]), viewer, undefined).value;
    assert.ok(!page.includes('data-decide-form'));
    assert.match(page, /You approved this action; it is waiting for\s+1 more approval from someone else/);
  });
});
