/**
 * What the audit makes of one recorded history, as one text: the report a finished run gives (JSON and as
 * `airlock audit` prints it), the report of the same history cut before the workflow completed (what a running
 * run gives: the history alone, without the workflow's final state), and the decision lines of the export.
 * test/unit/audit-recorded-histories.test.ts compares these with the fixtures in test/histories/audit/, so a
 * refactor that changes what the audit says about an old run fails.
 */
import path from 'node:path';
import { decodeHistoryEvents, type RawHistoryEvent } from '../../client/audit-events.js';
import { decisionLines } from '../../client/audit-export.js';
import { buildAuditReport } from '../../client/audit-report.js';
import { renderAudit } from '../../cli/render-audit.js';
import { readHistoryFile } from './history-file.js';

/** The audit output of the history in `file` (a test/histories/*.json fixture). */
export async function auditFixtureOf(file: string): Promise<string> {
  const history = await readHistoryFile(file);
  const runId = path.basename(file, '.json');
  const events = decodeHistoryEvents((history.events ?? []) as RawHistoryEvent[]);
  const finished = buildAuditReport({ runId, events });
  const running = buildAuditReport({ runId, events: events.filter((event) => event.kind !== 'workflow-completed') });
  return [
    '== report (finished run)',
    JSON.stringify(finished, null, 1),
    '== rendered (finished run)',
    renderAudit(finished),
    '== report (history without the final state)',
    JSON.stringify(running, null, 1),
    '== rendered (history without the final state)',
    renderAudit(running),
    '== decision lines',
    ...decisionLines(finished).map((line) => JSON.stringify(line)),
    '',
  ].join('\n');
}
