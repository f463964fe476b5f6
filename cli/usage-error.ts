/** The command line was wrong (unknown flag, missing argument, bad value): exit code 2 and a pointer to help. */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

/**
 * An expected failure with a one-line message for the user and a fixed exit code (e.g. "no action is awaiting
 * approval"), raised by the CLI itself rather than the SDK.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The input named on the command line cannot be used (missing file, code too large): exit 2, no help hint. */
export class BadInputError extends UsageError {
  override readonly name = 'BadInputError';
}
