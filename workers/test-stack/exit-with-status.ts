import { ConfigError } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { SetupError } from '../../platform/setup-errors.js';

/**
 * Runs a test command's `main` and exits with its status. Set-up and configuration errors are read by a person at a
 * terminal, so they print as one plain message; anything else is logged with its stack.
 */
export function exitWithStatus(main: () => Promise<number>, loggerName: string): void {
  main().then(
    (status) => process.exit(status),
    (err: unknown) => {
      if (err instanceof SetupError || err instanceof ConfigError) {
        process.stderr.write(`airlock: ${err.message}\n`);
      } else {
        createLogger({ name: loggerName }).fatal({ err }, 'test set-up failed');
      }
      process.exit(1);
    },
  );
}
