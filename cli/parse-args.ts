import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Node's parseArgs error codes for a bad command line (everything else is a bug and is rethrown). */
const PARSE_ERROR_CODES = new Set([
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
  'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
]);

/**
 * parseArgs in strict mode, with its errors turned into UsageError (Node's messages already name the flag;
 * its advice about `--` is dropped because no command takes values that start with a dash).
 */
export function parseCommandLine<T extends Options>(
  command: string,
  argv: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && PARSE_ERROR_CODES.has(code)) {
      const message = (err as Error).message.split('. To specify')[0]?.replace(/\.$/, '') ?? 'invalid arguments';
      throw new UsageError(`${command}: ${message}`);
    }
    throw err;
  }
}

/** Exactly `count` positional arguments, named for the error message. */
export function expectPositionals(command: string, positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(`${command}: missing ${names.slice(positionals.length).map((n) => `<${n}>`).join(' ')}`);
  }
  if (positionals.length > names.length) {
    throw new UsageError(`${command}: unexpected argument "${positionals[names.length]}"`);
  }
  return [...positionals];
}

/** A flag value that must be a positive whole number. */
export function parseWholeNumber(flag: string, value: string | undefined, unit: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) <= 0) {
    throw new UsageError(`--${flag} must be a whole number of ${unit}, not "${value}"`);
  }
  return Number(value);
}
