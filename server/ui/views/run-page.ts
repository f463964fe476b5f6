import type { ActionState, RunState } from '../../../schemas/run.js';
import { html, type SafeHtml } from '../html.js';
import { renderActionCard, type ViewerContext } from './action-card.js';
import { riskBadge, statusBadge } from './badges.js';
import { formatTimestamp } from './format.js';
import { actionAnchor, runLivePath } from './paths.js';

/** The run's heading facts; replaced by live updates when the run's status changes. */
export function renderRunSummary(run: RunState, temporalWorkflowUrl: string | undefined): SafeHtml {
  const pending = run.actions.filter((a) => a.status === 'awaiting_approval').length;
  return html`<div class="run-title">
      <h1><span class="muted">Run</span> <span class="mono" data-testid="run-id">${run.runId}</span></h1>
      <div class="action-badges">${statusBadge(run.status)} ${run.highestRisk ? riskBadge(run.highestRisk) : ''}
        ${pending ? html`<span class="badge status-waiting">${pending} waiting for a decision</span>` : ''}</div>
    </div>
    <dl class="facts run-facts">
      <div><dt>Agent</dt><dd>${run.agent}</dd></div>
      <div><dt>Requested by</dt><dd>${run.requester}</dd></div>
      <div><dt>Started</dt><dd><time datetime="${run.startedAt}">${formatTimestamp(run.startedAt)}</time></dd></div>
      <div><dt>Actions</dt><dd>${run.actions.length}${run.closed ? ` · closed${run.closedReason ? ` (${run.closedReason})` : ''}` : ' · open'}</dd></div>
      ${run.policyVersion ? html`<div><dt>Policy</dt><dd class="mono" title="${run.policyVersion}">${run.policyVersion.slice(0, 12)}</dd></div>` : ''}
      ${temporalWorkflowUrl ? html`<div><dt>Workflow</dt><dd><a href="${temporalWorkflowUrl}" target="_blank" rel="noopener noreferrer" data-testid="temporal-link">Open in Temporal Web UI<span aria-hidden="true"> ↗</span></a></dd></div>` : ''}
    </dl>
    ${run.ignoredDecisions.length ? html`<details class="ignored">
      <summary>${run.ignoredDecisions.length} decision${run.ignoredDecisions.length === 1 ? '' : 's'} did not count</summary>
      <ul>${run.ignoredDecisions.map(
        (d) => html`<li><strong>${d.approver}</strong> on <span class="mono">${d.actionId}</span> via ${d.channel} at <time datetime="${d.at}">${formatTimestamp(d.at)}</time>: ${d.reason}</li>`,
      )}</ul>
    </details>` : ''}`;
}

/** Each action in order, as a timeline. */
export function renderTimeline(run: RunState, viewer: ViewerContext): SafeHtml {
  if (run.actions.length === 0) return html`<li class="empty-state"><p>This run has no actions yet. They appear here as the agent submits them.</p></li>`;
  return html`${run.actions.map((action) => renderTimelineItem(run, action, viewer))}`;
}

/** One entry of the timeline; live updates replace entries whole. */
export function renderTimelineItem(run: RunState, action: ActionState, viewer: ViewerContext): SafeHtml {
  return html`<li class="timeline-item" data-action-id="${action.actionId}"><span class="timeline-dot status-${action.status}" aria-hidden="true"></span>${renderActionCard(run, action, viewer)}</li>`;
}

export function renderRunPage(run: RunState, viewer: ViewerContext, temporalWorkflowUrl: string | undefined): SafeHtml {
  const nav = run.actions.length > 1
    ? html`<nav class="action-nav" aria-label="Actions of this run">${run.actions.map(
        (a) => html`<a href="#${actionAnchor(a.actionId)}">${a.actionId}</a>`,
      )}</nav>`
    : '';
  return html`<p class="breadcrumb"><a href="/">← Pending approvals</a></p>
    <div id="run-summary" class="run-summary">${renderRunSummary(run, temporalWorkflowUrl)}</div>
    ${nav}
    <div class="toast" role="status" aria-live="polite" data-toast></div>
    <ol id="timeline" class="timeline" aria-label="Actions" data-live-url="${runLivePath(run.runId)}">${renderTimeline(run, viewer)}</ol>`;
}
