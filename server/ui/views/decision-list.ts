import type { DecisionRecord } from '../../../schemas/decision.js';
import { html, type SafeHtml } from '../html.js';
import { formatTimestamp } from './format.js';

const CHANNEL_LABELS: Record<DecisionRecord['channel'], string> = {
  policy: 'policy',
  cli: 'CLI',
  api: 'HTTP API',
  ui: 'web UI',
  slack: 'Slack',
  webhook: 'webhook',
};

/** Who decided what, when, through which channel and why; automatic decisions name the rules instead. */
export function renderDecisions(decisions: readonly DecisionRecord[]): SafeHtml {
  if (decisions.length === 0) return html`<p class="muted">No decisions yet.</p>`;
  return html`<ul class="decisions" role="list" data-testid="decisions">${decisions.map(
    (d) => html`<li class="decision ${d.decision}">
      <span class="decision-icon" aria-hidden="true">${d.decision === 'approve' ? '✓' : '✕'}</span>
      <div>
        <div><strong>${d.automatic ? 'Policy' : d.approver}</strong> ${d.decision === 'approve' ? 'approved' : 'denied'}
          <span class="muted">via ${CHANNEL_LABELS[d.channel]} · <time datetime="${d.at}">${formatTimestamp(d.at)}</time></span></div>
        ${d.reason ? html`<blockquote class="reason">${d.reason}</blockquote>` : ''}
        ${d.automatic && d.ruleIds?.length ? html`<div class="muted small">Rules: ${d.ruleIds.map((id, i) => html`${i ? ', ' : ''}<span class="mono">${id}</span>`)} · policy <span class="mono">${d.policyVersion.slice(0, 12)}</span></div>` : ''}
      </div>
    </li>`,
  )}</ul>`;
}
