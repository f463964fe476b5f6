import { z } from 'zod';
import { RiskLevelSchema } from './risk.js';

export const GateModeSchema = z.enum(['auto', 'human', 'deny']);
export type GateMode = z.infer<typeof GateModeSchema>;

/** What happens to an action of one risk level. */
export const LevelGateSchema = z.object({
  mode: GateModeSchema,
  /** Distinct authorised approvers needed when mode is `human`. */
  quorum: z.number().int().min(1).max(10),
});
export type LevelGate = z.infer<typeof LevelGateSchema>;

/**
 * The policy a run pins when it starts: loaded by an activity, so it is recorded in history and a change to
 * the policy affects only runs started after it.
 */
export const PolicySnapshotSchema = z.object({
  /** sha256 of the policy's canonical content. */
  version: z.string(),
  gates: z.record(RiskLevelSchema, LevelGateSchema),
  /** Principals allowed to approve; null means anyone except the requester and the policy itself. */
  approvers: z.array(z.string()).nullable(),
});
export type PolicySnapshot = z.infer<typeof PolicySnapshotSchema>;
