import { createLogger } from '../../platform/logger.js';
import { EXIT } from '../exit-codes.js';
import { expectPositionals, parseCommandLine } from '../parse-args.js';
import type { CommandContext } from '../context.js';

/** `airlock up`: the embedded stack (Temporal dev server, workers, API) until Ctrl-C. */
export async function upCommand(context: CommandContext): Promise<number> {
  const { positionals } = parseCommandLine('up', context.argv, {});
  expectPositionals('up', positionals, []);
  const config = context.config();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'airlock', format: config.LOG_FORMAT });
  // Imported here so the other commands never load the worker and dev-server code.
  const { runEmbeddedStack } = await import('../../workers/dev-stack/embedded-stack.js');
  await runEmbeddedStack({ config, logger, signal: context.signal });
  return EXIT.ok;
}
