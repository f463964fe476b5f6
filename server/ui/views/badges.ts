import type { ActionStatus } from '../../../schemas/action.js';
import type { RiskLevel } from '../../../schemas/risk.js';
import type { RunStatus } from '../../../schemas/run.js';
import { html, type SafeHtml } from '../html.js';

const STATUS_LABELS: Record<ActionStatus | RunStatus, string> = {
  received: 'Received',
  assessed: 'Assessed',
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  denied: 'Denied',
  timed_out: 'Timed out',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  completed: 'Completed',
  closed: 'Closed',
};

/** Tone of a status: drives its colour only; the label always says it in words too. */
const STATUS_TONES: Record<ActionStatus | RunStatus, 'neutral' | 'waiting' | 'good' | 'bad' | 'active'> = {
  received: 'neutral',
  assessed: 'neutral',
  awaiting_approval: 'waiting',
  approved: 'good',
  denied: 'bad',
  timed_out: 'bad',
  running: 'active',
  succeeded: 'good',
  failed: 'bad',
  completed: 'good',
  closed: 'neutral',
};

export function statusBadge(status: ActionStatus | RunStatus): SafeHtml {
  return html`<span class="badge status-${STATUS_TONES[status]}" data-status="${status}">${STATUS_LABELS[status]}</span>`;
}

export function statusLabel(status: ActionStatus | RunStatus): string {
  return STATUS_LABELS[status];
}

export function riskBadge(level: RiskLevel | undefined, score?: number): SafeHtml {
  if (!level) return html`<span class="badge risk-none">Not scored</span>`;
  return html`<span class="badge risk-${level}" data-risk="${level}">${level[0]?.toUpperCase()}${level.slice(1)} risk${
    score === undefined ? '' : html`<span class="badge-score"> · ${score}</span>`
  }</span>`;
}

/** "1 of 2" approvals as text plus dots (filled per approval), readable without colour. */
export function quorumProgress(approvals: number, required: number): SafeHtml {
  const dots = Array.from({ length: required }, (_, i) => html`<span class="dot${i < approvals ? ' filled' : ''}"></span>`);
  return html`<span class="quorum" data-testid="quorum"><span class="dots" aria-hidden="true">${dots}</span>${approvals} of ${required} approval${
    required === 1 ? '' : 's'
  }</span>`;
}
