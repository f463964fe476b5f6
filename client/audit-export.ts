/**
 * `airlock audit --since DURATION --jsonl`: every decision of every run active in a time window, one flat JSON
 * object per line, ready for a log pipeline (each line stands alone: run, action, risk and outcome are repeated).
 */
import { WORKFLOW_TYPE } from '../workflows/messages.js';
import type { AuditAction, AuditDecision, AuditReport } from './audit-report.js';

/** One decision, with the context a log pipeline needs to use it without joining. */
export interface AuditDecisionLine {
  type: 'airlock.decision';
  runId: string;
  agent?: string;
  requester?: string;
  actionId: string;
  codeSha256?: string;
  risk?: { level: string; score: number; ruleIds: string[]; policyVersion: string };
  at: string;
  decision: AuditDecision['decision'];
  approver: string;
  channel: AuditDecision['channel'];
  automatic: boolean;
  via: AuditDecision['via'];
  reason?: string;
  ruleIds?: string[];
  policyVersion?: string;
  /** Where the action stands now (the decision's outcome). */
  actionStatus?: string;
  exitCode?: number | null;
}

/**
 * The visibility query for runs that may hold decisions made at or after `since`: started since, closed since,
 * or still running (a long session may decide today on a run started last week).
 */
export function auditSinceQuery(since: Date): string {
  const at = since.toISOString();
  return `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus != 'ContinuedAsNew' AND (StartTime >= '${at}' OR CloseTime >= '${at}' OR ExecutionStatus = 'Running')`;
}

function lineFor(report: AuditReport, action: AuditAction, decision: AuditDecision): AuditDecisionLine {
  const line: AuditDecisionLine = {
    type: 'airlock.decision',
    runId: report.runId,
    actionId: action.actionId,
    at: decision.at,
    decision: decision.decision,
    approver: decision.approver,
    channel: decision.channel,
    automatic: decision.automatic,
    via: decision.via,
  };
  if (report.agent !== undefined) line.agent = report.agent;
  if (report.requester !== undefined) line.requester = report.requester;
  if (action.codeSha256 !== undefined) line.codeSha256 = action.codeSha256;
  if (action.assessed) {
    const { level, score, ruleIds, policyVersion } = action.assessed;
    line.risk = { level, score, ruleIds, policyVersion };
  }
  if (decision.reason !== undefined) line.reason = decision.reason;
  if (decision.ruleIds !== undefined) line.ruleIds = decision.ruleIds;
  if (decision.policyVersion !== undefined) line.policyVersion = decision.policyVersion;
  if (action.status !== undefined) line.actionStatus = action.status;
  if (action.execution) line.exitCode = action.execution.exitCode;
  return line;
}

/** The report's decisions made at or after `sinceMs` (all when omitted), oldest first. */
export function decisionLines(report: AuditReport, sinceMs?: number): AuditDecisionLine[] {
  const lines: AuditDecisionLine[] = [];
  for (const action of report.actions) {
    for (const decision of action.decisions) {
      if (sinceMs !== undefined && Date.parse(decision.at) < sinceMs) continue;
      lines.push(lineFor(report, action, decision));
    }
  }
  return lines.sort((a, b) => a.at.localeCompare(b.at));
}
