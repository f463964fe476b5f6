import { createHash } from 'node:crypto';
import type { PolicySnapshot } from '../schemas/policy.js';
import { DEFAULT_GATES } from './gate.js';
import { LEVEL_THRESHOLDS } from './level-thresholds.js';
import { defaultAnalysisPolicy } from './analysis/analysis-policy.js';
import { toRuleData } from './rule-data.js';
import { BUILT_IN_RULES, type RiskRule } from './risk-rules.js';
import { policySigner } from './signer-key.js';

/**
 * The policy in force: gates, approvers and a version that is the sha256 of everything that can change an outcome
 * (rules, thresholds, gates, approvers), so two runs with the same version were judged by the same policy.
 */
export function currentPolicy(options: {
  approvers: string[] | null;
  rules?: readonly RiskRule[];
  /** Public key (hex) of the local deciding service, trusted to sign decisions under the built-in policy. */
  localSigner?: string | undefined;
}): PolicySnapshot {
  const signers = options.localSigner ? [policySigner('local', options.localSigner)] : [];
  const rules = options.rules ?? BUILT_IN_RULES;
  const approvers = options.approvers === null ? null : [...new Set(options.approvers)].sort();
  const ruleData = rules.map(toRuleData);
  const analysis = defaultAnalysisPolicy();
  const canonical = JSON.stringify({
    rules: ruleData,
    analysis,
    thresholds: LEVEL_THRESHOLDS,
    gates: DEFAULT_GATES,
    approvers,
    // Older versions hashed no signers: the key is mixed in only when there is one.
    ...(signers.length > 0 ? { signers } : {}),
  });
  // The rules travel with the snapshot: a run keeps scoring by them after a deploy changes the built-in ones.
  return {
    version: createHash('sha256').update(canonical).digest('hex'),
    gates: { ...DEFAULT_GATES },
    approvers,
    rules: ruleData,
    analysis,
    thresholds: { ...LEVEL_THRESHOLDS },
    ...(signers.length > 0 ? { signers } : {}),
  };
}

/** Parses AIRLOCK_APPROVERS (comma-separated); empty means anyone but the requester. */
export function parseApprovers(text: string): string[] | null {
  const ids = text
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  return ids.length === 0 ? null : ids;
}
