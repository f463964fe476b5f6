/**
 * Load: N mixed runs through the whole system at once (bounded concurrency): auto-approved, human-approved,
 * denied by a human, denied by the policy, timed out, and with egress to the loopback counter. Each must reach its
 * own terminal state; denied and timed-out ones must never start a container; the egress ones must reach the
 * counter exactly once (at most once applies, and a success means it ran).
 */
import { randomBytes } from 'node:crypto';
import type { ActionState } from '../../../schemas/run.js';
import { decideSigned } from '../../support/signed-decision.js';
import { APPROVAL_TIMEOUT_MS, DENIED_MARKER, NEEDS_HUMAN_MARKER } from '../chaos-policy.js';
import type { Fault, FaultContext, FaultOutcome } from '../fault.js';
import { chaosAction, counterHits, patiently, resultWithin, startChaosRun, waitForActionStatus } from '../chaos-runs.js';

const KINDS = ['auto', 'egress', 'approved', 'human-denied', 'policy-denied', 'timed-out'] as const;
type Kind = (typeof KINDS)[number];
const WANTED: Record<Kind, ActionState['status']> = {
  auto: 'succeeded',
  egress: 'succeeded',
  approved: 'succeeded',
  'human-denied': 'denied',
  'policy-denied': 'denied',
  'timed-out': 'timed_out',
};
/** Runs in flight at once: enough to queue work for the sandbox worker, few enough for a 2-core machine. */
const IN_FLIGHT = 24;
const RUN_TIMEOUT_MS = APPROVAL_TIMEOUT_MS + 180_000;

async function oneRun(ctx: FaultContext, kind: Kind, index: number, outcome: FaultOutcome): Promise<void> {
  const tag = `load-${index}-${randomBytes(3).toString('hex')}`;
  const marker = kind === 'policy-denied' ? DENIED_MARKER : ['approved', 'human-denied', 'timed-out'].includes(kind) ? NEEDS_HUMAN_MARKER : undefined;
  const action = chaosAction({ tag, sleepSec: 0, ...(kind === 'egress' ? { counter: ctx.counter } : {}), ...(marker ? { marker } : {}) });
  const handle = await startChaosRun(ctx, [action]);
  outcome.runIds.push(handle.workflowId);
  try {
    if (kind === 'approved' || kind === 'human-denied') {
      await waitForActionStatus(handle, 'awaiting_approval', 120_000);
      const decision = kind === 'approved' ? 'approve' : 'deny';
      await patiently(() => decideSigned(handle, ctx.stack.home, { actionId: 'a1', decision, approver: 'bob', channel: 'api' }), 60_000);
    }
    const state = (await resultWithin(handle, RUN_TIMEOUT_MS))?.actions[0];
    if (state?.status !== WANTED[kind]) {
      outcome.lost++;
      outcome.problems.push(`${kind} run ${handle.workflowId} ended ${state?.status ?? 'not at all'}${state?.error ? `: ${state.error.slice(0, 120)}` : ''}`);
      return;
    }
    if (WANTED[kind] !== 'succeeded' && ctx.starts.of(handle.workflowId) > 0) {
      outcome.problems.push(`${kind} run ${handle.workflowId} started a container`);
    }
    if (kind === 'egress') {
      const hits = counterHits(ctx.counter, tag);
      if (hits > 1) outcome.duplicated += hits - 1;
      if (hits !== 1) outcome.problems.push(`egress run ${handle.workflowId} reached the counter ${hits} times`);
    }
  } catch (err) {
    outcome.lost++;
    outcome.problems.push(`${kind} run ${handle.workflowId}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const LOAD_FAULT: Fault = {
  name: 'load: mixed runs (auto, human-approved, human-denied, policy-denied, timed out, egress)',
  timeoutMs: 900_000,
  async run(ctx) {
    const outcome: FaultOutcome = { runIds: [], lost: 0, duplicated: 0, notes: [], problems: [] };
    const startedAt = Date.now();
    const sandbox = await ctx.stack.startWorker('sandbox');
    try {
      let next = 0;
      const lane = async () => {
        while (next < ctx.loadRuns) {
          const index = next++;
          await oneRun(ctx, KINDS[index % KINDS.length]!, index, outcome);
          if ((index + 1) % 50 === 0) ctx.progress(`load: ${index + 1}/${ctx.loadRuns} runs started`);
        }
      };
      await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, ctx.loadRuns) }, lane));
    } finally {
      await sandbox.signal('SIGTERM');
    }
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    outcome.notes.push(`${ctx.loadRuns} runs (${KINDS.map((k) => `${Math.ceil((ctx.loadRuns - KINDS.indexOf(k)) / KINDS.length)} ${k}`).join(', ')}) in ${seconds} s`);
    // Only the first few problems: a systematic failure would otherwise fill the table.
    if (outcome.problems.length > 5) outcome.problems = [...outcome.problems.slice(0, 5), `and ${outcome.problems.length - 5} more`];
    return outcome;
  },
};
