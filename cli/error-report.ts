import { AirlockClientError, InputError } from '../client/errors.js';
import { ConfigError } from '../platform/config.js';
import { SetupError } from '../platform/setup-errors.js';
import { DockerUnavailableError } from '../sandbox/docker-client.js';
import { EXIT } from './exit-codes.js';
import { BadInputError, CliError, UsageError } from './usage-error.js';

/** What the CLI prints (one line, on stderr) and exits with for an error a command threw. */
export interface ErrorReport {
  message: string;
  exitCode: number;
  /** False for errors we did not expect: worth a stack trace when debugging. */
  expected: boolean;
}

/** Maps an error to its report by class; unexpected errors still get one line unless debugging is on. */
export function reportError(err: unknown): ErrorReport {
  if (err instanceof BadInputError) return { message: err.message, exitCode: EXIT.usage, expected: true };
  if (err instanceof UsageError) {
    return { message: `${err.message} (see \`airlock help\`)`, exitCode: EXIT.usage, expected: true };
  }
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode, expected: true };
  if (err instanceof InputError || err instanceof ConfigError) {
    return { message: err.message, exitCode: EXIT.usage, expected: true };
  }
  if (err instanceof AirlockClientError) return { message: err.message, exitCode: EXIT.error, expected: true };
  // Set-up problems (Docker, Temporal CLI, ports) carry a message that already says what to do.
  if (err instanceof SetupError || err instanceof DockerUnavailableError) {
    return { message: err.message, exitCode: EXIT.error, expected: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message: `unexpected error: ${message}`, exitCode: EXIT.error, expected: false };
}
