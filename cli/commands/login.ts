import { AirlockApiClient, apiUrlOf } from '../../client/api-client.js';
import { writeCredentials } from '../credentials.js';
import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import { UsageError } from '../usage-error.js';
import type { CommandContext } from '../context.js';

/**
 * `airlock login`: reads an API token from stdin (never from the command line, where other processes could read
 * it), checks it with the API, and stores it for `approve`, `deny` and the rest.
 */
export async function loginCommand(context: CommandContext): Promise<number> {
  const { positionals } = parseCommandLine('login', context.argv, {} as const);
  expectPositionals('login', positionals, []);
  const config = context.config();
  context.io.err('Paste your API token (from `airlock token create`), then press Enter and Ctrl-D:\n');
  const token = (await context.io.readStdin()).toString('utf8').split(/\r?\n/).map((line) => line.trim()).find((line) => line.length > 0);
  if (!token) throw new UsageError('login: no token on stdin');
  const url = apiUrlOf(config);
  const who = await new AirlockApiClient({ url, token }).whoami();
  const file = writeCredentials({ apiUrl: url, token, principal: who.principal, savedAt: new Date().toISOString() });
  context.io.out(`logged in to ${url} as ${who.principal} (roles: ${who.roles.join(', ') || 'none'}${who.expiresAt ? `; token expires ${who.expiresAt}` : ''})\n`);
  context.io.err(`token stored in ${file}\n`);
  return EXIT.ok;
}
