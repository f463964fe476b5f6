import type { ActionState } from '../../../schemas/run.js';
import type { RiskFinding } from '../../../schemas/risk.js';
import { highlightLines } from '../highlight.js';
import { html, trustedHtml, type SafeHtml } from '../html.js';
import { diffHunks, diffLines } from '../line-diff.js';
import { lineAnchor } from './paths.js';

function findingsByLine(findings: readonly RiskFinding[]): Map<number, RiskFinding[]> {
  const byLine = new Map<number, RiskFinding[]>();
  for (const finding of findings) byLine.set(finding.line, [...(byLine.get(finding.line) ?? []), finding]);
  return byLine;
}

/**
 * The action's code, highlighted and numbered; each line a risk rule matched is marked, with the rule's reason
 * right under it, so the reviewer reads the finding next to the code that caused it.
 */
export function renderCode(action: ActionState): SafeHtml {
  const byLine = findingsByLine(action.risk?.findings ?? []);
  const lines = highlightLines(action.code, action.language).map((markup, index) => {
    const number = index + 1;
    const findings = byLine.get(number);
    const worst = findings?.reduce((a, b) => (b.score > a.score ? b : a));
    const line = html`<div class="code-line${worst ? html` flagged risk-${worst.level}` : ''}" id="${lineAnchor(action.actionId, number)}"${
      worst ? html` data-flagged="true"` : ''
    }><span class="ln" aria-hidden="true">${number}</span><code>${trustedHtml(markup || ' ')}</code></div>`;
    if (!findings) return line;
    return html`${line}${findings.map(
      (f) => html`<div class="code-note risk-${f.level}" role="note"><span class="note-mark" aria-hidden="true">▲</span> <strong>${f.level}</strong> · <span class="mono">${f.ruleId}</span> — ${f.description}</div>`,
    )}`;
  });
  return html`<div class="code" role="region" tabindex="0" aria-label="Code of action ${action.actionId} (${action.language})" data-testid="code">${lines}</div>`;
}

/** What changed since the action this one revises, as hunks of a line diff. */
export function renderDiff(previous: ActionState, action: ActionState): SafeHtml {
  const lines = diffLines(previous.code, action.code);
  if (!lines) return html`<p class="muted">The code is too large to compare line by line.</p>`;
  const changed = lines.filter((line) => line.kind !== 'same');
  if (changed.length === 0) return html`<p class="muted">Same code as action ${previous.actionId}.</p>`;
  const added = changed.filter((line) => line.kind === 'added').length;
  const removed = changed.length - added;
  const rows = diffHunks(lines).map((line) => {
    if (line === null) return html`<div class="diff-gap" aria-hidden="true">⋯</div>`;
    const sign = line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' ';
    const label = line.kind === 'added' ? 'added' : line.kind === 'removed' ? 'removed' : 'unchanged';
    return html`<div class="diff-line ${line.kind}"><span class="ln" aria-hidden="true">${line.oldLine ?? ''}</span><span class="ln" aria-hidden="true">${
      line.newLine ?? ''
    }</span><span class="sign" aria-label="${label}">${sign}</span><code>${line.text || ' '}</code></div>`;
  });
  return html`<p class="diff-summary"><span class="added-count">+${added}</span> <span class="removed-count">−${removed}</span> lines compared with action ${previous.actionId}</p>
    <div class="diff" role="region" tabindex="0" aria-label="Changes since action ${previous.actionId}" data-testid="diff">${rows}</div>`;
}
