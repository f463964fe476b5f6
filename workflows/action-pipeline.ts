/**
 * One action's way through the run: assess the risk, apply the policy's bounds and gate (automatic, denied, or a
 * human wait), then run it in the sandbox. The activities come in through `PipelineDeps`, so the pipeline runs in
 * unit tests with fakes; the workflow passes its activity proxies.
 */
import { CREDENTIAL_RULE_IDS, resolveCredentials, withCredentialRisk } from '../policy/credential-binding.js';
import { gateFor, GATE_RULE_IDS } from '../policy/gate.js';
import { withNetworkRisk, withPrivateDestinations } from '../policy/network-risk.js';
import { isolationFor, limitsAboveBounds, LIMITS_ABOVE_BOUND_RULE } from '../policy/sandbox-policy.js';
import type { ExecutionRequest, ExecutionResult } from '../schemas/execution.js';
import type { LevelGate } from '../schemas/policy.js';
import type { RiskAssessment, RiskLevel } from '../schemas/risk.js';
import type { ActionState } from '../schemas/run.js';
import type { AssessRiskInput } from '../activities/control-activities.js';
import { hasDenial } from './approval-state.js';
import { describeFailure } from './describe-failure.js';
import type { RunSession } from './run-session.js';

export interface PipelineDeps {
  assessRisk(input: AssessRiskInput, summary: string): Promise<RiskAssessment>;
  executeCode(request: ExecutionRequest, summary: string): Promise<ExecutionResult>;
  /** The human wait; false when it timed out (the action is then denied by the policy). */
  awaitApproval(action: ActionState, level: RiskLevel, gate: LevelGate): Promise<boolean>;
  failed(action: ActionState, error: string): void;
}

/** Takes one action from `received` to a final status; never throws (an action fails on its own). */
export async function processAction(session: RunSession, deps: PipelineDeps, action: ActionState): Promise<void> {
  const policy = session.pinnedPolicy;
  const { runId } = session;
  try {
    const sandboxInput = session.sandboxInputOf(action.actionId);
    // Summaries label the activity in the Temporal Web UI's event history. Files, limits and network are part of
    // what is scored (and recorded, so a shadow replay can re-judge the action from history alone).
    const scored = await deps.assessRisk(
      {
        language: action.language,
        code: action.code,
        policyVersion: policy.version,
        ...(policy.rules ? { rules: policy.rules } : {}),
        ...(policy.thresholds ? { thresholds: policy.thresholds } : {}),
        ...(policy.analysis ? { analysis: policy.analysis } : {}),
        ...(sandboxInput?.files ? { files: sandboxInput.files } : {}),
        ...(sandboxInput?.limits ? { limits: sandboxInput.limits } : {}),
        ...(action.network ? { network: action.network } : {}),
        runId,
        actionId: action.actionId,
      },
      `assess the risk of ${action.actionId}`,
    );
    // Asking for network makes an action at least medium; denylisted hosts or too many make it critical.
    // Secrets: checked against the pinned policy's bindings and the allowlist (again, for actions that came with
    // the start input, before any policy was pinned); using one raises the risk as the policy says.
    const credentials = action.credentials
      ? resolveCredentials(action.credentials.map((use) => use.name), action.network?.allow, policy.credentials)
      : undefined;
    if (credentials && !('refused' in credentials)) action.credentials = credentials.uses;
    const networked = withNetworkRisk(scored, action.network, policy.network);
    const risk = credentials && !('refused' in credentials) ? withCredentialRisk(networked, credentials.uses, policy.credentials) : networked;
    action.risk = risk;
    action.codeSha256 = risk.codeSha256;
    session.raiseRisk(risk.level);
    session.setActionStatus(action, 'assessed');

    if (credentials && 'refused' in credentials) {
      session.recordPolicyDecision(action, 'deny', [CREDENTIAL_RULE_IDS.refused], credentials.refused);
      session.setActionStatus(action, 'denied');
      return;
    }
    const limitRefusal = limitsAboveBounds(sandboxInput?.limits, policy.limitBounds);
    if (limitRefusal) {
      session.recordPolicyDecision(action, 'deny', [LIMITS_ABOVE_BOUND_RULE], limitRefusal);
      session.setActionStatus(action, 'denied');
      return;
    }
    const isolation = isolationFor(sandboxInput?.isolation, risk.level, policy.isolation);
    action.isolation = isolation.isolation;

    const gate = gateFor(policy, risk.level);
    if (gate.mode === 'deny') {
      session.recordPolicyDecision(action, 'deny', [GATE_RULE_IDS.deny(risk.level), ...risk.ruleIds], `${risk.level} risk is denied by policy`);
      session.setActionStatus(action, 'denied');
      return;
    }
    if (gate.mode === 'auto') {
      session.recordPolicyDecision(action, 'approve', [GATE_RULE_IDS.autoApprove(risk.level), ...risk.ruleIds], `${risk.level} risk is approved by policy`);
    } else if (!(await deps.awaitApproval(action, risk.level, gate))) {
      return;
    }
    if (hasDenial(action)) {
      session.setActionStatus(action, 'denied');
      return;
    }
    session.setActionStatus(action, 'approved');

    session.setActionStatus(action, 'running');
    const result = await deps.executeCode(
      {
        runId,
        actionId: action.actionId,
        language: action.language,
        code: action.code,
        limits: action.limits,
        // The policy's private destinations travel with the allowlist; absent (as in every history recorded
        // before the key existed) the input is unchanged.
        ...(action.network ? { network: withPrivateDestinations(action.network, policy.network) } : {}),
        isolation: isolation.isolation,
        whenStrongUnavailable: isolation.whenStrongUnavailable,
        ...(sandboxInput?.files ? { files: sandboxInput.files } : {}),
        ...(sandboxInput?.outputs ? { outputs: sandboxInput.outputs } : {}),
        ...(credentials && !('refused' in credentials) && credentials.execution.length > 0 ? { credentials: credentials.execution } : {}),
      },
      `run ${action.actionId} (${action.language}, ${isolation.isolation} isolation, ${action.limits.timeoutSec}s limit)`,
    );
    action.result = result;
    const succeeded = result.exitCode === 0 && !result.timedOut && !result.oomKilled;
    session.setActionStatus(action, succeeded ? 'succeeded' : 'failed');
  } catch (err) {
    // An action that cannot run fails on its own; the run and its other actions go on.
    action.error = err instanceof Error ? describeFailure(err) : String(err);
    deps.failed(action, action.error);
    session.setActionStatus(action, 'failed');
  }
}
