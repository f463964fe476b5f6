import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { renderAudit } from '../render-audit.js';
import { jsonLine, withClient, type CommandContext } from '../context.js';

/** `airlock audit <runId>`: the decision chain of every action, from the workflow history. */
export async function auditCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('audit', context.argv, { json: { type: 'boolean' } } as const);
  const [runId] = expectPositionals('audit', positionals, ['runId']) as [string];
  return withClient(context, async (client) => {
    const report = await client.audit(runId);
    context.io.out(values.json ? jsonLine(report) : renderAudit(report));
    return EXIT.ok;
  });
}
