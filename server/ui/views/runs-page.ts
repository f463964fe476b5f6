import type { RunSummary } from '../../../client/list-query.js';
import { html, type SafeHtml } from '../html.js';
import { riskBadge, statusBadge } from './badges.js';
import { formatAgo, formatTimestamp } from './format.js';
import { runPath } from './paths.js';

/** The most recent runs of this deployment, newest first. */
export function renderRunsPage(runs: RunSummary[], nowMs: number): SafeHtml {
  const body = runs.length
    ? html`<div class="table-wrap"><table class="runs-table">
        <thead><tr><th scope="col">Run</th><th scope="col">Agent</th><th scope="col">Status</th><th scope="col">Highest risk</th><th scope="col">Started</th></tr></thead>
        <tbody>${runs.map(
          (run) => html`<tr>
            <td><a class="mono" href="${runPath(run.runId)}">${run.runId}</a></td>
            <td>${run.agent ?? '—'}</td>
            <td>${run.status ? statusBadge(run.status) : html`<span class="muted">${run.workflowStatus.toLowerCase()}</span>`}${
              run.awaitingApproval ? html` <span class="badge status-waiting">Needs decision</span>` : ''
            }</td>
            <td>${run.highestRisk ? riskBadge(run.highestRisk) : html`<span class="muted">—</span>`}</td>
            <td><time datetime="${run.startedAt}" data-since="${run.startedAt}" title="${formatTimestamp(run.startedAt)}">${formatAgo(run.startedAt, nowMs)}</time></td>
          </tr>`,
        )}</tbody>
      </table></div>`
    : html`<div class="empty-state"><h2>No runs yet</h2><p>Runs started by agents show up here.</p></div>`;
  return html`<div class="page-head"><div><h1>Recent runs</h1><p class="lead">The latest agent runs on this Airlock, newest first.</p></div></div>${body}`;
}
