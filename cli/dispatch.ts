import { artifactCommand } from './commands/artifact.js';
import { auditCommand } from './commands/audit.js';
import { decideCommand } from './commands/decide.js';
import { helpCommand } from './commands/help.js';
import { listCommand } from './commands/list.js';
import { loginCommand } from './commands/login.js';
import { mcpCommand } from './commands/mcp.js';
import { runCommand } from './commands/run.js';
import { secretCommand } from './commands/secret.js';
import { statusCommand } from './commands/status.js';
import { tokenCommand } from './commands/token.js';
import { upCommand } from './commands/up.js';
import { policyCommand } from './policy-command.js';
import type { Command, CommandContext } from './context.js';
import { reportError } from './error-report.js';
import { UsageError } from './usage-error.js';

const COMMANDS: Readonly<Record<string, Command>> = {
  up: upCommand,
  run: runCommand,
  approve: decideCommand('approve'),
  deny: decideCommand('deny'),
  status: statusCommand,
  list: listCommand,
  audit: auditCommand,
  token: tokenCommand,
  secret: secretCommand,
  login: loginCommand,
  artifact: artifactCommand,
  policy: policyCommand,
  mcp: mcpCommand,
  help: helpCommand,
};

/** Finds the command for the first argument; `--help`/`-h` mean `help`. */
function resolveCommand(name: string | undefined): Command {
  if (name === undefined) throw new UsageError('missing command');
  if (name === '--help' || name === '-h') return helpCommand;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`unknown command "${name}"`);
  return command;
}

/** Runs the CLI for `argv` (without node and script) and returns the exit code; errors become one line. */
export async function dispatch(argv: readonly string[], base: Omit<CommandContext, 'argv'>): Promise<number> {
  try {
    const [name, ...rest] = argv;
    const command = resolveCommand(name);
    return await command({ ...base, argv: rest });
  } catch (err) {
    const report = reportError(err);
    base.io.err(`airlock: ${report.message}\n`);
    if (!report.expected && process.env.AIRLOCK_DEBUG) base.io.err(`${(err as Error).stack ?? ''}\n`);
    return report.exitCode;
  }
}
