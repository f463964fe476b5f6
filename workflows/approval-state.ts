/** Pure rules for counting decisions on one action; shared by the workflow and its unit tests. */
import { approverRefusalOf, type DecisionRefusal } from '../policy/gate.js';
import type { ActionState } from '../schemas/run.js';
import type { DecisionInput } from '../schemas/decision.js';
import type { PolicySnapshot } from '../schemas/policy.js';

/** Distinct humans who approved; one approver counts once however often they click. */
export function approvalCount(action: ActionState): number {
  return new Set(action.decisions.filter((d) => !d.automatic && d.decision === 'approve').map((d) => d.approver)).size;
}

export function hasDenial(action: ActionState): boolean {
  return action.decisions.some((d) => d.decision === 'deny');
}

/** The approval wait is over: one deny ends it at once, otherwise the quorum must be reached. */
export function isDecided(action: ActionState): boolean {
  return hasDenial(action) || approvalCount(action) >= action.requiredApprovals;
}

/**
 * Why no decision can count on the action now, whoever sends it: there is no such action, or it is not awaiting
 * approval (the wait timed out, or it is past or before it). The workflow's validator and the API (for a run that
 * has ended and cannot answer) say it the same way.
 */
export function actionStatusRefusal(
  runId: string,
  actionId: string,
  action: ActionState | undefined,
  options: { runEnded?: boolean } = {},
): DecisionRefusal | undefined {
  if (!action) return { type: 'unknown_action', message: `run ${runId} has no action ${actionId}` };
  if (action.status === 'timed_out') {
    return {
      type: 'timed_out',
      message: `the approval wait for action ${action.actionId} already timed out; it was denied by the policy`,
    };
  }
  if (action.status !== 'awaiting_approval' || options.runEnded) {
    return { type: 'not_awaiting_approval', message: `action ${action.actionId} is not awaiting approval (status: ${action.status})` };
  }
  return undefined;
}

/**
 * Why a decision may not count, or undefined when it may. The order matters to users: "no such action" before
 * "not awaiting approval" before anything about the person deciding.
 */
export function refuseDecision(
  input: DecisionInput,
  context: { runId: string; requester: string; policy: PolicySnapshot | undefined; action: ActionState | undefined },
): DecisionRefusal | undefined {
  const { action, policy } = context;
  const statusRefusal = actionStatusRefusal(context.runId, input.actionId, action);
  if (statusRefusal || !action) return statusRefusal;
  if (!policy) return { type: 'policy_loading', message: `run ${context.runId} is still loading its policy; try again in a moment` };
  const refusal = approverRefusalOf(policy, input.approver, input.decision, context.requester, action.risk?.level);
  if (refusal) return refusal;
  if (action.decisions.some((d) => d.approver === input.approver && !d.automatic)) {
    return {
      type: 'duplicate_decision',
      message: `${input.approver} has already decided on action ${action.actionId}; a decision counts once`,
    };
  }
  return undefined;
}

/** Message-only form of refuseDecision. */
export function decisionRefusal(
  input: DecisionInput,
  context: { runId: string; requester: string; policy: PolicySnapshot | undefined; action: ActionState | undefined },
): string | undefined {
  return refuseDecision(input, context)?.message;
}
