import { z } from 'zod';
import { IsolationLevelSchema, LanguageSchema, ResolvedLimitsSchema } from './action.js';
import { ExecutionCredentialSchema, MaskedSecretSchema } from './credentials.js';
import { InputFilesSchema, OutputFileSchema, OutputGlobsSchema, SkippedOutputSchema } from './files.js';
import { EgressAttemptSchema } from './network.js';
import { ResourceUsageSchema } from './resource-usage.js';

/** What the sandbox activity is asked to run. */
export const ExecutionRequestSchema = z.object({
  runId: z.string(),
  actionId: z.string(),
  language: LanguageSchema,
  code: z.string(),
  limits: ResolvedLimitsSchema,
  /** `standard` when absent (requests recorded before isolation levels existed). */
  isolation: IsolationLevelSchema.optional(),
  /**
   * What to do when `strong` is asked for but gVisor is not available on the sandbox host: `fail` the execution
   * (the default), or `fallback` to `standard` and say so in the result.
   */
  whenStrongUnavailable: z.enum(['fail', 'fallback']).optional(),
  files: InputFilesSchema.optional(),
  outputs: OutputGlobsSchema.optional(),
  /**
   * Canonical allowlist entries (NetworkRequestSchema's output); absent means no network at all.
   * `privateDestinations` comes from the pinned policy (`network.privateDestinations`), never from the action:
   * the destinations that may be or resolve to loopback, private or host addresses.
   */
  network: z
    .object({ allow: z.array(z.string()).min(1), privateDestinations: z.array(z.string()).optional() })
    .optional(),
  /**
   * Secrets the egress proxy adds for this execution: names, destinations (canonical allowlist entries, within
   * `network.allow`) and how to apply them, from the pinned policy. Values come from the sandbox worker's store.
   */
  credentials: z.array(ExecutionCredentialSchema).optional(),
});
export type ExecutionRequest = z.infer<typeof ExecutionRequestSchema>;

/** Longest stdout/stderr kept inline in workflow history; the full (capped) output is in the artifact store. */
export const INLINE_OUTPUT_BYTES = 16 * 1024;

export const CapturedOutputSchema = z.object({
  /** The output, or its first INLINE_OUTPUT_BYTES when longer (then `inlineComplete` is false). */
  text: z.string(),
  inlineComplete: z.boolean(),
  /** Bytes captured (at most the output cap). */
  bytes: z.number().int(),
  /** The program wrote more than the cap; the rest was discarded. */
  truncated: z.boolean(),
  /** sha256 of the captured bytes: the key in the artifact store. */
  sha256: z.string(),
});
export type CapturedOutput = z.infer<typeof CapturedOutputSchema>;

/**
 * How far one attempt got. `preparing`: no container yet; `created`: the container exists and has never started, so
 * no code ran; `started`: the container started, so the code may have run; `exited`: the code ended (its exit code
 * and output are saved); `finished`: the whole result is saved.
 */
export const ATTEMPT_PHASES = ['preparing', 'created', 'started', 'exited', 'finished'] as const;
export const AttemptPhaseSchema = z.enum(ATTEMPT_PHASES);
export type AttemptPhase = z.infer<typeof AttemptPhaseSchema>;

/**
 * How an attempt ended, as the attempt that ran or a later attempt saw it. `completed`: it returned its result;
 * `failed`: its worker reported an error; `lost-before-start`: its worker went away before the container started (no
 * code ran); `lost-after-start`: its worker went away after the container started (the code may have run, and may
 * still be running until its own deadline); `lost-after-exit`: its worker went away after the code ended and its
 * result was picked up; `unknown`: no trace of it where the later attempt could look.
 */
export const ATTEMPT_OUTCOMES = ['completed', 'failed', 'lost-before-start', 'lost-after-start', 'lost-after-exit', 'unknown'] as const;
export const AttemptOutcomeSchema = z.enum(ATTEMPT_OUTCOMES);
export type AttemptOutcome = z.infer<typeof AttemptOutcomeSchema>;

/** One activity attempt of an execution: its own container, when it ran, how it ended, what it sent out. */
export const ExecutionAttemptSchema = z.object({
  attempt: z.number().int().positive(),
  containerName: z.string(),
  containerId: z.string().optional(),
  /** The last phase known to have been reached. */
  phase: AttemptPhaseSchema,
  outcome: AttemptOutcomeSchema,
  /** ISO times the container started and stopped, as far as known. */
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** Egress attempts through the proxy seen for this attempt (actions with an allowlist). */
  egressAttempts: z.number().int().optional(),
  /** A short why (the error of a failed attempt, where a lost one was found). */
  note: z.string().optional(),
});
export type ExecutionAttempt = z.infer<typeof ExecutionAttemptSchema>;

export const ExecutionResultSchema = z.object({
  /** null when the process never produced an exit status (killed before start). */
  exitCode: z.number().int().nullable(),
  stdout: CapturedOutputSchema,
  stderr: CapturedOutputSchema,
  timedOut: z.boolean(),
  oomKilled: z.boolean(),
  durationMs: z.number(),
  sandbox: z.object({
    containerId: z.string(),
    containerName: z.string(),
    image: z.string(),
    imageId: z.string(),
    runtime: z.string(),
    limits: ResolvedLimitsSchema,
    /** The isolation level that actually ran (absent in results recorded before isolation levels existed). */
    isolation: IsolationLevelSchema.optional(),
    /** Set when `strong` was asked for but `standard` ran instead, and why. */
    isolationFallback: z.string().optional(),
    /** The container came from the warm pool (started ahead of demand, used once); absent: created for this run. */
    pooled: z.boolean().optional(),
  }),
  /** What the execution consumed and which limits it reached (absent in results recorded before accounting). */
  usage: ResourceUsageSchema.optional(),
  /** Files collected from the declared output paths (content in the artifact store). */
  outputFiles: z.array(OutputFileSchema).optional(),
  /** Matching paths that were not collected, with the reason. */
  skippedOutputs: z.array(SkippedOutputSchema).optional(),
  /** Every attempt to reach the network through the egress proxy, in order (actions with an allowlist only). */
  egress: z.array(EgressAttemptSchema).optional(),
  /** Attempts beyond the recorded ones: counted and logged, not kept in history. */
  egressOmitted: z.number().int().optional(),
  /** Where a value of a secret the action used was found in its output and masked (never the value). */
  maskedSecrets: z.array(MaskedSecretSchema).optional(),
  /** Every activity attempt of this execution, in order (results recorded since per-attempt containers). */
  attempts: z.array(ExecutionAttemptSchema).optional(),
  /** Set when this result is an earlier attempt's, picked up by a retry instead of running the code again. */
  pickedUpFromAttempt: z.number().int().positive().optional(),
});
export type ExecutionResult = z.infer<typeof ExecutionResultSchema>;

/**
 * Why the sandbox refused an execution for good (a non-retryable activity failure of this type). Code branches on
 * these, never on message text.
 */
export const SANDBOX_FAILURE_TYPES = [
  'SandboxImageMissing',
  'InvalidExecutionRequest',
  'StrongIsolationUnavailable',
  // An at-most-once action (one with network) whose earlier attempt may have run the code: not run again.
  'LostAttemptNotRetried',
] as const;
export type SandboxFailureType = (typeof SANDBOX_FAILURE_TYPES)[number];
