import type { AuditDecisionLine } from '../client/audit-export.js';

/** `airlock audit --since` for people: one line per decision, oldest first. */
export function renderDecisionLines(lines: readonly AuditDecisionLine[]): string {
  if (lines.length === 0) return 'no decisions in that window\n';
  return (
    lines
      .map((line) => {
        const verb = line.decision === 'approve' ? 'approved' : 'denied';
        const who = line.automatic ? 'policy' : `${line.approver} via ${line.channel}`;
        const risk = line.risk ? ` (${line.risk.level} risk)` : '';
        const rules = line.ruleIds?.length ? ` rules ${line.ruleIds.join(', ')}` : '';
        return `${line.at}  ${line.runId} ${line.actionId}${risk}  ${verb} by ${who}${rules}${line.reason ? `: ${line.reason}` : ''}`;
      })
      .join('\n') + '\n'
  );
}
