import { SecretNameSchema } from '../../schemas/credentials.js';
import { EncryptedSecretFile, SecretFileError } from '../../platform/encrypted-secret-file.js';
import { EnvSecretStore } from '../../platform/secret-store.js';
import { jsonLine, type CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { BadInputError, CliError, UsageError } from '../usage-error.js';

const USAGE = 'airlock secret set NAME (value on stdin) | list | rm NAME';
/** Longest value `secret set` accepts: credentials are short; a file this size is a mistake. */
const MAX_VALUE_BYTES = 64 * 1024;

function secretName(command: string, text: string): string {
  const parsed = SecretNameSchema.safeParse(text);
  if (!parsed.success) throw new BadInputError(`${command}: "${text}": ${parsed.error.issues[0]?.message ?? 'invalid name'}`);
  return parsed.data;
}

/**
 * `airlock secret set|list|rm`: the encrypted local store the sandbox worker reads values from (AIRLOCK_HOME's
 * `secrets/`). The value comes on stdin only, never from the command line (which other users can read in the
 * process list, and shells keep in history); nothing ever prints a value.
 */
export async function secretCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('secret', context.argv, { json: { type: 'boolean' } } as const);
  const [action, ...rest] = positionals;
  const store = EncryptedSecretFile.at(context.config().home);
  try {
    if (action === 'set') {
      const [raw] = expectPositionals('secret set', rest, ['name']) as [string];
      const name = secretName('secret set', raw);
      const input = await context.io.readStdin();
      if (input.length > MAX_VALUE_BYTES) throw new BadInputError(`secret set: the value is larger than ${MAX_VALUE_BYTES / 1024} KiB`);
      // One trailing newline is what `echo` and a terminal add; it is never part of a token.
      const value = input.toString('utf8').replace(/\r?\n$/, '');
      if (value.length === 0) throw new BadInputError('secret set: no value on stdin (pipe it in: airlock secret set NAME < file)');
      if (/[\r\n]/.test(value)) throw new BadInputError('secret set: the value has a line break inside; a header or query value cannot carry one');
      await store.set(name, value);
      context.io.out(values.json ? jsonLine({ name, stored: store.file }) : `stored secret ${name} (encrypted in ${store.file})\n`);
      return EXIT.ok;
    }
    if (action === 'list') {
      expectPositionals('secret list', rest, []);
      const stored = await store.list();
      const fromEnv = await new EnvSecretStore().list();
      if (values.json) context.io.out(jsonLine({ file: stored, env: fromEnv }));
      else {
        for (const name of stored) context.io.out(`${name}  file\n`);
        for (const name of fromEnv) context.io.out(`${name}  env\n`);
      }
      return EXIT.ok;
    }
    if (action === 'rm') {
      const [raw] = expectPositionals('secret rm', rest, ['name']) as [string];
      const name = secretName('secret rm', raw);
      if (!(await store.remove(name))) throw new BadInputError(`secret rm: no secret named ${name} in ${store.file} (see airlock secret list)`);
      context.io.out(values.json ? jsonLine({ name, removed: true }) : `removed secret ${name}\n`);
      return EXIT.ok;
    }
  } catch (err) {
    if (err instanceof SecretFileError) throw new CliError(err.message, EXIT.error);
    throw err;
  }
  throw new UsageError(action === undefined ? `secret: missing action (${USAGE})` : `secret: unknown action "${action}" (${USAGE})`);
}
