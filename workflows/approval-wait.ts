/**
 * The approval wait of one action: announce it, climb the level's escalation ladder while nobody decides, and deny
 * by policy when the wait times out. Time and waiting come in through `ApprovalWaitDeps` (the workflow passes
 * `condition` and workflow time), so the ladder runs in unit tests without a server.
 */
import { GATE_RULE_IDS } from '../policy/gate.js';
import { formatDurationMs } from '../schemas/duration.js';
import type { ApprovalOutcome } from '../schemas/notification.js';
import type { EscalationStep, LevelGate, NotifyChannel } from '../schemas/policy.js';
import type { RiskLevel } from '../schemas/risk.js';
import { DEFAULT_APPROVAL_TIMEOUT_MS, type ActionState } from '../schemas/run.js';
import { hasDenial, isDecided } from './approval-state.js';
import type { RunSession } from './run-session.js';

export interface ApprovalWaitDeps {
  /** Resolves true once `test()` holds, false when `timeoutMs` passed first (Temporal's `condition`). */
  waitUntil(test: () => boolean, timeoutMs: number, summary: string): Promise<boolean>;
  /** Workflow time in milliseconds. */
  nowMs(): number;
  /** Tells the channels about the wait (stage 0) or one of its escalation steps. */
  announce(action: ActionState, level: RiskLevel, stage: number, channels: readonly NotifyChannel[], roles: string[]): void;
  /** Tells the channels how the wait ended. */
  publishOutcome(action: ActionState, level: RiskLevel, outcome: ApprovalOutcome): void;
  escalated(action: ActionState, stage: number, step: EscalationStep): void;
}

/** The escalation steps that start before the wait times out, in order. */
export function ladderSteps(gate: LevelGate, timeoutMs: number): EscalationStep[] {
  const steps: EscalationStep[] = [];
  for (const step of gate.escalation ?? []) {
    if (step.afterMs >= timeoutMs) break;
    steps.push(step);
  }
  return steps;
}

/** How the wait ended, for the channels. */
function approvalOutcomeOf(action: ActionState, decided: boolean): ApprovalOutcome {
  return !decided ? 'timed_out' : hasDenial(action) ? 'denied' : 'approved';
}

/**
 * Waits for humans on `action`; returns false when the wait timed out (then the policy has denied the action and
 * its status is `timed_out`).
 */
export async function awaitApproval(
  session: RunSession,
  deps: ApprovalWaitDeps,
  action: ActionState,
  level: RiskLevel,
  gate: LevelGate,
): Promise<boolean> {
  const timeoutMs = session.approvalTimeoutOf(action.actionId) ?? gate.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  const startedAt = deps.nowMs();
  action.requiredApprovals = gate.quorum;
  action.approvalDeadline = new Date(startedAt + timeoutMs).toISOString();
  session.setActionStatus(action, 'awaiting_approval');
  const summary = `approval of ${action.actionId} (${level} risk, ${gate.quorum} approver${gate.quorum > 1 ? 's' : ''})`;
  const until = (endMs: number) => deps.waitUntil(() => isDecided(action), Math.max(endMs - deps.nowMs(), 1), summary);
  deps.announce(action, level, 0, gate.notify ?? [], []);
  let decided = false;
  let stage = 0;
  for (const step of ladderSteps(gate, timeoutMs)) {
    decided = await until(startedAt + step.afterMs);
    if (decided) break;
    stage++;
    deps.escalated(action, stage, step);
    deps.announce(action, level, stage, step.channels.length > 0 ? step.channels : (gate.notify ?? []), step.roles);
  }
  if (!decided) decided = await until(startedAt + timeoutMs);
  if (!decided) {
    session.recordPolicyDecision(action, 'deny', [GATE_RULE_IDS.approvalTimeout], `no decision within ${formatDurationMs(timeoutMs)}`);
    session.setActionStatus(action, 'timed_out');
  }
  deps.publishOutcome(action, level, approvalOutcomeOf(action, decided));
  return decided;
}
