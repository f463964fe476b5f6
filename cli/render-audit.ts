import type { SignatureVerification } from '../client/audit-verify.js';
import type { AuditAction, AuditReport } from '../client/audit-report.js';
import { escapeHiddenCharacters } from '../schemas/hidden-characters.js';
import type { ExecutionAttempt } from '../schemas/execution.js';
import { renderEgressLines } from './render-egress.js';

const INDENT = '    ';

/** One line per activity attempt: its container, when it ran, how it ended, what it sent out. */
function renderAttemptLines(attempts: readonly ExecutionAttempt[], indent: string): string[] {
  return attempts.map((a) => {
    const container = `${a.containerName}${a.containerId ? ` (${a.containerId.slice(0, 12)})` : ''}`;
    const when = [a.startedAt ? `started ${a.startedAt}` : 'never started', a.endedAt ? `ended ${a.endedAt}` : ''].filter(Boolean).join(', ');
    const egress = a.egressAttempts !== undefined ? `, ${a.egressAttempts} egress attempt${a.egressAttempts === 1 ? '' : 's'}` : '';
    return `${indent}attempt ${a.attempt}: ${a.outcome} (reached ${a.phase}), container ${container}, ${when}${egress}${a.note ? ` — ${a.note}` : ''}`;
  });
}

function renderAuditAction(action: AuditAction): string[] {
  const lines = [`${action.actionId}  ${action.status ?? 'unknown'}${action.language ? `  ${action.language}` : ''}${action.task ? `  — ${action.task}` : ''}`];
  if (action.codeSha256) lines.push(`${INDENT}code sha256 ${action.codeSha256}`);
  if (action.submitted) lines.push(`${INDENT}${action.submitted.at}  submitted (${action.submitted.via === 'start' ? 'with the run' : 'update'})`);
  const risk = action.assessed;
  if (risk) {
    const rules = risk.ruleIds.length > 0 ? ` rules ${risk.ruleIds.join(', ')}` : '';
    lines.push(`${INDENT}${risk.at ?? '-'}  assessed ${risk.level} (score ${risk.score})${rules}, policy ${risk.policyVersion.slice(0, 12)}`);
    for (const finding of risk.findings) {
      lines.push(`${INDENT}${INDENT}finding ${finding.ruleId} (${finding.level}, line ${finding.line}): ${finding.description}`);
    }
  }
  for (const decision of action.decisions) {
    const verb = decision.decision === 'approve' ? 'approved' : 'denied';
    const who = decision.automatic ? 'policy' : `${decision.approver} via ${decision.channel} (${decision.via})`;
    const rules = decision.ruleIds?.length ? ` rules ${decision.ruleIds.join(', ')}` : '';
    const policy = decision.policyVersion ? `, policy ${decision.policyVersion.slice(0, 12)}` : '';
    // Only decisions made before signing existed lack a key; their audit reads as it always did.
    const signer = decision.signerKeyId ? `, signed by key ${decision.signerKeyId}` : '';
    lines.push(`${INDENT}${decision.at}  ${verb} by ${who}${rules}${policy}${signer}${decision.reason ? `: ${decision.reason}` : ''}`);
  }
  for (const ignored of action.ignoredDecisions) {
    const via = ignored.via === 'refused-update' ? `refused update, ${ignored.refusal ?? 'unknown'}` : ignored.via;
    lines.push(`${INDENT}${ignored.at}  ignored ${ignored.decision} from ${ignored.approver} (${via})${ignored.reason ? `: ${ignored.reason}` : ''}`);
  }
  const run = action.execution;
  if (run) {
    const exit = run.exitCode === null ? 'no exit code' : `exit ${run.exitCode}`;
    const flags = [run.timedOut ? 'timed out' : '', run.oomKilled ? 'out of memory' : ''].filter(Boolean).join(', ');
    lines.push(`${INDENT}${run.completedAt ?? '-'}  executed: ${exit} after ${run.durationMs} ms${flags ? ` (${flags})` : ''}${run.attempts && run.attempts > 1 ? `, attempt ${run.attempts}` : ''}`);
    const box = run.sandbox;
    lines.push(`${INDENT}${INDENT}container ${box.containerName} (${box.containerId.slice(0, 12)}), image ${box.image} ${box.imageId.slice(0, 19)}, runtime ${box.runtime}`);
    lines.push(`${INDENT}${INDENT}limits ${box.limits.timeoutSec}s, ${box.limits.memoryMb} MB, ${box.limits.cpus} cpu, ${box.limits.pids} pids`);
    lines.push(`${INDENT}${INDENT}stdout ${run.stdout.bytes} B sha256 ${run.stdout.sha256}${run.stdout.truncated ? ' (truncated)' : ''}`);
    lines.push(`${INDENT}${INDENT}stderr ${run.stderr.bytes} B sha256 ${run.stderr.sha256}${run.stderr.truncated ? ' (truncated)' : ''}`);
    for (const file of run.outputFiles ?? []) lines.push(`${INDENT}${INDENT}file ${file.path} ${file.bytes} B sha256 ${file.sha256}`);
    if (run.usage) {
      const cpu = run.usage.cpuMs === null ? 'cpu unknown' : `cpu ${run.usage.cpuMs} ms`;
      const memory = run.usage.peakMemoryBytes === null ? 'peak memory unknown' : `peak memory ${Math.round(run.usage.peakMemoryBytes / 1_048_576)} MB`;
      const hits = run.usage.limitsHit.length > 0 ? `, limits hit: ${run.usage.limitsHit.join(', ')}` : '';
      lines.push(`${INDENT}${INDENT}used ${cpu}, ${memory}${hits}`);
    }
    if (run.egress) lines.push(...renderEgressLines(run.egress, run.egressOmitted ?? 0, `${INDENT}${INDENT}`));
    if (run.pickedUpFromAttempt) lines.push(`${INDENT}${INDENT}result of attempt ${run.pickedUpFromAttempt}, picked up by a retry that ran nothing`);
    if (run.attemptRecords) lines.push(...renderAttemptLines(run.attemptRecords, `${INDENT}${INDENT}`));
  }
  for (const failure of action.activityFailures) {
    lines.push(`${INDENT}${failure.at}  ${failure.activityType} failed: ${failure.message}`);
    if (failure.attempts) lines.push(...renderAttemptLines(failure.attempts, `${INDENT}${INDENT}`));
  }
  if (action.error) lines.push(`${INDENT}error: ${action.error}`);
  return lines;
}

/** `airlock audit` for people: the run, then each action's chain in time order. */
export function renderAudit(report: AuditReport): string {
  const lines = [
    `${report.runId}  ${report.status ?? 'unknown'}  agent ${report.agent ?? '-'}  requester ${report.requester ?? '-'}`,
  ];
  if (report.policyVersion) lines.push(`policy ${report.policyVersion}`);
  if (report.startedAt) lines.push(`started ${report.startedAt}`);
  if (report.closeRequestedAt) lines.push(`close requested ${report.closeRequestedAt}`);
  if (report.ended) lines.push(`ended ${report.ended.at} (${report.ended.outcome}${report.ended.message ? `: ${report.ended.message}` : ''})`);
  for (const action of report.actions) lines.push(...renderAuditAction(action));
  // Everything here that is not ours came from the agent or whoever reached Temporal (tasks, file names, approver
  // names of ignored signals): no raw control, ANSI, bidi or zero-width character reaches the terminal.
  return escapeHiddenCharacters(lines.join('\n')) + '\n';
}

/** `airlock audit --verify`: one line per human decision message, then the verdict. */
export function renderVerification(verification: SignatureVerification): string {
  const lines = [`run ${verification.runId}: signatures checked against policy ${verification.policyVersion?.slice(0, 12) ?? '(none pinned)'}`];
  for (const check of verification.checks) {
    const key = check.keyId ? ` key ${check.keyId}${check.signerName ? ` (${check.signerName})` : ''}` : '';
    const counted = check.counted ? 'counted' : 'not counted';
    lines.push(`${INDENT}${check.at}  ${check.actionId} ${check.decision} by ${check.approver} via ${check.channel} (${check.via} #${check.eventId}, ${counted}):${key} ${check.verdict}`);
  }
  lines.push(verification.allCountedVerified ? 'every counted human decision carries a valid signature' : 'a counted human decision does NOT carry a valid signature');
  return `${escapeHiddenCharacters(lines.join('\n'))}\n`;
}
