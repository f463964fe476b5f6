import { parseDurationMs } from '../../schemas/duration.js';
import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { renderAudit, renderVerification } from '../render-audit.js';
import { renderDecisionLines } from '../render-decision-lines.js';
import { UsageError } from '../usage-error.js';
import { jsonLine, withClient, type CommandContext } from '../context.js';

/**
 * `airlock audit <runId> [--json]`: the decision chain of every action, from the workflow history.
 * `airlock audit --since DURATION [--jsonl]`: every decision of every run in the window, one line each.
 */
export async function auditCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('audit', context.argv, {
    json: { type: 'boolean' },
    since: { type: 'string' },
    jsonl: { type: 'boolean' },
    verify: { type: 'boolean' },
  } as const);
  if (values.since !== undefined) {
    if (positionals.length > 0) throw new UsageError('audit: give either <runId> or --since DURATION, not both');
    let windowMs: number;
    try {
      windowMs = parseDurationMs(values.since);
    } catch (err) {
      throw new UsageError(`audit: --since ${(err as Error).message}`);
    }
    return withClient(context, async (client) => {
      const lines = await client.auditDecisionsSince(new Date(Date.now() - windowMs));
      context.io.out(values.jsonl ? lines.map((line) => JSON.stringify(line) + '\n').join('') : renderDecisionLines(lines));
      return EXIT.ok;
    });
  }
  if (values.jsonl) throw new UsageError('audit: --jsonl goes with --since DURATION (use --json for one run)');
  const [runId] = expectPositionals('audit', positionals, ['runId']) as [string];
  if (values.verify) {
    return withClient(context, async (client) => {
      const verification = await client.verifyAudit(runId);
      context.io.out(values.json ? jsonLine(verification) : renderVerification(verification));
      return verification.allCountedVerified ? EXIT.ok : EXIT.error;
    });
  }
  return withClient(context, async (client) => {
    const report = await client.audit(runId);
    context.io.out(values.json ? jsonLine(report) : renderAudit(report));
    return EXIT.ok;
  });
}
