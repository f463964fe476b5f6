/** The suite's table: printed to stdout and written into docs/reliability.md between two markers. */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { FaultRow } from './fault.js';

const DOC = fileURLToPath(new URL('../../../docs/reliability.md', import.meta.url));
export const TABLE_BEGIN = '<!-- chaos-table:begin (written by `npm run chaos`; do not edit by hand) -->';
export const TABLE_END = '<!-- chaos-table:end -->';

/** Temporary folders of this machine say nothing to a reader of the docs: they become <tmp>. */
const TEMP_PATH = new RegExp(`${os.tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[^\\s:;,)]*`, 'g');

function cell(text: string): string {
  return text.replace(TEMP_PATH, '<tmp>').replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

/** The markdown table of the rows, with when and how long. */
export function renderTable(rows: readonly FaultRow[], facts: { date: string; totalSeconds: number; loadRuns: number }): string {
  return [
    `Last run ${facts.date}: ${rows.length} faults in ${facts.totalSeconds} s on this machine, load of ${facts.loadRuns} runs.`,
    '"duplicated" counts executions beyond one where at most once applies; "re-ran (declared)" counts',
    'no-network actions that ran again after a lost attempt, which their at-least-once semantics allow.',
    '',
    '| Fault | Runs | Lost | Duplicated | Orphaned | Re-ran (declared) | Seconds | Result |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${cell(r.fault)} | ${r.runs} | ${r.lost} | ${r.duplicated} | ${r.orphaned} | ${r.declaredRetries} | ${r.seconds} | ` +
        `${r.passed ? 'passed' : '**FAILED**'}${r.notes.length > 0 ? `: ${cell(r.notes.join('; '))}` : ''} |`,
    ),
  ].join('\n');
}

/** Replaces what is between the markers in docs/reliability.md (the markers must be there). */
export async function writeTableIntoDoc(table: string): Promise<string> {
  const current = await readFile(DOC, 'utf8');
  const begin = current.indexOf(TABLE_BEGIN);
  const end = current.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`${DOC} lacks the chaos table markers; add "${TABLE_BEGIN}" and "${TABLE_END}"`);
  await writeFile(DOC, `${current.slice(0, begin + TABLE_BEGIN.length)}\n${table}\n${current.slice(end)}`);
  return DOC;
}
