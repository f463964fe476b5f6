import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { generateRunId } from '../../client/run-id.js';
import { EXIT, exitCodeForRun } from '../exit-codes.js';
import { readInputFiles } from '../read-input-files.js';
import { renderRun } from '../render-run.js';
import { buildRunInput, checkCodeSize, parseRunArgs, resolveRequester } from '../run-args.js';
import { shapeRunJson, startedRunJson } from '../run-json.js';
import { BadInputError } from '../usage-error.js';
import { jsonLine, withClient, type CommandContext } from '../context.js';

function osUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the user must pass --as.
    return undefined;
  }
}

async function readSource(source: string, context: CommandContext): Promise<Buffer> {
  if (source === '-') return context.io.readStdin();
  try {
    return await readFile(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BadInputError(`file not found: ${source}`);
    if (code === 'EISDIR') throw new BadInputError(`${source} is a directory: pass the file with the code to run`);
    if (code === 'EACCES') throw new BadInputError(`cannot read ${source}: permission denied`);
    throw err;
  }
}

/** `airlock run`: start a one-shot run of a file (or stdin), optionally wait for its outcome. */
export async function runCommand(context: CommandContext): Promise<number> {
  const args = parseRunArgs(context.argv);
  const bytes = await readSource(args.source, context);
  checkCodeSize(bytes.length, args.source);
  const requester = resolveRequester(args.requester, osUserName());
  const files = args.files ? await readInputFiles(args.files) : undefined;
  const input = buildRunInput(args, bytes.toString('utf8'), requester, files);

  return withClient(context, async (client) => {
    const keyed = args.idempotencyKey !== undefined ? { idempotencyKey: args.idempotencyKey } : {};
    if (!args.wait) {
      const { runId } = await client.startRun(input, keyed);
      if (args.json) context.io.out(jsonLine(startedRunJson(runId, input.actions?.length ?? 0)));
      else context.io.out(`${runId}\n`);
      return EXIT.ok;
    }
    // One request: the run starts and the answer comes back when its action is done. The id is chosen here so the
    // person knows which run they are waiting for (a keyed run's id follows from the key).
    const named = args.idempotencyKey !== undefined ? keyed : { runId: generateRunId() };
    if (!args.json) context.io.err(`${'runId' in named ? `started ${named.runId}` : 'started'}, waiting for it to finish\n`);
    const state = await client.hydrateOutputs(await client.runAndWait(input, named));
    context.io.out(args.json ? jsonLine(shapeRunJson(state)) : renderRun(state));
    return exitCodeForRun(state);
  });
}
