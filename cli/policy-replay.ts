import { PolicyJudge } from '../policy/policy-judgement.js';
import { parseDurationMs } from '../schemas/duration.js';
import { recordedActions, replayAction, type OutcomeChange, type ReplayedAction } from '../client/shadow-replay.js';
import { jsonLine, withClient, type CommandContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { expectPositionals, parseCommandLine } from './parse-args.js';
import { readCandidatePolicy } from './policy-file-input.js';
import { UsageError } from './usage-error.js';

export interface PolicyReplayReport {
  policyVersion: string;
  since?: string;
  runs: number;
  actions: number;
  /** Counts per change (`auto->human`, `human->auto`, `auto->deny`, …). */
  changes: Partial<Record<OutcomeChange, number>>;
  /** Every action whose gate outcome would change, with the rule ids on both sides. */
  changed: ReplayedAction[];
}

/**
 * `airlock policy replay FILE [--since DUR] [--agent ID] [--json]`: re-scores every action recorded in Temporal history under
 * the candidate policy and reports which gate outcomes would change. Nothing is executed.
 */
export async function policyReplayCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('policy replay', context.argv, { since: { type: 'string' }, agent: { type: 'string' }, json: { type: 'boolean' } } as const);
  const [file] = expectPositionals('policy replay', positionals, ['policy-file']) as [string];
  let since: Date | undefined;
  if (values.since !== undefined) {
    try {
      since = new Date(Date.now() - parseDurationMs(values.since));
    } catch (err) {
      throw new UsageError(`policy replay: --since ${(err as Error).message}`);
    }
  }
  const candidate = readCandidatePolicy(file);
  const judge = new PolicyJudge(candidate);
  return withClient(context, async (client) => {
    const report: PolicyReplayReport = { policyVersion: candidate.version, ...(since ? { since: since.toISOString() } : {}), runs: 0, actions: 0, changes: {}, changed: [] };
    const runs = new Set<string>();
    for await (const execution of client.executionHistories({ since, agent: values.agent })) {
      runs.add(execution.runId);
      for (const action of recordedActions(execution.events)) {
        const replayed = await replayAction(judge, candidate, action, execution);
        report.actions++;
        if (!replayed.change) continue;
        report.changes[replayed.change] = (report.changes[replayed.change] ?? 0) + 1;
        report.changed.push(replayed);
      }
    }
    report.runs = runs.size;
    report.changed.sort((a, b) => (a.runId === b.runId ? compareIds(a.actionId, b.actionId) : a.runId < b.runId ? -1 : 1));
    context.io.out(values.json ? jsonLine(report) : renderReplay(report));
    return EXIT.ok;
  });
}

function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function renderReplay(report: PolicyReplayReport): string {
  const lines = [`${report.actions} actions in ${report.runs} runs re-scored under policy ${report.policyVersion.slice(0, 12)}${report.since ? ` (since ${report.since})` : ''}`];
  if (report.changed.length === 0) lines.push('no gate outcome would change');
  for (const [change, count] of Object.entries(report.changes)) lines.push(`  ${change.padEnd(12)} ${count}`);
  for (const a of report.changed) {
    lines.push(`${a.runId} ${a.actionId} (${a.language}): ${a.change}`);
    lines.push(`    before: ${a.before.level} ${a.before.outcome} [${a.before.ruleIds.join(', ')}]`);
    lines.push(`    after:  ${a.after.level} ${a.after.outcome} [${a.after.ruleIds.join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}
