/**
 * Hidden characters (control characters, ANSI escapes, bidi overrides, zero-width) in input files — data files
 * included, and file names — raise the "hidden characters" finding like code does, and no rendering of the files
 * (web UI, CLI status and audit, Slack) lets a raw one through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderAudit } from '../../cli/render-audit.js';
import { renderAction } from '../../cli/render-run.js';
import { approvalRequestMessage } from '../../channels/slack/approval-blocks.js';
import { DEFAULT_GATES } from '../../policy/gate.js';
import { resolveLimits } from '../../schemas/action.js';
import { HIDDEN_CHARACTER_SOURCE } from '../../schemas/hidden-characters.js';
import type { PolicySnapshot } from '../../schemas/policy.js';
import type { ActionState, RunState } from '../../schemas/run.js';
import { renderRunPage } from '../../server/ui/views/run-page.js';
import { buildApprovalNotice } from '../../workflows/approval-notice.js';
import { filesForReview } from '../../workflows/review-files.js';
import { scoreCode } from '../support/risk-scorer.js';

const CLEAN_CODE = 'print(open("notes.txt").read())\n';
/** A terminal would clear the line and print a harmless text over the real one. */
const ANSI_NOTES = 'rm -rf ~/project\u001b[2K\r\u001b[32mall good\u001b[0m\n';
const BIDI_NAME = 'report\u202Etxt.sh';
const RAW_HIDDEN = new RegExp(HIDDEN_CHARACTER_SOURCE);

function hiddenFindings(files: Record<string, string>) {
  return scoreCode(CLEAN_CODE, 'python', { files }).then((score) => ({ score, hidden: score.findings.filter((f) => f.ruleId === 'any.hidden-characters') }));
}

void describe('hidden characters in input files', () => {
  void it('raise the finding for a data file that is not code, naming the file', async () => {
    const clean = await hiddenFindings({ 'notes.txt': 'all good\n' });
    assert.equal(clean.hidden.length, 0, 'a clean data file raises nothing');
    assert.equal(clean.score.level, 'low');
    const { score, hidden } = await hiddenFindings({ 'notes.txt': ANSI_NOTES });
    assert.ok(hidden.length > 0, JSON.stringify(score.findings));
    assert.match(hidden[0]!.description, /in input file notes\.txt/);
    assert.notEqual(score.level, 'low', 'the action goes to a human');
  });

  void it('raise it for zero-width and bidi characters in a file name', async () => {
    const { score, hidden } = await hiddenFindings({ [BIDI_NAME]: 'x\n', 'a\u200Bb.txt': 'y\n' });
    assert.equal(hidden.length, 2, JSON.stringify(score.findings));
    assert.ok(hidden.every((f) => /the name of input file/.test(f.description)));
    assert.ok(hidden.every((f) => !RAW_HIDDEN.test(f.description)), 'the description shows the name escaped');
    assert.notEqual(score.level, 'low');
  });

  void it('are escaped in the web UI, the CLI (status and audit) and Slack', async () => {
    const files = { 'notes.txt': ANSI_NOTES, [BIDI_NAME]: 'echo hi\n' };
    const { score } = await hiddenFindings(files);
    const action: ActionState = {
      actionId: 'a1',
      language: 'python',
      code: CLEAN_CODE,
      task: 'read the notes\u202E',
      status: 'awaiting_approval',
      submittedAt: '2026-12-01T10:00:00Z',
      updatedAt: '2026-12-01T10:00:00Z',
      limits: resolveLimits({}),
      decisions: [],
      requiredApprovals: 1,
      approvalDeadline: '2026-12-01T10:15:00Z',
      contentSha256: 'c'.repeat(64),
      inputFiles: filesForReview(files),
      risk: { ...score, policyVersion: 'v', codeSha256: 'd'.repeat(64) },
    };
    const run = { runId: 'run-1', agent: 'agent', requester: 'alice', status: 'awaiting_approval', closed: false, startedAt: action.submittedAt, actions: [action], ignoredDecisions: [] } as RunState;
    const policy = { version: 'v'.repeat(64), gates: DEFAULT_GATES, approvers: null } as PolicySnapshot;
    const renderings = {
      'web UI': renderRunPage(run, { principal: 'bob', csrfToken: 't', nowMs: 0 }, undefined).value,
      'CLI status': renderAction(action, 'run-1', { showCode: true }).join('\n'),
      'CLI audit': renderAudit({
        runId: 'run-1',
        actions: [
          {
            actionId: 'a1',
            task: action.task,
            status: 'awaiting_approval',
            decisions: [],
            ignoredDecisions: [{ actionId: 'a1', decision: 'approve', approver: 'mal\u202Elory', channel: 'api', via: 'signal', reason: 'not signed', at: '2026-12-01T10:01:00Z' }],
            activityFailures: [],
            assessed: { level: score.level, score: score.score, ruleIds: score.ruleIds, findings: score.findings, policyVersion: 'v'.repeat(64) },
          },
        ],
      } as unknown as Parameters<typeof renderAudit>[0]),
      Slack: JSON.stringify(
        approvalRequestMessage(buildApprovalNotice({ runId: 'run-1', agent: 'agent', requester: 'alice', action, level: 'medium', deadline: action.approvalDeadline!, policy, stage: 0, roles: [] })).blocks,
      ),
    };
    for (const [where, text] of Object.entries(renderings)) {
      assert.doesNotMatch(text, RAW_HIDDEN, `${where} shows no raw hidden character`);
      assert.ok(/\\{1,2}u\{202E\}/.test(text), `${where} shows the bidi override as an escape`);
    }
    for (const where of ['web UI', 'CLI status', 'Slack'] as const) {
      assert.ok(/\\{1,2}u\{001B\}\[2K/.test(renderings[where]), `${where} shows the ANSI escape of the file content`);
    }
  });
});
