import { createHash } from 'node:crypto';
import { isUnsuccessful } from '../../../schemas/action.js';
import type { ActionState, RunState } from '../../../schemas/run.js';
import { approvalCount } from '../../../workflows/approval-state.js';
import { html, type SafeHtml } from '../html.js';
import { quorumProgress, riskBadge, statusBadge } from './badges.js';
import { renderCode, renderDiff } from './code-view.js';
import { renderDecisions } from './decision-list.js';
import { formatBytes, formatTimeLeft, formatTimestamp } from './format.js';
import { actionAnchor, decisionPath, lineAnchor } from './paths.js';
import { renderResult } from './result-view.js';

export interface ViewerContext {
  principal: string;
  csrfToken: string;
  nowMs: number;
}

/**
 * The action this one revises: the one right before it, when that one did not get to succeed (an agent that sends
 * new code then is revising, so a diff helps the reviewer).
 */
export function revisedAction(run: RunState, action: ActionState): ActionState | undefined {
  const index = run.actions.findIndex((a) => a.actionId === action.actionId);
  const previous = index > 0 ? run.actions[index - 1] : undefined;
  return previous && isUnsuccessful(previous.status) && previous.language === action.language ? previous : undefined;
}

/** Changes whenever anything shown for the action changes; the browser script replaces only changed cards. */
export function actionVersion(action: ActionState, principal: string): string {
  return createHash('sha256').update(principal).update(JSON.stringify(action)).digest('hex').slice(0, 16);
}

function renderDecisionPanel(run: RunState, action: ActionState, viewer: ViewerContext): SafeHtml {
  const approvals = approvalCount(action);
  const own = action.decisions.find((d) => d.approver === viewer.principal && !d.automatic);
  const reasonId = `reason-${action.actionId}`;
  const head = html`<div class="decide-head">
      <h4>Decision needed</h4>
      ${quorumProgress(approvals, action.requiredApprovals)}
      ${action.approvalDeadline ? html`<time class="deadline" datetime="${action.approvalDeadline}" data-deadline="${action.approvalDeadline}" title="Denied automatically at ${formatTimestamp(action.approvalDeadline)}">${formatTimeLeft(action.approvalDeadline, viewer.nowMs)}</time>` : ''}
    </div>`;
  if (own) {
    return html`<div class="decide-panel">${head}<p class="muted">You ${own.decision === 'approve' ? 'approved' : 'denied'} this action; it is waiting for
      ${action.requiredApprovals - approvals} more approval${action.requiredApprovals - approvals === 1 ? '' : 's'} from someone else.</p></div>`;
  }
  return html`<form class="decide-panel" method="post" action="${decisionPath(run.runId, action.actionId)}" data-decide-form>
    ${head}
    <input type="hidden" name="csrf" value="${viewer.csrfToken}">
    ${action.contentSha256 ? html`<input type="hidden" name="contentSha256" value="${action.contentSha256}">` : ''}
    ${run.requester === viewer.principal ? html`<p class="notice info small">You requested this action: you may deny it, but approval must come from someone else.</p>` : ''}
    <label for="${reasonId}">Reason <span class="muted">(optional, kept in the audit trail)</span></label>
    <textarea id="${reasonId}" name="reason" rows="2" maxlength="1000" placeholder="e.g. checked the command, output stays in the sandbox"></textarea>
    <div class="decide-actions">
      <button type="submit" name="decision" value="approve" class="button approve">Approve</button>
      <button type="submit" name="decision" value="deny" class="button deny">Deny</button>
    </div>
    <p class="decide-message" role="status" aria-live="polite" data-decide-message></p>
  </form>`;
}

/** Every input file the code will find in /workspace, with its sha256 and its text (escaped, like everything). */
function renderInputFiles(action: ActionState): SafeHtml {
  return html`<ul class="input-files" data-testid="input-files">${(action.inputFiles ?? []).map(
    (file) => html`<li data-testid="input-file"><p><span class="mono">${file.path}</span> <span class="muted small">${formatBytes(file.bytes)} · sha256 <span class="mono">${file.sha256}</span></span></p>
      <pre class="file-preview"><code>${file.preview ?? ''}</code></pre>${file.previewTruncated ? html`<p class="muted small">Only the beginning of this file is shown; its sha256 identifies the whole file.</p>` : ''}</li>`,
  )}</ul>`;
}

function renderFindings(action: ActionState): SafeHtml {
  const risk = action.risk;
  if (!risk) return html`<p class="muted">Risk not assessed yet.</p>`;
  if (risk.findings.length === 0) return html`<p class="muted">No risk rule matched (score ${risk.score}).</p>`;
  return html`<ul class="findings" role="list" data-testid="findings">${risk.findings.map(
    (f) => html`<li class="finding risk-${f.level}">
      <span class="badge risk-${f.level}">${f.level}</span>
      <span><strong>${f.description}</strong> <span class="muted">· <span class="mono">${f.ruleId}</span> · +${f.score}</span></span>
      <a class="finding-line" href="#${lineAnchor(action.actionId, f.line)}">line ${f.line}</a>
    </li>`,
  )}</ul>`;
}

/** One action on the run page's timeline. */
export function renderActionCard(run: RunState, action: ActionState, viewer: ViewerContext): SafeHtml {
  const previous = revisedAction(run, action);
  const limits = action.limits;
  return html`<article class="action-card status-${action.status}" id="${actionAnchor(action.actionId)}" data-action-id="${action.actionId}"
      data-version="${actionVersion(action, viewer.principal)}" data-testid="action" aria-labelledby="${actionAnchor(action.actionId)}-title">
    <header class="action-head">
      <h3 id="${actionAnchor(action.actionId)}-title">${action.task?.trim() || `Action ${action.actionId}`}</h3>
      <div class="action-badges">${statusBadge(action.status)} ${riskBadge(action.risk?.level, action.risk?.score)}</div>
      <div class="action-meta muted small">
        <span class="mono">${action.actionId}</span> · ${action.language} · submitted <time datetime="${action.submittedAt}">${formatTimestamp(action.submittedAt)}</time>
        · ${limits.timeoutSec} s, ${limits.memoryMb} MB, ${limits.cpus} CPU, ${formatBytes(limits.outputBytes)} output
        · ${action.network ? html`network: <span class="mono">${action.network.allow.join(', ')}</span>` : 'no network'}
        ${action.credentials?.length
          ? html`· <span data-testid="credentials">secrets added by the egress proxy: ${action.credentials.map(
              (use, i) => html`${i > 0 ? '; ' : ''}<span class="mono">${use.name}</span> for <span class="mono">${use.hosts.join(', ') || 'destinations not checked yet'}</span>${use.applied ? ` (${use.applied})` : ''}`,
            )}</span>`
          : ''}
      </div>
    </header>
    ${action.status === 'awaiting_approval' ? renderDecisionPanel(run, action, viewer) : ''}
    <section class="action-section"><h4>Why it was flagged</h4>${renderFindings(action)}</section>
    <section class="action-section"><h4>Code</h4>${renderCode(action)}${action.contentSha256 ? html`<p class="muted small">content sha256 <span class="mono" data-testid="content-sha256">${action.contentSha256}</span> (code, files, limits and network your decision covers)</p>` : ''}</section>
    ${action.inputFiles && action.inputFiles.length > 0 ? html`<section class="action-section"><h4>Input files</h4>${renderInputFiles(action)}</section>` : ''}
    ${previous ? html`<section class="action-section"><h4>Changes since action ${previous.actionId} (${previous.status.replace('_', ' ')})</h4>${renderDiff(previous, action)}</section>` : ''}
    <section class="action-section"><h4>Decisions</h4>${renderDecisions(action.decisions)}</section>
    ${action.result ? html`<section class="action-section"><h4>Sandbox result</h4>${renderResult(action.result)}</section>` : ''}
    ${action.error ? html`<section class="action-section"><h4>Could not run</h4><p class="notice error">${action.error}</p></section>` : ''}
  </article>`;
}
