import { z } from 'zod';
import { RunStateSchema } from './run.js';

/**
 * What a wait for actions waits for:
 * - `final`: every selected action is finished (succeeded, failed, denied, timed out);
 * - `decision-needed`: nothing selected is still moving on its own: each action is either finished or waiting
 *   for a human, so the caller can go and ask for a decision.
 */
export const WaitUntilSchema = z.enum(['final', 'decision-needed']);
export type WaitUntil = z.infer<typeof WaitUntilSchema>;

/** The longest one `awaitActions` update waits in the workflow before it answers `reached: false` (a day). */
export const MAX_AWAIT_ACTIONS_MS = 24 * 3_600_000;

/** The `awaitActions` update's argument: which actions (all of the run's when omitted), until when, for how long. */
export const AwaitActionsInputSchema = z
  .object({
    actionIds: z.array(z.string().min(1).max(50)).max(1_000).optional(),
    until: WaitUntilSchema,
    /** Answer `reached: false` after this long; unbounded (until the actions get there) when omitted. */
    timeoutMs: z.number().int().positive().max(MAX_AWAIT_ACTIONS_MS).optional(),
  })
  .strict();
export type AwaitActionsInput = z.infer<typeof AwaitActionsInputSchema>;

/** The run's state when the wait ended; `reached` is false only when `timeoutMs` passed first. */
export const AwaitActionsResultSchema = z.object({ reached: z.boolean(), state: RunStateSchema });
export type AwaitActionsResult = z.infer<typeof AwaitActionsResultSchema>;
