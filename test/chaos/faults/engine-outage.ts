/**
 * The Docker engine stopped for 30 s with actions running and queued, on a PRIVATE engine of the suite (never the
 * shared one), with actions without network only. The property: no run is lost and no action fails because of the
 * outage; the engine's restart kills the running containers, so those actions run again (at least once, declared).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault, FaultOutcome } from '../fault.js';
import { leftoversOf } from '../leftovers.js';
import { chaosAction, resultWithin, startChaosRun, waitForActionStatus } from '../chaos-runs.js';
import { startPrivateDockerd } from '../private-dockerd.js';

const OUTAGE_MS = 30_000;
const RUNS = 6;
const RESULT_TIMEOUT_MS = 240_000;

export const ENGINE_OUTAGE_FAULT: Fault = {
  name: 'dockerd stopped for 30 s with actions running and queued (private engine)',
  timeoutMs: 480_000,
  async run(ctx) {
    const outcome: FaultOutcome = { runIds: [], lost: 0, duplicated: 0, notes: [], problems: [] };
    const image = ctx.stack.env.AIRLOCK_SANDBOX_IMAGE ?? 'airlock-sandbox:latest';
    const engine = await startPrivateDockerd(image);
    try {
      // Capacity 2: of the six actions two run and four queue when the engine stops.
      const worker = await ctx.stack.startWorker('sandbox', { DOCKER_HOST: engine.host, AIRLOCK_SANDBOX_CAPACITY: '2', AIRLOCK_SANDBOX_RUNTIMES: 'runc' });
      try {
        const tag = `engine-${randomBytes(3).toString('hex')}`;
        const handles = [];
        for (let i = 0; i < RUNS; i++) handles.push(await startChaosRun(ctx, [chaosAction({ tag: `${tag}-${i}`, sleepSec: 5 })]));
        outcome.runIds.push(...handles.map((h) => h.workflowId));
        await waitForActionStatus(handles[0]!, 'running', 60_000);
        await sleep(2_000);
        await engine.stop();
        ctx.progress(`private dockerd stopped for ${OUTAGE_MS / 1000} s`);
        await sleep(OUTAGE_MS);
        await engine.start();
        ctx.progress('private dockerd started again');
        for (const handle of handles) {
          const action = (await resultWithin(handle, RESULT_TIMEOUT_MS))?.actions[0];
          if (action?.status !== 'succeeded') {
            outcome.lost++;
            outcome.problems.push(`${handle.workflowId} ended ${action?.status ?? 'not at all'}${action?.error ? `: ${action.error.slice(0, 160)}` : ''}`);
          } else {
            // Only earlier attempts that may have run the code count as re-runs; one that never started ran nothing.
            const mayHaveRun = (action.result?.attempts ?? []).slice(0, -1).filter((a) => a.outcome === 'lost-after-start' || a.outcome === 'unknown');
            outcome.declaredRetries = (outcome.declaredRetries ?? 0) + mayHaveRun.length;
          }
        }
        // Orphans on the private engine: the shared engine never saw these runs.
        const left = await leftoversOf({ docker: engine.docker, runIds: outcome.runIds, home: ctx.stack.home, staleRulesBefore: [] });
        outcome.orphaned = left.length;
        outcome.problems.push(...left.map((l) => `left behind on the private engine: ${l.kind} ${l.name}`));
      } finally {
        await worker.signal('SIGTERM');
      }
    } finally {
      await engine.destroy();
    }
    return outcome;
  },
};
