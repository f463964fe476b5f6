import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { renderRunList } from '../render-list.js';
import { jsonLine, withClient, type CommandContext } from '../context.js';

/** `airlock list [--pending]`: recent runs from Temporal's visibility store. */
export async function listCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('list', context.argv, {
    pending: { type: 'boolean' },
    json: { type: 'boolean' },
  } as const);
  expectPositionals('list', positionals, []);
  const pendingOnly = values.pending ?? false;
  return withClient(context, async (client) => {
    const runs = await client.listRuns({ pendingOnly });
    context.io.out(values.json ? jsonLine({ runs }) : renderRunList(runs, pendingOnly));
    return EXIT.ok;
  });
}
