/**
 * Outages around approval timers: the Temporal server SIGKILLed and started again on the same database with an
 * escalation step and an approval deadline inside the outage (plus an auto-approved run executing meanwhile), and
 * the control worker SIGKILLed just before an approval deadline (plus a run approved just before the kill). Each
 * timer's effect must be applied exactly once and in order, which the history shows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { GATE_RULE_IDS } from '../../../policy/gate.js';
import type { ActionState } from '../../../schemas/run.js';
import { actionIs, waitForRun } from '../../support/runs.js';
import { decideSigned } from '../../support/signed-decision.js';
import { APPROVAL_TIMEOUT_MS, ESCALATION_AFTER_MS, NEEDS_HUMAN_MARKER } from '../chaos-policy.js';
import type { Fault, FaultContext, FaultOutcome } from '../fault.js';
import { chaosAction, resultWithin, startChaosRun } from '../chaos-runs.js';

const OUTAGE_MS = 30_000;
const RESULT_TIMEOUT_MS = 150_000;

interface HistoryFacts {
  /** Stages of the approval notices the workflow scheduled, in history order. */
  noticeStages: number[];
  noticeTimes: number[];
}

async function historyFacts(handle: WorkflowHandle): Promise<HistoryFacts> {
  const events = (await handle.fetchHistory()).events ?? [];
  const facts: HistoryFacts = { noticeStages: [], noticeTimes: [] };
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'notifyApprovers') continue;
    const data = scheduled.input?.payloads?.[0]?.data;
    const input = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { notice?: { stage?: number } }) : {};
    facts.noticeStages.push(input.notice?.stage ?? -1);
    const seconds = Number(event.eventTime?.seconds ?? 0);
    facts.noticeTimes.push(seconds * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6));
  }
  return facts;
}

/** Checks a run that waited for a human in vain: escalated once, then timed out once, in that order. */
async function checkTimedOut(handle: WorkflowHandle, action: ActionState | undefined, label: string, outcome: FaultOutcome): Promise<void> {
  if (action?.status !== 'timed_out') {
    outcome.lost++;
    outcome.problems.push(`${label}: ended ${action?.status ?? 'not at all'} (wanted timed_out)`);
    return;
  }
  const timeouts = action.decisions.filter((d) => d.automatic && d.ruleIds?.includes(GATE_RULE_IDS.approvalTimeout));
  if (timeouts.length !== 1) outcome.problems.push(`${label}: ${timeouts.length} timeout decisions recorded (wanted 1)`);
  const facts = await historyFacts(handle);
  const escalations = facts.noticeStages.filter((stage) => stage === 1).length;
  if (escalations !== 1) outcome.problems.push(`${label}: the escalation step was applied ${escalations} times (wanted 1): stages ${facts.noticeStages.join(',')}`);
  const escalatedAt = facts.noticeTimes[facts.noticeStages.indexOf(1)];
  const timedOutAt = timeouts[0] ? Date.parse(timeouts[0].at) : NaN;
  if (escalatedAt !== undefined && !(escalatedAt <= timedOutAt)) outcome.problems.push(`${label}: the timeout was applied before the escalation`);
  outcome.notes.push(`${label}: escalated once, timed out once, in order`);
}

async function checkSucceededOnce(ctx: FaultContext, handle: WorkflowHandle, label: string, outcome: FaultOutcome): Promise<void> {
  const action = (await resultWithin(handle, RESULT_TIMEOUT_MS))?.actions[0];
  if (action?.status !== 'succeeded') {
    outcome.lost++;
    outcome.problems.push(`${label}: ended ${action?.status ?? 'not at all'}${action?.error ? `: ${action.error}` : ''}`);
    return;
  }
  const starts = ctx.starts.of(handle.workflowId);
  if (starts > 1) outcome.declaredRetries = (outcome.declaredRetries ?? 0) + starts - 1;
  outcome.notes.push(`${label}: succeeded, ran ${starts}x`);
}

const temporalRestart: Fault = {
  name: 'Temporal server SIGKILLed for 30 s (escalation + approval deadline inside the outage), restarted on its db',
  timeoutMs: 360_000,
  async run(ctx) {
    const outcome: FaultOutcome = { runIds: [], lost: 0, duplicated: 0, notes: [], problems: [] };
    const sandbox = await ctx.stack.startWorker('sandbox');
    try {
      const waiting = await startChaosRun(ctx, [chaosAction({ tag: 'outage-waiting', sleepSec: 0, marker: NEEDS_HUMAN_MARKER })]);
      outcome.runIds.push(waiting.workflowId);
      await waitForRun(waiting, actionIs('a1', 'awaiting_approval'), 60_000);
      const waitStarted = Date.now();
      const running = await startChaosRun(ctx, [chaosAction({ tag: 'outage-running', sleepSec: 6 })]);
      outcome.runIds.push(running.workflowId);
      await waitForRun(running, actionIs('a1', 'running'), 60_000);
      // Both timers of the waiting run fall inside the outage.
      const untilEscalation = ESCALATION_AFTER_MS - (Date.now() - waitStarted);
      if (untilEscalation < 3_000) throw new Error('the set-up was too slow: the escalation would fire before the outage');
      await ctx.stack.killTemporal();
      ctx.progress(`Temporal SIGKILLed; down for ${OUTAGE_MS / 1000} s`);
      await sleep(OUTAGE_MS);
      if (Date.now() - waitStarted < APPROVAL_TIMEOUT_MS) await sleep(APPROVAL_TIMEOUT_MS - (Date.now() - waitStarted) + 1_000);
      await ctx.stack.restartTemporal();
      ctx.progress('Temporal restarted on the same database');
      await checkTimedOut(waiting, (await resultWithin(waiting, RESULT_TIMEOUT_MS))?.actions[0], 'waiting run', outcome);
      await checkSucceededOnce(ctx, running, 'running run', outcome);
    } finally {
      await sandbox.signal('SIGTERM');
    }
    return outcome;
  },
};

/** Set by main: the control worker the suite started, so this fault can kill it and start another. */
export const controlWorker: { current?: import('../chaos-stack.js').WorkerProcess } = {};

const controlKill: Fault = {
  name: 'control worker SIGKILLed around an approval deadline',
  timeoutMs: 360_000,
  async run(ctx) {
    const outcome: FaultOutcome = { runIds: [], lost: 0, duplicated: 0, notes: [], problems: [] };
    const sandbox = await ctx.stack.startWorker('sandbox');
    // The replacement bundles its workflow code meanwhile, as a second control worker of a deployment would have.
    const replacement = ctx.stack.startWorker('control');
    // Awaited below; a failure to start is reported there, not as an unhandled rejection now.
    replacement.catch(() => undefined);
    try {
      const waiting = await startChaosRun(ctx, [chaosAction({ tag: 'control-waiting', sleepSec: 0, marker: NEEDS_HUMAN_MARKER })]);
      const approved = await startChaosRun(ctx, [chaosAction({ tag: 'control-approved', sleepSec: 2, marker: NEEDS_HUMAN_MARKER })]);
      outcome.runIds.push(waiting.workflowId, approved.workflowId);
      await waitForRun(waiting, actionIs('a1', 'awaiting_approval'), 60_000);
      const waitStarted = Date.now();
      await waitForRun(approved, actionIs('a1', 'awaiting_approval'), 60_000);
      // Just before the deadline: approve one run, then kill the worker; the replacement takes over both runs.
      await sleep(Math.max(APPROVAL_TIMEOUT_MS - (Date.now() - waitStarted) - 4_000, 0));
      await decideSigned(approved, ctx.stack.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'api' });
      await controlWorker.current?.signal('SIGKILL');
      ctx.progress('control worker SIGKILLed just before an approval deadline');
      controlWorker.current = await replacement;
      await checkTimedOut(waiting, (await resultWithin(waiting, RESULT_TIMEOUT_MS))?.actions[0], 'waiting run', outcome);
      await checkSucceededOnce(ctx, approved, 'approved run', outcome);
    } finally {
      await sandbox.signal('SIGTERM');
      // Started whatever happened above: it must not outlive the suite unseen.
      controlWorker.current ??= await replacement.catch(() => undefined);
    }
    return outcome;
  },
};

export const APPROVAL_OUTAGE_FAULTS: Fault[] = [temporalRestart, controlKill];
