import type { Command, CommandContext } from './context.js';
import { policyCheckCommand } from './policy-check.js';
import { policyReplayCommand } from './policy-replay.js';
import { policyTestCommand } from './policy-test.js';
import { UsageError } from './usage-error.js';

const SUBCOMMANDS: Readonly<Record<string, Command>> = {
  check: policyCheckCommand,
  test: policyTestCommand,
  replay: policyReplayCommand,
};

/** `airlock policy check|test|replay …`: the policy treated as code. */
export async function policyCommand(context: CommandContext): Promise<number> {
  const [name, ...rest] = context.argv;
  const sub = name !== undefined && Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!sub) throw new UsageError(name === undefined ? 'policy: missing subcommand (check, test or replay)' : `policy: unknown subcommand "${name}" (check, test or replay)`);
  return sub({ ...context, argv: rest });
}
