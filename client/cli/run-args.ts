import { z } from 'zod';
import { MAX_CODE_BYTES, type Language } from '../../schemas/action.js';
import { parseDurationMs } from '../../schemas/duration.js';
import { formatAllowEntry, parseAllowEntry } from '../../schemas/network.js';
import { IdentitySchema, StartRunInputSchema, type StartRunInput } from '../../schemas/run.js';
import { inferLanguage } from './language.js';
import { expectPositionals, parseCommandLine, parseWholeNumber } from './parse-args.js';
import { BadInputError, UsageError } from './usage-error.js';

export const DEFAULT_AGENT = 'cli';

/** `airlock run` after parsing: nothing read, nothing contacted yet. */
export interface RunArgs {
  /** A file path, or `-` for stdin. */
  source: string;
  language: Language;
  agent: string;
  /** Requester named with --as; the OS user when absent. */
  requester?: string;
  task?: string;
  timeoutSec?: number;
  memoryMb?: number;
  approvalTimeoutMs?: number;
  /** --allow-host entries in canonical form; absent when none were given (then the code has no network). */
  allowHosts?: string[];
  wait: boolean;
  json: boolean;
}

const RUN_OPTIONS = {
  lang: { type: 'string' },
  agent: { type: 'string' },
  as: { type: 'string' },
  task: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  'approval-timeout': { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  wait: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Parses `airlock run` arguments (everything after `run`). */
export function parseRunArgs(argv: readonly string[]): RunArgs {
  const { values, positionals } = parseCommandLine('run', argv, RUN_OPTIONS);
  const [source] = expectPositionals('run', positionals, ['file|-']) as [string];
  let approvalTimeoutMs: number | undefined;
  if (values['approval-timeout'] !== undefined) {
    try {
      approvalTimeoutMs = parseDurationMs(values['approval-timeout']);
    } catch (err) {
      throw new UsageError(`--approval-timeout: ${(err as Error).message}`);
    }
  }
  return {
    source,
    language: inferLanguage(source, values.lang),
    agent: values.agent ?? DEFAULT_AGENT,
    requester: values.as,
    task: values.task,
    timeoutSec: parseWholeNumber('timeout', values.timeout, 'seconds'),
    memoryMb: parseWholeNumber('memory', values.memory, 'megabytes'),
    approvalTimeoutMs,
    ...(values['allow-host'] ? { allowHosts: parseAllowHosts(values['allow-host']) } : {}),
    wait: values.wait ?? false,
    json: values.json ?? false,
  };
}

/** Validates each --allow-host value (HOST:PORT, *.DOMAIN:PORT, IP:PORT) and puts it in canonical form. */
function parseAllowHosts(values: readonly string[]): string[] {
  return values.map((value) => {
    const entry = parseAllowEntry(value);
    if (typeof entry === 'string') throw new UsageError(`--allow-host ${entry}`);
    return formatAllowEntry(entry);
  });
}

/** Refuses code over the size limit before anything is sent anywhere. */
export function checkCodeSize(byteLength: number, source: string): void {
  if (byteLength > MAX_CODE_BYTES) {
    const kib = Math.ceil(byteLength / 1024);
    const what = source === '-' ? 'the code on stdin' : `"${source}"`;
    throw new BadInputError(
      `${what} is ${kib} KiB, over the ${MAX_CODE_BYTES / 1024} KiB limit: split the work into smaller actions`,
    );
  }
}

/** The requester: --as when given, else the OS user, which must be a valid identity. */
export function resolveRequester(asFlag: string | undefined, osUser: string | undefined): string {
  if (asFlag !== undefined) {
    if (!IdentitySchema.safeParse(asFlag).success) {
      throw new UsageError(`--as "${asFlag}" is not a valid identity: use letters, digits and . _ @ : + - only`);
    }
    return asFlag;
  }
  if (osUser && IdentitySchema.safeParse(osUser).success) return osUser;
  throw new UsageError('cannot use your user name as the requester: pass --as USER');
}

/** The workflow input for a one-shot run of `code`; validated here so bad limits fail before Temporal is asked. */
export function buildRunInput(args: RunArgs, code: string, requester: string): StartRunInput {
  const limits = {
    ...(args.timeoutSec !== undefined ? { timeoutSec: args.timeoutSec } : {}),
    ...(args.memoryMb !== undefined ? { memoryMb: args.memoryMb } : {}),
  };
  const input: StartRunInput = {
    agent: args.agent,
    requester,
    actions: [
      {
        language: args.language,
        code,
        ...(args.task !== undefined ? { task: args.task } : {}),
        ...(Object.keys(limits).length > 0 ? { limits } : {}),
        ...(args.allowHosts?.length ? { network: { allow: args.allowHosts } } : {}),
      },
    ],
    closeWhenDone: true,
    ...(args.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: args.approvalTimeoutMs } : {}),
  };
  const parsed = StartRunInputSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.filter((part) => typeof part === 'string').at(-1) : undefined;
    const message = first ? first.message : z.prettifyError(parsed.error);
    throw new UsageError(where && !message.includes(String(where)) ? `${String(where)}: ${message}` : message);
  }
  return input;
}
