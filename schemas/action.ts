import { z } from 'zod';
import { ActionCredentialsSchema } from './credentials.js';
import { InputFilesSchema, OutputGlobsSchema } from './files.js';
import { NetworkRequestSchema } from './network.js';
import { utf8ByteLength } from './utf8.js';

export const LANGUAGES = ['python', 'node', 'bash'] as const;
export const LanguageSchema = z.enum(LANGUAGES, {
  error: (issue) => `unknown language ${JSON.stringify(issue.input)}: use one of ${LANGUAGES.join(', ')}`,
});
export type Language = z.infer<typeof LanguageSchema>;

/** Code larger than this is refused before anything else happens (no risk scoring, no container). */
export const MAX_CODE_BYTES = 256 * 1024;

/** Hard bounds any request must stay within; the defaults apply when the action names no limit. */
export const LIMIT_BOUNDS = {
  timeoutSec: { min: 1, max: 3_600, default: 30 },
  memoryMb: { min: 16, max: 8_192, default: 256 },
  cpus: { min: 0.1, max: 8, default: 1 },
  pids: { min: 8, max: 4_096, default: 128 },
  outputBytes: { min: 1_024, max: 16 * 1024 * 1024, default: 1024 * 1024 },
} as const;

function bounded(name: keyof typeof LIMIT_BOUNDS, integer: boolean) {
  const { min, max } = LIMIT_BOUNDS[name];
  const base = integer ? z.number().int(`${name} must be a whole number`) : z.number();
  return base
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);
}

export const ResourceLimitsSchema = z
  .object({
    timeoutSec: bounded('timeoutSec', true).optional(),
    memoryMb: bounded('memoryMb', true).optional(),
    cpus: bounded('cpus', false).optional(),
    pids: bounded('pids', true).optional(),
    outputBytes: bounded('outputBytes', true).optional(),
  })
  .strict();
export type ResourceLimits = z.infer<typeof ResourceLimitsSchema>;

/** Limits with every field filled in: what the sandbox actually enforces. */
export const ResolvedLimitsSchema = z.object({
  timeoutSec: z.number(),
  memoryMb: z.number(),
  cpus: z.number(),
  pids: z.number(),
  outputBytes: z.number(),
});
export type ResolvedLimits = z.infer<typeof ResolvedLimitsSchema>;

export function resolveLimits(limits: ResourceLimits | undefined): ResolvedLimits {
  return {
    timeoutSec: limits?.timeoutSec ?? LIMIT_BOUNDS.timeoutSec.default,
    memoryMb: limits?.memoryMb ?? LIMIT_BOUNDS.memoryMb.default,
    cpus: limits?.cpus ?? LIMIT_BOUNDS.cpus.default,
    pids: limits?.pids ?? LIMIT_BOUNDS.pids.default,
    outputBytes: limits?.outputBytes ?? LIMIT_BOUNDS.outputBytes.default,
  };
}

export const CodeSchema = z
  .string({ error: 'code must be a string' })
  .min(1, 'code is empty')
  .refine((code) => utf8ByteLength(code) <= MAX_CODE_BYTES, {
    message: `code is larger than the ${MAX_CODE_BYTES / 1024} KiB limit`,
  });

/**
 * How strongly the code is kept apart from the host: `standard` is runc with Airlock's hardening, `strong` adds the
 * gVisor user-space kernel (runsc) between the code and the host kernel.
 */
export const ISOLATION_LEVELS = ['standard', 'strong'] as const;
export const IsolationLevelSchema = z.enum(ISOLATION_LEVELS, {
  error: (issue) => `unknown isolation ${JSON.stringify(issue.input)}: use one of ${ISOLATION_LEVELS.join(', ')}`,
});
export type IsolationLevel = z.infer<typeof IsolationLevelSchema>;

/** One piece of code an agent asks to run. */
export const ActionInputSchema = z
  .object({
    language: LanguageSchema,
    code: CodeSchema,
    /** What the agent says the code is for; shown to approvers. */
    task: z.string().max(500, 'task must be at most 500 characters').optional(),
    limits: ResourceLimitsSchema.optional(),
    /** Isolation level asked for; `standard` when absent (the policy may raise it for high risk). */
    isolation: IsolationLevelSchema.optional(),
    /** Files placed under /workspace before the code starts (relative path → UTF-8 content). */
    files: InputFilesSchema.optional(),
    /** Globs under /workspace collected after exit into the artifact store. */
    outputs: OutputGlobsSchema.optional(),
    /** Overrides the run's approval timeout for this action. */
    approvalTimeoutMs: z.number().int().positive().max(30 * 86_400_000).optional(),
    /** Destinations the code may reach through the egress proxy; no network at all when absent. */
    network: NetworkRequestSchema.optional(),
    /**
     * Secrets (by name) the egress proxy adds to requests for the destinations the policy binds them to; the
     * code never holds their values. Needs `network`: a secret goes only where the allowlist and the binding agree.
     */
    credentials: ActionCredentialsSchema.optional(),
  })
  .strict()
  .refine((action) => !action.credentials || action.network, {
    message: 'credentials are applied by the egress proxy: list the destinations that use them in network.allow',
    path: ['credentials'],
  })
  // Egress under gVisor is not verified yet (its netstack and Docker's embedded DNS interact differently), so the
  // combination is refused rather than run with unproven isolation.
  .refine((action) => !(action.network && action.isolation === 'strong'), {
    message: 'network access is not available with strong isolation yet: drop network.allow or use standard isolation',
    path: ['network'],
  });
export type ActionInput = z.infer<typeof ActionInputSchema>;

export const ACTION_STATUSES = [
  'received',
  'assessed',
  'awaiting_approval',
  'approved',
  'denied',
  'timed_out',
  'running',
  'succeeded',
  'failed',
] as const;
export const ActionStatusSchema = z.enum(ACTION_STATUSES);
export type ActionStatus = z.infer<typeof ActionStatusSchema>;

/** Statuses after which nothing more happens to an action. */
export const FINAL_ACTION_STATUSES: readonly ActionStatus[] = ['denied', 'timed_out', 'succeeded', 'failed'];

/** Statuses of an action that ended without succeeding (the run then counts as failed). */
export const UNSUCCESSFUL_ACTION_STATUSES: readonly ActionStatus[] = ['failed', 'denied', 'timed_out'];

export function isUnsuccessful(status: ActionStatus): boolean {
  return UNSUCCESSFUL_ACTION_STATUSES.includes(status);
}

/** Which action of which run an activity works on; every activity input about an action carries it. */
export interface ActionRef {
  runId: string;
  actionId: string;
}

const ACTION_ID_PREFIX = 'a';

/** The id of a run's action by its position (0-based) in the run: `a1`, `a2`, … The only place ids are built. */
export function actionIdAt(index: number): string {
  return `${ACTION_ID_PREFIX}${index + 1}`;
}

/** The position-based number of an action id (`a10` -> 10), for ordering; 0 for anything else. */
export function actionOrdinal(actionId: string): number {
  return actionId.startsWith(ACTION_ID_PREFIX) ? Number(actionId.slice(ACTION_ID_PREFIX.length)) || 0 : 0;
}
