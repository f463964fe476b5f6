/** Builds what push channels show about a pending approval. Pure and deterministic (runs inside the workflow). */
import type { ApprovalNotice } from '../schemas/notification.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import type { RiskLevel } from '../schemas/risk.js';
import type { ActionState } from '../schemas/run.js';

/** Enough code for a reviewer to see what it does; the full code is in the run's history and the API. */
export const NOTICE_CODE_LINES = 25;
export const NOTICE_CODE_CHARS = 1_500;
export const NOTICE_MAX_FINDINGS = 5;
/** Characters of input file text a push notice carries, all files together. */
export const NOTICE_FILE_CHARS = 1_000;

export function buildApprovalNotice(options: {
  runId: string;
  agent: string;
  requester: string;
  action: ActionState;
  level: RiskLevel;
  deadline: string;
  policy: PolicySnapshot;
  stage: number;
  roles: readonly string[];
}): ApprovalNotice {
  const { action, policy } = options;
  const lines = action.code.split('\n');
  let excerpt = lines.slice(0, NOTICE_CODE_LINES).join('\n');
  if (excerpt.length > NOTICE_CODE_CHARS) excerpt = excerpt.slice(0, NOTICE_CODE_CHARS);
  const named = (policy.principals ?? []).filter((p) => p.roles.some((role) => options.roles.includes(role)));
  let fileBudget = NOTICE_FILE_CHARS;
  let filesTruncated = false;
  const inputFiles = (action.inputFiles ?? []).map((file) => {
    const preview = file.preview ?? '';
    const excerpt = preview.slice(0, Math.max(fileBudget, 0));
    fileBudget -= excerpt.length;
    if (excerpt.length < preview.length || file.previewTruncated) filesTruncated = true;
    return { path: file.path, sha256: file.sha256, bytes: file.bytes, excerpt };
  });
  return {
    runId: options.runId,
    actionId: action.actionId,
    agent: options.agent,
    requester: options.requester,
    ...(action.task !== undefined ? { task: action.task } : {}),
    language: action.language,
    level: options.level,
    score: action.risk?.score ?? 0,
    findings: (action.risk?.findings ?? [])
      .slice(0, NOTICE_MAX_FINDINGS)
      .map((f) => ({ ruleId: f.ruleId, description: f.description, line: f.line, match: f.match })),
    codeExcerpt: excerpt,
    codeTruncated: excerpt.length < action.code.length,
    requiredApprovals: action.requiredApprovals,
    deadline: options.deadline,
    policyVersion: policy.version,
    stage: options.stage,
    mentions: named.map((p) => p.id),
    slackMentions: named.flatMap((p) => (p.slackUserId ? [p.slackUserId] : [])),
    ...(inputFiles.length > 0 ? { inputFiles, filesTruncated } : {}),
    limits: action.limits,
    ...(action.network ? { allow: action.network.allow } : {}),
    ...(action.credentials && action.credentials.length > 0 ? { credentials: action.credentials } : {}),
  };
}
