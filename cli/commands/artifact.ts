import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FileArtifactStore, InvalidArtifactKeyError } from '../../platform/artifact-store.js';
import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import type { CommandContext } from '../context.js';
import { CliError, UsageError } from '../usage-error.js';

/**
 * `airlock artifact <sha256> [--out FILE]`: one stored artifact (an output file, or a full stdout/stderr), read from
 * the artifact store under AIRLOCK_HOME. Text goes to stdout; bytes that are not UTF-8 need --out, so that a binary
 * never garbles a terminal or a pipe expecting text.
 */
export async function artifactCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('artifact', context.argv, { out: { type: 'string' } } as const);
  const [sha256] = expectPositionals('artifact', positionals, ['sha256']) as [string];
  const store = new FileArtifactStore(path.join(context.config().home, 'artifacts'));
  let bytes: Buffer | undefined;
  try {
    bytes = await store.get(sha256);
  } catch (err) {
    if (err instanceof InvalidArtifactKeyError) throw new UsageError(`artifact: ${err.message}`);
    throw err;
  }
  if (!bytes) {
    throw new CliError(`no artifact ${sha256} in ${store.dir} (is AIRLOCK_HOME the one the sandbox worker uses?)`, EXIT.error);
  }
  if (values.out !== undefined) {
    await writeFile(values.out, bytes);
    context.io.err(`airlock: wrote ${bytes.length} bytes to ${values.out}\n`);
    return EXIT.ok;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`artifact ${sha256} is binary (${bytes.length} bytes): write it to a file with --out FILE`, EXIT.usage);
  }
  context.io.out(text);
  return EXIT.ok;
}
