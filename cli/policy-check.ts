import { readFileSync } from 'node:fs';
import { PolicyFileError } from '../policy/policy-file-error.js';
import { parsePolicyText } from '../policy/policy-file-parser.js';
import { lintPolicy, type PolicyWarning } from '../policy/policy-lint.js';
import { defaultHome } from '../policy/policy-loader.js';
import { readPublicKeyFile } from '../policy/signer-key.js';
import { jsonLine, type CommandContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { expectPositionals, parseCommandLine } from './parse-args.js';
import { BadInputError } from './usage-error.js';

/**
 * `airlock policy check FILE [--json] [--strict]`: validates the file (every problem with its line, exit 2) and
 * warns about what can never take effect (exit 0, or 1 with --strict).
 */
export async function policyCheckCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('policy check', context.argv, { json: { type: 'boolean' }, strict: { type: 'boolean' } } as const);
  const [file] = expectPositionals('policy check', positionals, ['policy-file']) as [string];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BadInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let warnings: PolicyWarning[];
  let version: string;
  try {
    // Signers' key files are read the way the workers read them: relative to AIRLOCK_HOME (a missing one is left out).
    const home = defaultHome();
    const policy = parsePolicyText(text, { source: file, readPublicKeyFile: (keyFile) => readPublicKeyFile(keyFile, home).publicKey });
    version = policy.version;
    warnings = lintPolicy(text, policy);
  } catch (err) {
    if (!(err instanceof PolicyFileError)) throw err;
    if (values.json) context.io.out(jsonLine({ file, valid: false, errors: err.issues, warnings: [] }));
    else context.io.err(`${err.message}\n`);
    return EXIT.usage;
  }
  if (values.json) context.io.out(jsonLine({ file, valid: true, version, errors: [], warnings }));
  else {
    for (const w of warnings) context.io.out(`${file}${w.line === undefined ? '' : `:${w.line}`}: warning: ${w.field}: ${w.message}\n`);
    context.io.out(`${file}: valid (version ${version.slice(0, 12)}), ${warnings.length} warning${warnings.length === 1 ? '' : 's'}\n`);
  }
  return values.strict && warnings.length > 0 ? EXIT.actionFailed : EXIT.ok;
}
