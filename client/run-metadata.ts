/**
 * The static summary and details a run is started with: what the Temporal Web UI shows at the top of a workflow
 * (and `temporal workflow describe` prints), so a run reads as "who asked for what" rather than an id. Code never
 * goes in here: metadata is meant to be glanced at, and the code is in the audit.
 */
import type { StartRunConfig } from '../schemas/run.js';

/** The UI cuts long summaries; keep it to one readable line. */
const SUMMARY_MAX = 120;
const TASK_MAX = 100;

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Markdown special characters in user text are escaped so a task cannot restyle the UI. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|~])/g, '\\$1');
}

/** One line: agent, requester and what the first action is for. */
export function runStaticSummary(input: Pick<StartRunConfig, 'agent' | 'requester' | 'actions'>): string {
  const first = input.actions[0];
  const what =
    input.actions.length === 0
      ? 'session'
      : first?.task
        ? oneLine(first.task, TASK_MAX)
        : `${input.actions.length} ${first?.language ?? ''} action${input.actions.length === 1 ? '' : 's'}`.replace(/\s+/g, ' ');
  return oneLine(`${input.agent} for ${input.requester}: ${what}`, SUMMARY_MAX);
}

/** Markdown: agent, requester, and each initial action's language, task and limits. */
export function runStaticDetails(input: Pick<StartRunConfig, 'agent' | 'requester' | 'actions' | 'closeWhenDone'>): string {
  const lines = [
    `**Agent:** ${escapeMarkdown(input.agent)}`,
    `**Requester:** ${escapeMarkdown(input.requester)}`,
    `**Mode:** ${input.closeWhenDone ? 'one-shot (closes when its actions are done)' : 'session (accepts more actions)'}`,
  ];
  if (input.actions.length > 0) {
    lines.push('', '**Actions at start:**');
    input.actions.forEach((action, index) => {
      const task = action.task ? ` — ${escapeMarkdown(oneLine(action.task, TASK_MAX))}` : '';
      const network = action.network ? `, network: ${action.network.allow.map(escapeMarkdown).join(', ')}` : '';
      lines.push(`${index + 1}. ${action.language}${task}${network}`);
    });
  }
  return lines.join('\n');
}
