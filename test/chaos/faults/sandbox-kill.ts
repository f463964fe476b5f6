/**
 * SIGKILL of the sandbox worker at four points of an execution (test-only fault points, sandbox/fault-point.ts),
 * each for an action with network (at most once: counted by the loopback counter the code calls) and one without
 * (at least once: counted by the container starts the engine logged). A fresh worker takes over; every run must end
 * as the declared semantics say, and its audit must show every attempt.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultPoint } from '../../../sandbox/fault-point.js';
import type { Fault, FaultContext, FaultOutcome } from '../fault.js';
import { leftoversOf } from '../leftovers.js';
import { auditAttempts, auditText, chaosAction, containerStarts, counterHits, resultWithin, startChaosRun, waitForMarkers } from '../chaos-runs.js';

/** Heartbeat timeout (20 s) + a new attempt + the code's own seconds, with room for a slow machine. */
const RESULT_TIMEOUT_MS = 120_000;
const CODE_SLEEP_SEC = 4;

/** What each point must end in: the status of each action, and how many executions are allowed. */
const EXPECTED: Record<FaultPoint, { network: 'succeeded' | 'failed'; noNetworkExecutions: number }> = {
  // Created, never started: the retry fences the old container; the code runs once either way.
  created: { network: 'succeeded', noNetworkExecutions: 1 },
  // The code was running: at most once refuses the retry; at least once runs it again.
  exec: { network: 'failed', noNetworkExecutions: 2 },
  // The code ended and its result was journalled: the retry returns it and runs nothing.
  exited: { network: 'succeeded', noNetworkExecutions: 1 },
  collecting: { network: 'succeeded', noNetworkExecutions: 1 },
};

async function killAt(ctx: FaultContext, point: FaultPoint, outcome: FaultOutcome): Promise<void> {
  const markerDir = path.join(ctx.stack.home, 'fault-points', `${point}-${randomBytes(3).toString('hex')}`);
  const sinceMs = Date.now();
  const first = await ctx.stack.startWorker('sandbox', { AIRLOCK_FAULT_POINT: point, AIRLOCK_FAULT_POINT_DIR: markerDir });
  const tag = `kill-${point}-${randomBytes(4).toString('hex')}`;
  const networked = await startChaosRun(ctx, [chaosAction({ tag, sleepSec: CODE_SLEEP_SEC, counter: ctx.counter })]);
  const offline = await startChaosRun(ctx, [chaosAction({ tag: `${tag}-offline`, sleepSec: CODE_SLEEP_SEC })]);
  outcome.runIds.push(networked.workflowId, offline.workflowId);
  try {
    await waitForMarkers(markerDir, 2, 90_000);
    // Mid-execution: the code has called the counter and is sleeping.
    if (point === 'exec') {
      const deadline = Date.now() + 20_000;
      while (counterHits(ctx.counter, tag) === 0 && Date.now() < deadline) await sleep(100);
      await sleep(1_000);
    }
  } finally {
    await first.signal('SIGKILL');
  }
  ctx.progress(`sandbox worker SIGKILLed at "${point}"; a new worker takes over`);
  const second = await ctx.stack.startWorker('sandbox');
  try {
    const expected = EXPECTED[point];
    for (const [handle, isNetworked] of [[networked, true], [offline, false]] as const) {
      const label = `${point}/${isNetworked ? 'network' : 'no network'}`;
      const run = await resultWithin(handle, RESULT_TIMEOUT_MS);
      const action = run?.actions[0];
      const want = isNetworked ? expected.network : 'succeeded';
      if (!action || action.status !== want) {
        outcome.lost++;
        outcome.problems.push(`${label}: ended ${action?.status ?? 'not at all'} (wanted ${want})${action?.error ? `: ${action.error}` : ''}`);
        continue;
      }
      if (want === 'failed' && !/at most once/.test(action.error ?? '')) outcome.problems.push(`${label}: failed without the at-most-once reason: ${action.error}`);
      const executions = isNetworked ? counterHits(ctx.counter, tag) : await containerStarts(ctx.docker, handle.workflowId, sinceMs);
      const allowed = isNetworked ? 1 : expected.noNetworkExecutions;
      if (executions > allowed) {
        outcome.duplicated += executions - allowed;
        outcome.problems.push(`${label}: the code ran ${executions} times (at most ${allowed} allowed)`);
      } else if (!isNetworked && executions > 1) {
        outcome.declaredRetries = (outcome.declaredRetries ?? 0) + executions - 1;
      }
      if (executions === 0) outcome.problems.push(`${label}: the code never ran`);
      // The audit shows the killed attempt and the one after it.
      const attempts = auditAttempts(await auditText(handle));
      // A refused retry runs nothing and has no attempt of its own: the audit then shows the lost attempt only.
      if (attempts.length < (want === 'failed' ? 1 : 2)) outcome.problems.push(`${label}: the audit shows ${attempts.length} attempt(s): ${attempts.join(', ')}`);
      else outcome.notes.push(`${label}: ${attempts.join(' ')}`);
    }
  } finally {
    // The killed worker's containers go when the live worker's reaper sees their owner gone: let it finish.
    await leftoversOf({ docker: ctx.docker, runIds: outcome.runIds, home: ctx.stack.home, staleRulesBefore: [], timeoutMs: 60_000 });
    await second.signal('SIGTERM');
  }
}

function sandboxKillFault(point: FaultPoint): Fault {
  return {
    name: `SIGKILL sandbox worker at "${point}" (network + no network)`,
    timeoutMs: 300_000,
    async run(ctx) {
      const outcome: FaultOutcome = { runIds: [], lost: 0, duplicated: 0, notes: [], problems: [] };
      await killAt(ctx, point, outcome);
      return outcome;
    },
  };
}

export const SANDBOX_KILL_FAULTS: Fault[] = (['created', 'exec', 'exited', 'collecting'] as const).map(sandboxKillFault);
