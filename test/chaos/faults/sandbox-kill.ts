/**
 * SIGKILL of the sandbox worker at four points of an execution (test-only fault points, sandbox/fault-point.ts),
 * each for an action with network (at most once: counted by the loopback counter the code calls) and one without
 * (at least once: counted by the container starts the engine reported). All eight runs go to one worker, each stopping
 * at the point its run id names; the worker is killed once they all got there, and a fresh worker takes over. Every
 * run must end as the declared semantics say, and its audit must show every attempt.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { FAULT_POINTS, faultPointTag, type FaultPoint } from '../../../sandbox/fault-point.js';
import type { Fault, FaultContext, FaultOutcome } from '../fault.js';
import { leftoversOf } from '../leftovers.js';
import { auditAttempts, auditText, chaosAction, counterHits, resultWithin, startChaosRun, waitForMarkers } from '../chaos-runs.js';

/** Heartbeat timeout (20 s) + a new attempt + the code's own seconds, with room for a slow machine. */
const RESULT_TIMEOUT_MS = 150_000;
/** The `exec` runs must still be running when every other run has reached its point. */
const EXEC_SLEEP_SEC = 15;
const OTHER_SLEEP_SEC = 2;

/** What each point must end in: the status of the network action, and how many executions are allowed without. */
const EXPECTED: Record<FaultPoint, { network: 'succeeded' | 'failed'; noNetworkExecutions: number }> = {
  // Created, never started: the retry fences the old container; the code runs once either way.
  created: { network: 'succeeded', noNetworkExecutions: 1 },
  // The code was running: at most once refuses the retry; at least once runs it again.
  exec: { network: 'failed', noNetworkExecutions: 2 },
  // The code ended and its result was journalled: the retry returns it and runs nothing.
  exited: { network: 'succeeded', noNetworkExecutions: 1 },
  collecting: { network: 'succeeded', noNetworkExecutions: 1 },
};

interface KillCase {
  point: FaultPoint;
  networked: boolean;
  tag: string;
  handle: WorkflowHandle;
}

async function checkCase(ctx: FaultContext, c: KillCase, outcome: FaultOutcome): Promise<void> {
  const label = `${c.point}/${c.networked ? 'network' : 'no network'}`;
  const expected = EXPECTED[c.point];
  const action = (await resultWithin(c.handle, RESULT_TIMEOUT_MS))?.actions[0];
  const want = c.networked ? expected.network : 'succeeded';
  if (!action || action.status !== want) {
    outcome.lost++;
    outcome.problems.push(`${label}: ended ${action?.status ?? 'not at all'} (wanted ${want})${action?.error ? `: ${action.error}` : ''}`);
    return;
  }
  if (want === 'failed' && !/at most once/.test(action.error ?? '')) outcome.problems.push(`${label}: failed without the at-most-once reason: ${action.error}`);
  const executions = c.networked ? counterHits(ctx.counter, c.tag) : ctx.starts.of(c.handle.workflowId);
  const allowed = c.networked ? 1 : expected.noNetworkExecutions;
  if (executions > allowed) {
    outcome.duplicated += executions - allowed;
    outcome.problems.push(`${label}: the code ran ${executions} times (at most ${allowed} allowed)`);
  } else if (!c.networked && executions > 1) {
    outcome.declaredRetries = (outcome.declaredRetries ?? 0) + executions - 1;
  }
  if (executions === 0) outcome.problems.push(`${label}: the code never ran`);
  // The audit shows the killed attempt and the one after it; a refused retry runs nothing and has no record.
  const attempts = auditAttempts(await auditText(c.handle));
  if (attempts.length < (want === 'failed' ? 1 : 2)) outcome.problems.push(`${label}: the audit shows ${attempts.length} attempt(s): ${attempts.join(', ')}`);
  else outcome.notes.push(`${label}: ${attempts.join(' ')}${executions > 1 ? `, ran ${executions}x` : ''}`);
}

export const SANDBOX_KILL_FAULT: Fault = {
  name: `SIGKILL sandbox worker at ${FAULT_POINTS.join(', ')} (each with and without network)`,
  timeoutMs: 300_000,
  async run(ctx) {
    const outcome: FaultOutcome = { runIds: [], lost: 0, duplicated: 0, notes: [], problems: [] };
    const markerDir = path.join(ctx.stack.home, 'fault-points', `kill-${randomBytes(3).toString('hex')}`);
    // Room for all eight at once: a queued one would never reach its point.
    const first = await ctx.stack.startWorker('sandbox', { AIRLOCK_FAULT_POINT_DIR: markerDir, AIRLOCK_SANDBOX_CAPACITY: '8' });
    const cases: KillCase[] = [];
    try {
      for (const point of FAULT_POINTS) {
        for (const networked of [true, false]) {
          const tag = `kill-${point}-${networked ? 'net' : 'offline'}-${randomBytes(4).toString('hex')}`;
          const sleepSec = point === 'exec' ? EXEC_SLEEP_SEC : OTHER_SLEEP_SEC;
          const action = chaosAction({ tag, sleepSec, ...(networked ? { counter: ctx.counter } : {}) });
          const handle = await startChaosRun(ctx, [action], faultPointTag(point).slice(0, -1));
          cases.push({ point, networked, tag, handle });
          outcome.runIds.push(handle.workflowId);
        }
      }
      await waitForMarkers(markerDir, cases.length, 120_000);
      // Mid-execution: the networked exec run has called the counter and is sleeping.
      const execNet = cases.find((c) => c.point === 'exec' && c.networked)!;
      const deadline = Date.now() + 20_000;
      while (counterHits(ctx.counter, execNet.tag) === 0 && Date.now() < deadline) await sleep(100);
      await sleep(1_000);
    } finally {
      await first.signal('SIGKILL');
    }
    ctx.progress(`sandbox worker SIGKILLed with ${cases.length} runs at their points; a new worker takes over`);
    const second = await ctx.stack.startWorker('sandbox');
    try {
      for (const c of cases) await checkCase(ctx, c, outcome);
    } finally {
      // The killed worker's containers go when the live worker's reaper sees their owner gone: let it finish.
      await leftoversOf({ docker: ctx.docker, runIds: outcome.runIds, home: ctx.stack.home, staleRulesBefore: [], timeoutMs: 60_000 });
      await second.signal('SIGTERM');
    }
    return outcome;
  },
};
