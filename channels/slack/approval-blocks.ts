/**
 * Block Kit for an action waiting for approval, and for its outcome. Pure: the notification activity posts what
 * this builds. Text from the agent is shown inside code blocks or escaped, so it cannot ping or format.
 */
import { escapeHiddenCharacters } from '../../schemas/hidden-characters.js';
import type { ApprovalNotice, ApprovalOutcome } from '../../schemas/notification.js';
import { encodeButtonValue, SLACK_ACTION_IDS } from './button-value.js';

/** Slack rejects a section text over 3000 characters. */
const MAX_SECTION_CHARS = 2_900;

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

function escapeText(text: string): string {
  return escapeHiddenCharacters(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Agent text inside a code block: hidden characters shown, and no way to close the block early. */
function codeText(text: string): string {
  return escapeHiddenCharacters(text).replace(/```/g, "'''");
}

/** Input files, limits and network: everything besides the code that the approval lets run. */
function runsWithBlocks(notice: ApprovalNotice): unknown[] {
  const blocks: unknown[] = [];
  if (notice.inputFiles && notice.inputFiles.length > 0) {
    const files = notice.inputFiles
      .map((file) => `• \`${escapeText(file.path)}\` (${file.bytes} bytes, sha256 \`${file.sha256.slice(0, 16)}\`)${file.excerpt ? `\n\`\`\`${codeText(file.excerpt)}\`\`\`` : ''}`)
      .join('\n');
    const note = notice.filesTruncated ? '\n_truncated — open in the web UI to see every file in full_' : '';
    const room = MAX_SECTION_CHARS - note.length;
    const text = `*Input files* (placed in /workspace next to the code):\n${files}`;
    // A cut inside a code block would leave it open: past the room, say so instead of showing half a block.
    const shown = text.length > room ? `${clip(text.replace(/```[\s\S]*?```/g, '(excerpt left out)'), room)}\n_truncated — open in the web UI to see every file in full_` : `${text}${note}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: shown } });
  }
  const limits = notice.limits
    ? `*Limits:* ${notice.limits.timeoutSec} s, ${notice.limits.memoryMb} MB memory, ${notice.limits.cpus} CPU, ${notice.limits.pids} processes, ${notice.limits.outputBytes} bytes of output`
    : undefined;
  const network = `*Network:* ${notice.allow && notice.allow.length > 0 ? notice.allow.map((entry) => `\`${escapeText(entry)}\``).join(', ') : 'none'}`;
  const secrets = notice.credentials?.length
    ? `*Secrets added by the proxy:* ${notice.credentials
        .map((use) => `\`${escapeText(use.name)}\` for ${use.hosts.map((host) => `\`${escapeText(host)}\``).join(', ')} (${escapeText(use.applied)})`)
        .join('; ')}`
    : undefined;
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip([limits, network, secrets].filter(Boolean).join('\n'), MAX_SECTION_CHARS) } });
  return blocks;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function summaryBlocks(notice: ApprovalNotice): unknown[] {
  const findings = notice.findings.length
    ? notice.findings.map((f) => `• \`${f.ruleId}\` line ${f.line}: ${escapeText(f.description)}`).join('\n')
    : '• no rule matched; the score alone set the level';
  const code = clip(codeText(notice.codeExcerpt), MAX_SECTION_CHARS - 20);
  const blocks: unknown[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*${notice.level.toUpperCase()} risk* action \`${notice.actionId}\` of run \`${notice.runId}\` needs ` +
            `${notice.requiredApprovals} approval${notice.requiredApprovals > 1 ? 's' : ''}\n` +
            `*Agent:* ${escapeText(notice.agent)}   *Requested by:* ${escapeText(notice.requester)}\n` +
            `*Task:* ${escapeText(notice.task ?? '(none given)')}`,
          MAX_SECTION_CHARS,
        ),
      },
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Findings* (score ${notice.score}):\n${findings}`, MAX_SECTION_CHARS) } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*Code* (${notice.language}${notice.codeTruncated ? ', excerpt' : ''}):\n\`\`\`${code}\`\`\`` },
    },
    ...runsWithBlocks(notice),
  ];
  if (notice.slackMentions.length > 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Escalated to ${notice.slackMentions.map((id) => `<@${id}>`).join(' ')}` }],
    });
  }
  return blocks;
}

/** The message asking for a decision, with Approve and Deny buttons. */
export function approvalRequestMessage(notice: ApprovalNotice): SlackMessage {
  const value = encodeButtonValue({ runId: notice.runId, actionId: notice.actionId });
  const escalated = notice.stage > 0 ? ' (escalated)' : '';
  return {
    text: `${notice.level} risk action ${notice.actionId} of run ${notice.runId} needs approval${escalated}`,
    blocks: [
      ...summaryBlocks(notice),
      {
        type: 'actions',
        block_id: `airlock:${notice.runId}:${notice.actionId}`,
        elements: [
          { type: 'button', action_id: SLACK_ACTION_IDS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value },
          { type: 'button', action_id: SLACK_ACTION_IDS.deny, style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Decide before ${notice.deadline} or it is denied.` }] },
    ],
  };
}

const OUTCOME_TEXT: Record<ApprovalOutcome, string> = {
  approved: ':white_check_mark: Approved',
  denied: ':no_entry: Denied',
  timed_out: ':hourglass: Timed out: nobody decided in time, so the policy denied it',
};

/** The same message once the wait is over: no buttons, the outcome and who decided. */
export function approvalOutcomeMessage(notice: ApprovalNotice, outcome: ApprovalOutcome, deciders: readonly string[]): SlackMessage {
  const by = deciders.length > 0 && outcome !== 'timed_out' ? ` by ${deciders.map(escapeText).join(', ')}` : '';
  return {
    text: `action ${notice.actionId} of run ${notice.runId}: ${outcome.replace('_', ' ')}`,
    blocks: [...summaryBlocks(notice), { type: 'section', text: { type: 'mrkdwn', text: `${OUTCOME_TEXT[outcome]}${by}` } }],
  };
}
