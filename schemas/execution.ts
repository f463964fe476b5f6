import { z } from 'zod';
import { LanguageSchema, ResolvedLimitsSchema } from './action.js';

/** What the sandbox activity is asked to run. */
export const ExecutionRequestSchema = z.object({
  runId: z.string(),
  actionId: z.string(),
  language: LanguageSchema,
  code: z.string(),
  limits: ResolvedLimitsSchema,
});
export type ExecutionRequest = z.infer<typeof ExecutionRequestSchema>;

/** Longest stdout/stderr kept inline in workflow history; the full (capped) output is in the artifact store. */
export const INLINE_OUTPUT_BYTES = 64 * 1024;

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
  }),
});
export type ExecutionResult = z.infer<typeof ExecutionResultSchema>;
