import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { renderRun } from '../render-run.js';
import { shapeRunStatusJson } from '../run-json.js';
import { jsonLine, withClient, type CommandContext } from '../context.js';

/** `airlock status <runId>`: where the run and each of its actions stand. */
export async function statusCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('status', context.argv, { json: { type: 'boolean' } } as const);
  const [runId] = expectPositionals('status', positionals, ['runId']) as [string];
  return withClient(context, async (client) => {
    const state = await client.hydrateOutputs(await client.getRun(runId));
    context.io.out(values.json ? jsonLine(shapeRunStatusJson(state)) : renderRun(state, { showCode: true }));
    return EXIT.ok;
  });
}
