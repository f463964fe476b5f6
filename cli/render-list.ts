import type { RunSummary } from '../client/list-query.js';

const COLUMNS = ['RUN', 'AGENT', 'STATUS', 'RISK', 'PENDING', 'STARTED'] as const;

/** `airlock list` as an aligned table (or a sentence when there is nothing to show). */
export function renderRunList(runs: readonly RunSummary[], pendingOnly: boolean): string {
  if (runs.length === 0) return pendingOnly ? 'no runs are awaiting approval\n' : 'no runs\n';
  const rows = runs.map((run) => [
    run.runId,
    run.agent ?? '-',
    run.status ?? run.workflowStatus.toLowerCase(),
    run.highestRisk ?? '-',
    run.awaitingApproval ? 'yes' : 'no',
    run.startedAt,
  ]);
  const table = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  return table.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}
