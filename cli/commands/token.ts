import { userInfo } from 'node:os';
import { PolicyFileError } from '../../policy/policy-file-error.js';
import { readPolicyFile, resolvePolicyPath } from '../../policy/policy-loader.js';
import { parseDurationMs } from '../../schemas/duration.js';
import { IdentitySchema } from '../../schemas/run.js';
import { ApiRoleSchema, type ApiRole } from '../../platform/api-roles.js';
import { DEFAULT_TOKEN_TTL_MS, tokenFilePath, TokenFileError, TokenStore, tokenStatus } from '../../platform/token-store.js';
import { jsonLine, type CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { BadInputError, CliError, UsageError } from '../usage-error.js';

const USAGE = 'airlock token create --as PRINCIPAL [--role agent|viewer|approver|admin]... [--expires 90d] | revoke ID | list | repair';

/**
 * `airlock token create|revoke|list|repair`: bearer tokens for the HTTP API and the web UI. Writing the token file is the
 * admin act (it needs access to AIRLOCK_HOME); every creation and revocation is logged with who did it. A token is
 * printed once; only its sha256 is kept, so a lost token is replaced, never recovered.
 */
export async function tokenCommand(context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine('token', context.argv, {
    as: { type: 'string' },
    role: { type: 'string', multiple: true },
    expires: { type: 'string' },
    json: { type: 'boolean' },
  } as const);
  const [action, ...rest] = positionals;
  const store = new TokenStore(tokenFilePath(context.config().home));
  const actor = `os-user:${userInfo().username}`;
  try {
    if (action === 'create') {
      expectPositionals('token create', rest, []);
      return create(context, store, actor, values);
    }
    if (action === 'revoke') {
      const [id] = expectPositionals('token revoke', rest, ['tokenId']) as [string];
      const record = store.revoke(id, { revokedBy: actor, via: { channel: 'cli' } });
      if (!record) throw new BadInputError(`token revoke: no token with id ${id} (see airlock token list)`);
      context.io.out(values.json ? jsonLine({ id, principal: record.principal, revokedAt: record.revokedAt }) : `revoked token ${id} of ${record.principal}\n`);
      return EXIT.ok;
    }
    if (action === 'repair') {
      expectPositionals('token repair', rest, []);
      const report = store.repair({ repairedBy: actor });
      if (values.json) {
        context.io.out(jsonLine({ outcome: report.outcome, kept: report.kept.map((t) => t.id), unreadable: report.unreadable, setAside: report.setAside }));
      } else if (report.outcome === 'healthy') {
        context.io.out(`token file ${store.file} is readable (${report.kept.length} token(s)); nothing to repair\n`);
      } else {
        context.io.out(
          `token file ${store.file} repaired: kept ${report.kept.length} token(s), ${report.unreadable} could not be read; ` +
            `the damaged file is at ${report.setAside}.\n` +
            'Tokens that are missing from `airlock token list` no longer work: create them again with `airlock token create`.\n',
        );
      }
      return EXIT.ok;
    }
    if (action === 'list') {
      expectPositionals('token list', rest, []);
      const now = Date.now();
      const rows = store.list().map((t) => {
        const status = tokenStatus(t, now);
        return { id: t.id, principal: t.principal, roles: t.roles, createdAt: t.createdAt, expiresAt: t.expiresAt, status: status.ok ? 'active' : status.refusal };
      });
      if (values.json) context.io.out(jsonLine({ tokens: rows }));
      else for (const row of rows) context.io.out(`${row.id}  ${row.principal}  ${row.roles.join(',') || '-'}  ${row.status}  expires ${row.expiresAt ?? 'never'}\n`);
      return EXIT.ok;
    }
  } catch (err) {
    if (err instanceof TokenFileError) throw new CliError(err.message, EXIT.error);
    throw err;
  }
  throw new UsageError(action === undefined ? `token: missing action (${USAGE})` : `token: unknown action "${action}" (${USAGE})`);
}

function create(
  context: CommandContext,
  store: TokenStore,
  actor: string,
  values: { as?: string; role?: string[]; expires?: string; json?: boolean },
): number {
  if (values.as === undefined) throw new UsageError('token create: --as PRINCIPAL is required');
  const principal = IdentitySchema.safeParse(values.as);
  if (!principal.success) throw new BadInputError(`token create: --as "${values.as}" is not a valid principal id`);
  // Least privilege: a token that does not say otherwise may only act as an agent.
  const roles: ApiRole[] = [];
  for (const role of values.role ?? ['agent']) {
    const parsed = ApiRoleSchema.safeParse(role);
    if (!parsed.success) throw new BadInputError(`token create: ${parsed.error.issues[0]?.message ?? `unknown role ${role}`}`);
    roles.push(parsed.data);
  }
  let ttlMs = DEFAULT_TOKEN_TTL_MS;
  if (values.expires !== undefined) {
    try {
      ttlMs = parseDurationMs(values.expires);
    } catch (err) {
      throw new BadInputError(`token create: --expires ${(err as Error).message}`);
    }
  }

  // With a principals list in the policy, a token for someone outside it could never decide: refuse early.
  const policyFile = resolvePolicyPath();
  if (policyFile !== undefined) {
    let principals;
    try {
      principals = readPolicyFile(policyFile, null, context.config().home).principals;
    } catch (err) {
      if (err instanceof PolicyFileError) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
    if (principals && !principals.some((p) => p.id === principal.data)) {
      throw new BadInputError(`token create: ${principal.data} is not a principal of the policy ${policyFile}; add them there first`);
    }
  }

  const created = store.create(principal.data, { roles, ttlMs, createdBy: actor, via: { channel: 'cli' } });
  const { record } = created;
  if (values.json) {
    context.io.out(jsonLine({ token: created.token, id: record.id, principal: record.principal, roles: record.roles, createdAt: record.createdAt, expiresAt: record.expiresAt }));
  } else {
    context.io.out(`${created.token}\n`);
    context.io.err(
      `token ${record.id} for ${record.principal} (roles: ${record.roles.join(', ')}; expires ${record.expiresAt}): shown once, store it now ` +
        `(airlock login, or send it as Authorization: Bearer <token>)\n`,
    );
  }
  return EXIT.ok;
}
