/** Human-readable output of a run for `run` and `status`: a status line per action, then details, then output. */
import { escapeHiddenCharacters } from '../schemas/hidden-characters.js';
import type { DecisionRecord } from '../schemas/decision.js';
import type { CapturedOutput, ExecutionResult } from '../schemas/execution.js';
import type { ActionState, RunState } from '../schemas/run.js';

const INDENT = '    ';

function indent(text: string, prefix = INDENT): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

/** `approved by alice (cli) at 12:00:01Z: looks fine` / `approved by policy: rules x, y`. */
function renderDecision(record: DecisionRecord): string {
  const verb = record.decision === 'approve' ? 'approved' : 'denied';
  const who = record.automatic ? 'policy' : `${record.approver} (${record.channel})`;
  const rules = record.ruleIds && record.ruleIds.length > 0 ? ` [rules: ${record.ruleIds.join(', ')}]` : '';
  const reason = record.reason ? `: ${record.reason}` : '';
  return escapeHiddenCharacters(`${verb} by ${who} at ${record.at}${rules}${reason}`);
}

function renderOutput(name: string, output: CapturedOutput): string[] {
  if (output.bytes === 0 && output.text === '') return [];
  const notes: string[] = [];
  if (output.truncated) notes.push('truncated at the output cap');
  if (!output.inlineComplete) notes.push(`preview only, full output sha256 ${output.sha256}`);
  const header = `${INDENT}${name}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}:`;
  return [header, indent(output.text, INDENT + '  ')];
}

/** Which runtime ran the code, when that is news: strong isolation, or a fallback from it. */
function renderIsolation(sandbox: ExecutionResult['sandbox']): string[] {
  if (sandbox.isolationFallback) return [`${INDENT}isolation standard (${sandbox.runtime}): ${sandbox.isolationFallback}`];
  if (sandbox.isolation === 'strong') return [`${INDENT}isolation strong (${sandbox.runtime})`];
  return [];
}

/** Collected output files with what is needed to fetch each one, then the matches that were left out. */
function renderOutputFiles(result: ExecutionResult): string[] {
  const lines: string[] = [];
  const files = result.outputFiles ?? [];
  if (files.length > 0) {
    lines.push(`${INDENT}output files (fetch one with: airlock artifact <sha256> [--out FILE]):`);
    // Names the code chose: shown escaped like everything else that came from the agent.
    for (const file of files) lines.push(`${INDENT}  ${escapeHiddenCharacters(file.path)}  ${file.bytes} bytes  sha256 ${file.sha256}`);
  }
  for (const skipped of result.skippedOutputs ?? []) lines.push(`${INDENT}output not collected: ${escapeHiddenCharacters(skipped.path)} (${skipped.reason})`);
  return lines;
}

function statusLine(action: ActionState): string {
  const risk = action.risk ? `  risk ${action.risk.level} (score ${action.risk.score})` : '';
  return `${action.actionId}  ${action.status}${risk}${action.task ? `  — ${escapeHiddenCharacters(action.task)}` : ''}`;
}

/** Longest code listing `status` prints; the rest is counted, and `status --json` has all of it. */
const MAX_CODE_LINES = 40;

/** The code with line numbers, so findings' line numbers can be checked against it. */
function renderCode(action: ActionState): string[] {
  if (action.codeOmitted) return [`${INDENT}code (${action.language}): left out of the run's result; sha256 ${action.codeSha256 ?? 'unknown'}`];
  const codeLines = action.code.replace(/\n$/, '').split('\n');
  const width = String(Math.min(codeLines.length, MAX_CODE_LINES)).length;
  // A terminal would obey ANSI escapes and bidi overrides in the code: show them as visible escapes instead.
  const shown = codeLines.slice(0, MAX_CODE_LINES).map((line, i) => `${INDENT}${INDENT}${String(i + 1).padStart(width)}  ${escapeHiddenCharacters(line)}`);
  const more = codeLines.length > MAX_CODE_LINES ? [`${INDENT}${INDENT}… ${codeLines.length - MAX_CODE_LINES} more lines`] : [];
  const content = action.contentSha256 ? [`${INDENT}content sha256 ${action.contentSha256} (code, files, limits, network: what a decision covers)`] : [];
  return [`${INDENT}code (${action.language}):`, ...shown, ...more, ...content, ...renderInputFiles(action)];
}

/** Longest preview `status` prints of each input file. */
const MAX_FILE_LINES = 20;

/** Input files next to the code: path, size, sha256 and the beginning of the text, escaped like the code. */
function renderInputFiles(action: ActionState): string[] {
  const lines: string[] = [];
  for (const file of action.inputFiles ?? []) {
    lines.push(`${INDENT}file ${escapeHiddenCharacters(file.path)} (${file.bytes} bytes, sha256 ${file.sha256}):`);
    const text = (file.preview ?? '').replace(/\n$/, '').split('\n');
    lines.push(...text.slice(0, MAX_FILE_LINES).map((line) => `${INDENT}${INDENT}| ${escapeHiddenCharacters(line)}`));
    if (text.length > MAX_FILE_LINES || file.previewTruncated) lines.push(`${INDENT}${INDENT}… truncated (the sha256 covers the whole file)`);
  }
  return lines;
}

/** The lines describing one action; `showCode` adds the code itself (status shows it, run does not echo it). */
export function renderAction(action: ActionState, runId: string, options: { showCode?: boolean } = {}): string[] {
  const lines = [statusLine(action)];
  if (options.showCode) lines.push(...renderCode(action));
  for (const finding of action.risk?.findings ?? []) {
    lines.push(`${INDENT}finding ${finding.ruleId} (${finding.level}, line ${finding.line}): ${escapeHiddenCharacters(finding.description)} — ${escapeHiddenCharacters(finding.match)}`);
  }
  for (const use of action.credentials ?? []) {
    const where = use.hosts.length > 0 ? use.hosts.join(', ') : 'destinations not checked yet';
    lines.push(`${INDENT}secret ${use.name} added by the egress proxy for ${where}${use.applied ? ` (${use.applied})` : ''}`);
  }
  for (const masked of action.result?.maskedSecrets ?? []) {
    lines.push(`${INDENT}masked ${masked.occurrences} occurrence${masked.occurrences === 1 ? '' : 's'} of secret ${masked.name} in ${escapeHiddenCharacters(masked.where)}`);
  }
  for (const decision of action.decisions) lines.push(`${INDENT}${renderDecision(decision)}`);
  if (action.status === 'awaiting_approval') {
    const approvals = action.decisions.filter((d) => d.decision === 'approve' && !d.automatic).length;
    const deadline = action.approvalDeadline ? ` until ${action.approvalDeadline}` : '';
    lines.push(`${INDENT}waiting for approval (${approvals} of ${action.requiredApprovals})${deadline}`);
    lines.push(`${INDENT}decide with: airlock approve ${runId} --action ${action.actionId}   (or: airlock deny ...; as your airlock login token)`);
  }
  const result = action.result;
  if (result) {
    const flags = [result.timedOut ? 'timed out' : '', result.oomKilled ? 'out of memory' : ''].filter(Boolean);
    const exit = result.exitCode === null ? 'no exit code' : `exit ${result.exitCode}`;
    lines.push(`${INDENT}${exit} after ${result.durationMs} ms${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`);
    lines.push(...renderIsolation(result.sandbox));
    lines.push(...renderOutput('stdout', result.stdout), ...renderOutput('stderr', result.stderr));
    lines.push(...renderOutputFiles(result));
  }
  if (action.error) lines.push(`${INDENT}error: ${action.error}`);
  return lines;
}

/** The whole run: a header line, then each action. */
export function renderRun(state: RunState, options: { showCode?: boolean } = {}): string {
  const risk = state.highestRisk ? `  risk ${state.highestRisk}` : '';
  const header = `${state.runId}  ${state.status}${risk}  agent ${state.agent}  requester ${state.requester}`;
  const lines = [header];
  for (const action of state.actions) lines.push(...renderAction(action, state.runId, options));
  if (state.actions.length === 0) lines.push('(no actions)');
  return lines.join('\n') + '\n';
}
