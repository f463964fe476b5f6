/**
 * The sandbox worker stopped (SIGSTOP) for 30 s mid-execution and then continued, and a sandbox worker asked to
 * stop (SIGTERM) mid-execution. One action with network and one without each time. Whatever the worker manages when
 * it wakes up or shuts down, the network action runs at most once (it may end refused, with the at-most-once
 * reason), the other one succeeds, and nothing is left behind.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { faultPointTag } from '../../../sandbox/fault-point.js';
import type { Fault, FaultContext, FaultOutcome } from '../fault.js';
import { leftoversOf } from '../leftovers.js';
import { chaosAction, counterHits, resultWithin, startChaosRun, waitForMarkers } from '../chaos-runs.js';
import type { WorkerProcess } from '../chaos-stack.js';

const STOP_MS = 30_000;
const RESULT_TIMEOUT_MS = 150_000;

async function stallFault(ctx: FaultContext, how: (worker: WorkerProcess) => Promise<WorkerProcess | undefined>): Promise<FaultOutcome> {
  const outcome: FaultOutcome = { runIds: [], lost: 0, duplicated: 0, notes: [], problems: [] };
  const markerDir = path.join(ctx.stack.home, 'fault-points', `stall-${randomBytes(3).toString('hex')}`);
  const worker = await ctx.stack.startWorker('sandbox', { AIRLOCK_FAULT_POINT_DIR: markerDir });
  const tag = `stall-${randomBytes(4).toString('hex')}`;
  const idPrefix = faultPointTag('exec').slice(0, -1);
  const networked = await startChaosRun(ctx, [chaosAction({ tag, sleepSec: 4, counter: ctx.counter })], idPrefix);
  const offline = await startChaosRun(ctx, [chaosAction({ tag: `${tag}-offline`, sleepSec: 4 })], idPrefix);
  outcome.runIds.push(networked.workflowId, offline.workflowId);
  let live: WorkerProcess | undefined = worker;
  try {
    await waitForMarkers(markerDir, 2, 90_000);
    await sleep(1_000);
    live = await how(worker);
    for (const [handle, isNetworked] of [[networked, true], [offline, false]] as const) {
      const label = isNetworked ? 'network' : 'no network';
      const action = (await resultWithin(handle, RESULT_TIMEOUT_MS))?.actions[0];
      const refused = isNetworked && action?.status === 'failed' && /at most once/.test(action.error ?? '');
      if (action?.status !== 'succeeded' && !refused) {
        outcome.lost++;
        outcome.problems.push(`${label}: ended ${action?.status ?? 'not at all'}${action?.error ? `: ${action.error}` : ''}`);
        continue;
      }
      const executions = isNetworked ? counterHits(ctx.counter, tag) : ctx.starts.of(handle.workflowId);
      if (isNetworked && executions > 1) {
        outcome.duplicated += executions - 1;
        outcome.problems.push(`network: the code ran ${executions} times`);
      }
      if (!isNetworked && executions > 1) outcome.declaredRetries = (outcome.declaredRetries ?? 0) + executions - 1;
      outcome.notes.push(`${label}: ${action.status}${refused ? ' (refused: at most once)' : ''}, ran ${executions}x`);
    }
  } finally {
    await leftoversOf({ docker: ctx.docker, runIds: outcome.runIds, home: ctx.stack.home, staleRulesBefore: [], timeoutMs: 60_000 });
    if (worker.child.signalCode === null && worker.child.exitCode === null) worker.child.kill('SIGCONT');
    await worker.signal('SIGTERM');
    await live?.signal('SIGTERM');
  }
  return outcome;
}

export const SANDBOX_STALL_FAULTS: Fault[] = [
  {
    name: 'SIGSTOP sandbox worker 30 s, then SIGCONT',
    timeoutMs: 300_000,
    run: (ctx) =>
      stallFault(ctx, async (worker) => {
        worker.child.kill('SIGSTOP');
        ctx.progress(`sandbox worker stopped for ${STOP_MS / 1000} s`);
        await sleep(STOP_MS);
        worker.child.kill('SIGCONT');
        return worker;
      }),
  },
  {
    name: 'SIGTERM sandbox worker mid-run',
    timeoutMs: 300_000,
    run: (ctx) =>
      stallFault(ctx, async (worker) => {
        await worker.signal('SIGTERM');
        return ctx.stack.startWorker('sandbox');
      }),
  },
];
