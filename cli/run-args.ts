import { IdempotencyKeySchema } from '../schemas/idempotency.js';
import { z } from 'zod';
import { IsolationLevelSchema, MAX_CODE_BYTES, type IsolationLevel, type Language } from '../schemas/action.js';
import { CallbackUrlSchema } from '../schemas/callback.js';
import { parseDurationMs } from '../schemas/duration.js';
import { InputFilesSchema, OutputGlobsSchema, type InputFiles } from '../schemas/files.js';
import { SecretNameSchema } from '../schemas/credentials.js';
import { formatAllowEntry, parseAllowEntry } from '../schemas/network.js';
import { IdentitySchema, StartRunInputSchema, type StartRunInput } from '../schemas/run.js';
import { inferLanguage } from './language.js';
import { expectPositionals, parseCommandLine, parseWholeNumber } from './parse-args.js';
import { BadInputError, UsageError } from './usage-error.js';

export const DEFAULT_AGENT = 'cli';

/** One `--file LOCAL=REMOTE`: a file on this machine and where it goes, relative to /workspace. */
export interface InputFileMapping {
  local: string;
  remote: string;
}

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
  /** --credential names: secrets the egress proxy adds for the destinations the policy binds them to. */
  credentials?: string[];
  /** --isolation; absent: the action asks for nothing and the workflow decides (standard unless high risk). */
  isolation?: IsolationLevel;
  /** --file pairs in command-line order; the local files are read later, by the command. */
  files?: InputFileMapping[];
  /** --output globs under /workspace, collected into the artifact store after exit. */
  outputs?: string[];
  /** --idempotency-key: a retried `run` with the same key returns the first run instead of starting another. */
  idempotencyKey?: string;
  /** --callback-url: where the run POSTs its events (the policy must list the host). */
  callbackUrl?: string;
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
  credential: { type: 'string', multiple: true },
  isolation: { type: 'string' },
  file: { type: 'string', multiple: true },
  output: { type: 'string', multiple: true },
  'idempotency-key': { type: 'string' },
  'callback-url': { type: 'string' },
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
    ...(values.credential ? { credentials: parseCredentials(values.credential) } : {}),
    ...(values.isolation !== undefined ? { isolation: parseIsolation(values.isolation) } : {}),
    ...(values.file ? { files: parseFileMappings(values.file) } : {}),
    ...(values.output ? { outputs: parseOutputGlobs(values.output) } : {}),
    ...(values['idempotency-key'] !== undefined ? { idempotencyKey: parseIdempotencyKey(values['idempotency-key']) } : {}),
    ...(values['callback-url'] !== undefined ? { callbackUrl: parseCallbackUrl(values['callback-url']) } : {}),
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

/** Validates each --credential NAME (a secret's name; the value never appears on a command line). */
function parseCredentials(values: readonly string[]): string[] {
  return values.map((value) => {
    const parsed = SecretNameSchema.safeParse(value);
    if (!parsed.success) throw new UsageError(`--credential ${value}: ${firstMessage(parsed.error)}`);
    return parsed.data;
  });
}

function parseIdempotencyKey(value: string): string {
  const parsed = IdempotencyKeySchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--idempotency-key: ${firstMessage(parsed.error)}`);
  return parsed.data;
}

function parseCallbackUrl(value: string): string {
  const parsed = CallbackUrlSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--callback-url: ${firstMessage(parsed.error)}`);
  return parsed.data;
}

function parseIsolation(value: string): IsolationLevel {
  const parsed = IsolationLevelSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--isolation: ${firstMessage(parsed.error)}`);
  return parsed.data;
}

/**
 * Splits each --file value at its first `=` and checks the REMOTE paths with the action schema's own rules (no
 * contents yet: those are read, and their sizes checked, once the command line is known to be good).
 */
function parseFileMappings(values: readonly string[]): InputFileMapping[] {
  const mappings = values.map((value) => {
    const at = value.indexOf('=');
    if (at <= 0 || at === value.length - 1) {
      throw new UsageError(`--file "${value}" must be LOCAL=REMOTE (e.g. data/in.csv=in.csv; REMOTE is relative to /workspace)`);
    }
    return { local: value.slice(0, at), remote: value.slice(at + 1) };
  });
  const remotes = mappings.map((mapping) => mapping.remote);
  const repeated = remotes.find((remote, index) => remotes.indexOf(remote) !== index);
  if (repeated !== undefined) throw new UsageError(`--file: "${repeated}" is named as REMOTE more than once`);
  const parsed = InputFilesSchema.safeParse(Object.fromEntries(remotes.map((remote) => [remote, ''])));
  if (!parsed.success) throw new UsageError(`--file: ${firstMessage(parsed.error)}`);
  return mappings;
}

function parseOutputGlobs(values: string[]): string[] {
  const parsed = OutputGlobsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(`--output: ${firstMessage(parsed.error)}`);
  return parsed.data;
}

function firstMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? z.prettifyError(error);
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

/**
 * The workflow input for a one-shot run of `code`; validated here so bad limits fail before Temporal is asked.
 * `files` holds the contents of the --file mappings, keyed by REMOTE path.
 */
export function buildRunInput(args: RunArgs, code: string, requester: string, files?: InputFiles): StartRunInput {
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
        ...(args.credentials?.length ? { credentials: args.credentials } : {}),
        ...(args.isolation !== undefined ? { isolation: args.isolation } : {}),
        ...(files !== undefined ? { files } : {}),
        ...(args.outputs !== undefined ? { outputs: args.outputs } : {}),
      },
    ],
    closeWhenDone: true,
    ...(args.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: args.approvalTimeoutMs } : {}),
    ...(args.callbackUrl !== undefined ? { callbackUrl: args.callbackUrl } : {}),
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
