/**
 * The state of one agent session and the only code that changes it: actions enter the queue, decisions (human and
 * policy) are recorded, invalid signals are kept as ignored, the run closes. Deterministic and free of Temporal
 * calls: the workflow passes a clock and an observer (logs, metrics, search attributes), so the rules run in unit
 * tests without a server.
 */
import { z } from 'zod';
import { ActionInputSchema, actionIdAt, resolveLimits, type ActionInput, type ActionStatus } from '../schemas/action.js';
import { DecisionInputSchema, POLICY_PRINCIPAL, type DecisionInput, type DecisionKind, type DecisionOutcome } from '../schemas/decision.js';
import { NetworkRequestSchema } from '../schemas/network.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import { maxRiskLevel, type RiskLevel } from '../schemas/risk.js';
import type { ActionState, RunCarryOver, RunState, StartRunConfig } from '../schemas/run.js';
import type { DecisionRefusal } from '../policy/gate.js';
import { resolveCredentials } from '../policy/credential-binding.js';
import { limitsAboveBounds } from '../policy/sandbox-policy.js';
import { actionContentSha256 } from './action-digest.js';
import { runCapRefusal } from './run-caps.js';
import { approvalCount, hasDenial, isDecided, refuseDecision } from './approval-state.js';
import { verificationRefusal } from './decision-checks.js';
import { parseOrReject } from './parse-or-reject.js';
import { reportKey, reportProblem } from './refusal-reports.js';
import { filesForReview } from './review-files.js';

/** What only the sandbox needs (input files can be large): kept out of the queryable state. */
export type SandboxInput = Pick<ActionInput, 'isolation' | 'files' | 'outputs' | 'limits'>;

/** What the session tells the world about; the workflow logs, counts and publishes it. */
export interface SessionObserver {
  actionStatusChanged(action: ActionState): void;
  decisionRecorded(action: ActionState, decision: DecisionInput): void;
  decisionIgnored(actionId: unknown, reason: string | undefined): void;
  closed(reason: string): void;
}

/** A decision message after parsing: the parsed decision, or why it cannot count. */
export type ParsedDecision =
  | { decision: DecisionInput; refusal?: DecisionRefusal; invalid?: undefined }
  | { decision?: undefined; refusal?: undefined; invalid: string };

export class RunSession {
  readonly runId: string;
  readonly state: RunState;
  /** Pinned by an activity once the handlers are in place; until then decisions are refused. */
  policy: PolicySnapshot | undefined;
  private readonly queue: ActionState[] = [];
  private readonly byId: Map<string, ActionState>;
  private readonly sandboxInputs = new Map<string, SandboxInput>();
  // An explicit timeout (per action, else per run) overrides the policy's per-level one.
  private readonly approvalTimeouts = new Map<string, number | undefined>();
  /** Reports of refused decisions kept in this execution (rebuilt by replay, since the handler runs again). */
  private readonly reportsSeen = new Set<string>();

  constructor(
    readonly input: StartRunConfig,
    options: {
      runId: string;
      /** The run's first execution id (kept across continue-as-new): what a signed decision names. */
      executionId: string;
      carried: RunCarryOver | undefined;
      now: () => string;
      observer: SessionObserver;
    },
  ) {
    const { carried } = options;
    this.runId = options.runId;
    this.now = options.now;
    this.observer = options.observer;
    this.state = {
      runId: options.runId,
      executionId: options.executionId,
      agent: input.agent,
      requester: input.requester,
      status: 'running',
      ...(carried?.highestRisk ? { highestRisk: carried.highestRisk } : {}),
      closed: false,
      startedAt: carried?.startedAt ?? options.now(),
      actions: carried ? [...carried.actions] : [],
      ignoredDecisions: carried ? [...carried.ignoredDecisions] : [],
    };
    this.byId = new Map(this.state.actions.map((action) => [action.actionId, action]));
  }

  private readonly now: () => string;
  private readonly observer: SessionObserver;

  get closed(): boolean {
    return this.state.closed;
  }

  /** The policy the run pinned; only called once it is (actions are processed after loading it). */
  get pinnedPolicy(): PolicySnapshot {
    return this.policy as PolicySnapshot;
  }

  pinPolicy(policy: PolicySnapshot): void {
    this.policy = policy;
    this.state.policyVersion = policy.version;
  }

  /** Throws a readable error for an action this run cannot take (update validators reject by throwing). */
  validateAction(raw: unknown): void {
    if (this.state.closed) throw new Error(`run ${this.runId} is closed and accepts no more actions: start a new run`);
    const parsed = parseOrReject(ActionInputSchema, raw, 'action');
    // A refused update leaves no trace in history, so this check needs no patch marker.
    const capRefusal = runCapRefusal(this.state, parsed);
    if (capRefusal) throw new Error(capRefusal);
    const limitRefusal = this.policy ? limitsAboveBounds(parsed.limits, this.policy.limitBounds) : undefined;
    if (limitRefusal) throw new Error(limitRefusal);
    // Before approval: an unbound secret, or one whose destinations the allowlist does not list, never gets queued.
    // Until the policy is pinned the pipeline makes the same check (and denies) once it is.
    if (parsed.credentials && this.policy) {
      const resolved = resolveCredentials(parsed.credentials, parsed.network?.allow, this.policy?.credentials);
      if ('refused' in resolved) throw new Error(resolved.refused);
    }
  }

  /** Adds an action to the queue and returns its id. */
  enqueue(action: ActionInput): string {
    const actionId = actionIdAt(this.state.actions.length);
    this.sandboxInputs.set(actionId, { isolation: action.isolation, files: action.files, outputs: action.outputs, limits: action.limits });
    const at = this.now();
    const record: ActionState = {
      actionId,
      language: action.language,
      task: action.task,
      code: action.code,
      status: 'received',
      submittedAt: at,
      updatedAt: at,
      limits: resolveLimits(action.limits),
      // Canonical entries (lower-case, de-duplicated); the validator already accepted them.
      ...(action.network ? { network: { allow: NetworkRequestSchema.parse(action.network).allow } } : {}),
      // Names only; the destinations that get each are filled in from the pinned policy when it is assessed.
      ...(action.credentials ? { credentials: action.credentials.map((name) => ({ name, hosts: [], applied: '' })) } : {}),
      decisions: [],
      requiredApprovals: 0,
    };
    // What a signed decision binds to, and what reviewers see of the files.
    record.contentSha256 = actionContentSha256({
      ...record,
      files: action.files,
      isolation: action.isolation,
      ...(action.credentials ? { credentialNames: action.credentials } : {}),
    });
    if (action.files) record.inputFiles = filesForReview(action.files);
    this.state.actions.push(record);
    this.byId.set(actionId, record);
    this.queue.push(record);
    this.approvalTimeouts.set(actionId, action.approvalTimeoutMs ?? this.input.approvalTimeoutMs);
    return actionId;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** The oldest queued action, removed from the queue. */
  dequeue(): ActionState | undefined {
    return this.queue.shift();
  }

  sandboxInputOf(actionId: string): SandboxInput | undefined {
    return this.sandboxInputs.get(actionId);
  }

  /** The explicit approval timeout of an action (its own, else the run's); undefined: the policy's. */
  approvalTimeoutOf(actionId: string): number | undefined {
    return this.approvalTimeouts.get(actionId);
  }

  /**
   * Parses a decision message once; the update validator, the update handler and the signal handler all use the
   * parsed value, so what was checked is what is recorded. With `verify` (asked only of a message that parsed, so a
   * patch check in it is made exactly when it was before) returning true, the decision must also beat the approval
   * deadline and carry a valid signature of a signer the pinned policy lists.
   */
  parseDecision(raw: unknown, options: { verify?: () => boolean } = {}): ParsedDecision {
    const parsed = DecisionInputSchema.safeParse(raw);
    if (!parsed.success) return { invalid: z.prettifyError(parsed.error) };
    const verify = options.verify?.() ?? false;
    const decision = parsed.data;
    const action = this.byId.get(decision.actionId);
    const refusal =
      refuseDecision(decision, { runId: this.runId, requester: this.input.requester, policy: this.policy, action }) ??
      // Policy and action exist once refuseDecision passed.
      (verify
        ? verificationRefusal(decision, {
            runId: this.runId,
            executionId: this.state.executionId as string,
            action: action as ActionState,
            policy: this.pinnedPolicy,
            nowMs: Date.parse(this.now()),
          })
        : undefined);
    return refusal ? { decision, refusal } : { decision };
  }

  /** Counts a human decision the validator accepted. */
  recordHumanDecision(decision: DecisionInput): DecisionOutcome {
    const action = this.byId.get(decision.actionId) as ActionState;
    action.decisions.push({
      decision: decision.decision,
      approver: decision.approver,
      channel: decision.channel,
      reason: decision.reason,
      at: this.now(),
      automatic: false,
      policyVersion: this.pinnedPolicy.version,
      ...(decision.signature ? { signerKeyId: decision.signature.keyId, issuedAt: decision.signature.issuedAt } : {}),
    });
    action.updatedAt = this.now();
    this.observer.decisionRecorded(action, decision);
    return {
      actionId: action.actionId,
      status: hasDenial(action) ? 'denied' : isDecided(action) ? 'approved' : action.status,
      approvals: approvalCount(action),
      requiredApprovals: action.requiredApprovals,
    };
  }

  /** Keeps a decision signal that could not count, with its reason, for the audit. */
  ignoreDecision(raw: unknown, reason: string | undefined): void {
    const fields = (raw ?? {}) as Partial<DecisionInput>;
    this.state.ignoredDecisions.push({
      actionId: String(fields.actionId ?? ''),
      approver: String(fields.approver ?? ''),
      channel: String(fields.channel ?? ''),
      reason: reason ?? 'invalid decision',
      at: this.now(),
    });
    this.observer.decisionIgnored(fields.actionId, reason);
  }

  /**
   * Keeps a refused decision the deciding service reported (see refusal-reports.ts), with the workflow's own reason
   * for refusing it now. Returns why a report was not kept (a forgery, a copy, one too many), or undefined.
   */
  recordRefusedDecision(raw: unknown): string | undefined {
    const parsed = this.parseDecision(raw, { verify: () => true });
    if (!parsed.decision) return 'invalid report';
    const { decision, refusal } = parsed;
    const problem = reportProblem(decision, {
      runId: this.runId,
      executionId: this.state.executionId as string,
      action: this.byId.get(decision.actionId),
      policy: this.policy,
      ignored: this.state.ignoredDecisions,
      seen: this.reportsSeen,
    });
    if (problem) return problem;
    // The workflow judges the decision itself: one it would accept now is no refusal, and it does not count here.
    if (!refusal) return 'the decision would not be refused';
    this.reportsSeen.add(reportKey(decision)!);
    this.state.ignoredDecisions.push({
      actionId: decision.actionId,
      approver: decision.approver,
      channel: decision.channel,
      reason: refusal.message,
      at: this.now(),
      decision: decision.decision,
      refusal: refusal.type,
    });
    this.observer.decisionIgnored(decision.actionId, refusal.message);
    return undefined;
  }

  /** Records a decision the policy made itself (auto-approval, denial, timeout), with the rules that made it. */
  recordPolicyDecision(action: ActionState, decision: DecisionKind, ruleIds: string[], reason: string): void {
    action.decisions.push({
      decision,
      approver: POLICY_PRINCIPAL,
      channel: 'policy',
      reason,
      at: this.now(),
      automatic: true,
      ruleIds,
      policyVersion: this.pinnedPolicy.version,
    });
  }

  setActionStatus(action: ActionState, status: ActionStatus): void {
    action.status = status;
    action.updatedAt = this.now();
    this.observer.actionStatusChanged(action);
  }

  /** Keeps the run's highest risk level current. */
  raiseRisk(level: RiskLevel): void {
    this.state.highestRisk = this.state.highestRisk ? maxRiskLevel(this.state.highestRisk, level) : level;
  }

  /** Stops accepting actions; the first reason given is kept. */
  close(reason: string): void {
    if (this.state.closed) return;
    this.state.closed = true;
    this.state.closedReason = reason;
    this.observer.closed(reason);
  }
}
