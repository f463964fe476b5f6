import { PolicyFileError } from '../../policy/policy-file-error.js';
import { readPolicyFile, resolvePolicyPath } from '../../policy/policy-loader.js';
import { IdentitySchema } from '../../schemas/run.js';
import { tokenFilePath, TokenFileError, TokenStore } from '../../platform/token-store.js';
import { jsonLine, type CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { BadInputError, CliError, UsageError } from '../usage-error.js';

/**
 * `airlock token create --as PRINCIPAL [--json]`: a bearer token for the HTTP API. The token is printed once;
 * only its sha256 is kept (in `<AIRLOCK_HOME>/tokens.json`), so a lost token is replaced, never recovered.
 */
export async function tokenCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('token', context.argv, {
    as: { type: 'string' },
    json: { type: 'boolean' },
  } as const);
  const [action] = expectPositionals('token', positionals, ['create']);
  if (action !== 'create') throw new UsageError(`token: unknown action "${action}" (use: airlock token create --as PRINCIPAL)`);
  if (values.as === undefined) throw new UsageError('token create: --as PRINCIPAL is required');
  const principal = IdentitySchema.safeParse(values.as);
  if (!principal.success) throw new BadInputError(`token create: --as "${values.as}" is not a valid principal id`);

  // With a principals list in the policy, a token for someone outside it could never do anything: refuse early.
  const policyFile = resolvePolicyPath();
  if (policyFile !== undefined) {
    let principals;
    try {
      principals = readPolicyFile(policyFile).principals;
    } catch (err) {
      if (err instanceof PolicyFileError) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
    if (principals && !principals.some((p) => p.id === principal.data)) {
      throw new BadInputError(`token create: ${principal.data} is not a principal of the policy ${policyFile}; add them there first`);
    }
  }

  const store = new TokenStore(tokenFilePath(context.config().home));
  let created;
  try {
    created = store.create(principal.data);
  } catch (err) {
    if (err instanceof TokenFileError) throw new CliError(err.message, EXIT.error);
    throw err;
  }
  if (values.json) {
    context.io.out(jsonLine({ token: created.token, id: created.record.id, principal: created.record.principal, createdAt: created.record.createdAt }));
  } else {
    context.io.out(`${created.token}\n`);
    context.io.err(`token ${created.record.id} for ${created.record.principal}: shown once, store it now (send it as Authorization: Bearer <token>)\n`);
  }
  return EXIT.ok;
}
