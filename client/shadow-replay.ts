/**
 * Shadow replay: every action recorded in a run's history is re-scored under a candidate policy and the two gate
 * outcomes are compared. The recorded side comes from history alone (the pinned policy and the recorded risk
 * assessment), so nothing is executed and the running system is not touched.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { judgementOf, type GateOutcome, type Judgement, type PolicyJudge } from '../policy/policy-judgement.js';
import type { AssessRiskInput } from '../activities/control-activities.js';
import { PolicySnapshotSchema, type PolicySnapshot } from '../schemas/policy.js';
import { RiskAssessmentSchema, type RiskAssessment } from '../schemas/risk.js';
import { decodeHistoryEvents, type RawHistoryEvent } from './audit-events.js';

/** One action as history recorded it: what was scored, the score, and the policy the run had pinned. */
export interface RecordedAction {
  actionId: string;
  input: AssessRiskInput;
  recorded: RiskAssessment;
  pinned: PolicySnapshot;
}

/** How an action's gate outcome moves from the recorded policy to the candidate. */
export type OutcomeChange = `${GateOutcome}->${GateOutcome}`;

export interface ReplayedAction {
  runId: string;
  executionRunId: string;
  actionId: string;
  language: string;
  before: Judgement;
  after: Judgement;
  change?: OutcomeChange;
}

const SUMMARY_ACTION = /^assess the risk of (\S+)$/;

/** The actions one execution's history recorded, in order; actions carried over from an earlier execution are not re-scored here. */
export function recordedActions(rawEvents: readonly RawHistoryEvent[]): RecordedAction[] {
  const events = decodeHistoryEvents(rawEvents);
  const summaries = new Map<number, string>();
  for (const raw of rawEvents) {
    const summary = (raw as { userMetadata?: { summary?: Payload | null } | null }).userMetadata?.summary;
    if (!summary) continue;
    try {
      summaries.set(Number(String(raw.eventId ?? 0)), String(defaultPayloadConverter.fromPayload(summary)));
    } catch {
      // An undecodable summary only costs the action its name.
    }
  }
  let pinned: PolicySnapshot | undefined;
  const started = events.find((e) => e.kind === 'started');
  const carried = started?.kind === 'started' ? PolicySnapshotSchema.safeParse((started.input as { carryOver?: { policy?: unknown } } | undefined)?.carryOver?.policy) : undefined;
  if (carried?.success) pinned = carried.data;

  const scheduled = new Map<number, { type: string; input: unknown }>();
  const actions: RecordedAction[] = [];
  let ordinal = 0;
  for (const event of events) {
    if (event.kind === 'activity-scheduled') scheduled.set(event.eventId, { type: event.activityType, input: event.input });
    if (event.kind !== 'activity-completed') continue;
    const origin = scheduled.get(event.scheduledEventId);
    if (origin?.type === 'loadPolicy') {
      const policy = PolicySnapshotSchema.safeParse(event.result);
      if (policy.success) pinned = policy.data;
    }
    if (origin?.type !== 'assessRisk' || !pinned) continue;
    const recorded = RiskAssessmentSchema.safeParse(event.result);
    if (!recorded.success) continue;
    ordinal++;
    const name = SUMMARY_ACTION.exec(summaries.get(event.scheduledEventId) ?? '')?.[1] ?? `#${ordinal}`;
    actions.push({ actionId: name, input: origin.input as AssessRiskInput, recorded: recorded.data, pinned });
  }
  return actions;
}

/** Re-judges one recorded action under the candidate; `change` is set when the gate outcome differs. */
export async function replayAction(candidate: PolicyJudge, candidatePolicy: PolicySnapshot, action: RecordedAction, ids: { runId: string; executionRunId: string }): Promise<ReplayedAction> {
  const { input } = action;
  const before = judgementOf(action.pinned, action.recorded, input);
  const scored = await candidate.score(input);
  const after = judgementOf(candidatePolicy, { ...scored, policyVersion: candidatePolicy.version, codeSha256: action.recorded.codeSha256 }, input);
  return {
    ...ids,
    actionId: action.actionId,
    language: input.language,
    before,
    after,
    ...(before.outcome !== after.outcome ? { change: `${before.outcome}->${after.outcome}` as OutcomeChange } : {}),
  };
}
