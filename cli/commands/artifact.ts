import { writeFile } from 'node:fs/promises';
import { InvalidArtifactKeyError } from '../../platform/artifact-store.js';
import { createArtifactStore } from '../../platform/artifact-store-config.js';
import { pruneArtifacts, type RetentionReport } from '../../platform/artifact-retention.js';
import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { jsonLine, type CommandContext } from '../context.js';
import { CliError, UsageError } from '../usage-error.js';

/**
 * `airlock artifact <sha256> [--out FILE]`: one stored artifact (an output file, or a full stdout/stderr), read from
 * the configured artifact store (the local folder under AIRLOCK_HOME, or the S3-compatible bucket every host shares).
 * Text goes to stdout; bytes that are not UTF-8 need --out, so that a binary never garbles a terminal or a pipe
 * expecting text. The full bytes or an error: never the preview recorded in history.
 *
 * `airlock artifact prune --older-than-days N [--dry-run] [--json]`: the retention sweep, on demand.
 */
export async function artifactCommand(context: CommandContext): Promise<number> {
  if (context.argv[0] === 'prune') return pruneCommand({ ...context, argv: context.argv.slice(1) });
  const { values, positionals } = parseCommandLine('artifact', context.argv, { out: { type: 'string' } } as const);
  const [sha256] = expectPositionals('artifact', positionals, ['sha256']) as [string];
  const store = await createArtifactStore({ home: context.config().home });
  let bytes: Buffer | undefined;
  try {
    bytes = await store.get(sha256);
  } catch (err) {
    if (err instanceof InvalidArtifactKeyError) throw new UsageError(`artifact: ${err.message}`);
    throw err;
  }
  if (!bytes) {
    throw new CliError(`no artifact ${sha256} in ${store.location} (is this the store the sandbox workers write to? see AIRLOCK_ARTIFACT_STORE)`, EXIT.error);
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

async function pruneCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'artifact prune',
    context.argv,
    { 'older-than-days': { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } } as const,
  );
  expectPositionals('artifact prune', positionals, []);
  const days = Number(values['older-than-days']);
  if (values['older-than-days'] === undefined || !(days > 0)) throw new UsageError('artifact prune: --older-than-days N needs a positive number of days');
  const store = await createArtifactStore({ home: context.config().home });
  const report = await pruneArtifacts(store, { olderThanDays: days, dryRun: values['dry-run'] === true });
  context.io.out(values.json ? jsonLine(report) : renderReport(report));
  return EXIT.ok;
}

function renderReport(report: RetentionReport): string {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const lines = report.deleted.map((a) => `${verb} ${a.sha256}  ${a.bytes} bytes  written ${a.writtenAt.toISOString()}\n`);
  lines.push(
    `${report.location}: ${verb} ${report.deleted.length} artifact(s), ${report.deletedBytes} bytes, last written before ${report.cutoff.toISOString()}; kept ${report.kept}\n`,
  );
  return lines.join('');
}
