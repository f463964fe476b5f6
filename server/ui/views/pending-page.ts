import { approvalCount } from '../../../workflows/approval-state.js';
import { html, type SafeHtml } from '../html.js';
import type { PendingApprovals } from '../ui-run-source.js';
import { quorumProgress, riskBadge } from './badges.js';
import { formatAgo, formatTimeLeft, formatTimestamp } from './format.js';
import { actionAnchor, runPath } from './paths.js';

/** URL the browser script polls for a fresh copy of the list. */
export const PENDING_LIVE_PATH = '/ui/live/pending';

/** The list of actions waiting for a human; the part of the page that live updates replace. */
export function renderPendingList(pending: PendingApprovals, nowMs: number): SafeHtml {
  const { items, unresponsive } = pending;
  const notice = unresponsive.length
    ? html`<p class="notice warn" role="note">${unresponsive.length} waiting run${unresponsive.length === 1 ? '' : 's'} did not answer
        (are the Airlock workers running?): ${unresponsive.map((id, i) => html`${i ? ', ' : ''}<a href="${runPath(id)}">${id}</a>`)}</p>`
    : '';
  if (items.length === 0) {
    return html`${notice}<div class="empty-state" data-testid="pending-empty">
      <div class="empty-icon" aria-hidden="true">✓</div>
      <h2>Nothing is waiting for a decision</h2>
      <p>New requests from agents appear here on their own; there is no need to reload.</p>
    </div>`;
  }
  const rows = items.map(({ run, action }) => {
    const href = `${runPath(run.runId)}#${actionAnchor(action.actionId)}`;
    const title = action.task?.trim() || `${action.language} action ${action.actionId}`;
    return html`<li class="pending-item" data-testid="pending-item" data-run-id="${run.runId}" data-action-id="${action.actionId}">
      <div class="pending-risk">${riskBadge(action.risk?.level, action.risk?.score)}</div>
      <div class="pending-main">
        <a class="pending-title" href="${href}">${title}</a>
        <div class="pending-meta">
          <span class="agent" data-testid="agent">${run.agent}</span>
          <span aria-hidden="true">·</span> <span>for ${run.requester}</span>
          <span aria-hidden="true">·</span> <span class="lang">${action.language}</span>
          <span aria-hidden="true">·</span> <span class="mono">${run.runId} / ${action.actionId}</span>
        </div>
      </div>
      <dl class="pending-facts">
        <div><dt>Waiting</dt><dd><time datetime="${action.submittedAt}" data-since="${action.submittedAt}" title="${formatTimestamp(action.submittedAt)}">${formatAgo(action.submittedAt, nowMs)}</time></dd></div>
        <div><dt>Time left</dt><dd>${
          action.approvalDeadline
            ? html`<time class="deadline" datetime="${action.approvalDeadline}" data-deadline="${action.approvalDeadline}" title="Denied automatically at ${formatTimestamp(action.approvalDeadline)}">${formatTimeLeft(action.approvalDeadline, nowMs)}</time>`
            : html`<span>no timeout</span>`
        }</dd></div>
        <div><dt>Approvals</dt><dd>${quorumProgress(approvalCount(action), action.requiredApprovals)}</dd></div>
      </dl>
      <a class="button primary pending-open" href="${href}" aria-label="Review ${title}">Review</a>
    </li>`;
  });
  return html`${notice}<ul class="pending-list" role="list">${rows}</ul>`;
}

export function renderPendingPage(pending: PendingApprovals, nowMs: number): SafeHtml {
  return html`<div class="page-head">
      <div>
        <h1>Pending approvals</h1>
        <p class="lead">Code agents asked to run that the policy will not run without a human. Oldest deadline first.</p>
      </div>
      <span class="live-indicator" data-live-indicator><span class="pulse" aria-hidden="true"></span>Live</span>
    </div>
    <section id="pending" aria-label="Actions waiting for a decision" data-live-url="${PENDING_LIVE_PATH}">
      ${renderPendingList(pending, nowMs)}
    </section>`;
}
