/** Helpers the faults share: starting runs, counting real executions, waiting for fault points, bounded results. */
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { ActionInput } from '../../schemas/action.js';
import type { ActionState, RunState } from '../../schemas/run.js';
import { getRunQuery } from '../../workflows/messages.js';
import { buildAuditReport } from '../../client/audit-report.js';
import { decodeHistoryEvents, type RawHistoryEvent } from '../../client/audit-events.js';
import { renderAudit } from '../../cli/render-audit.js';
import { startRun } from '../support/runs.js';
import type { LocalServer } from '../support/egress-servers.js';
import type { FaultContext } from './fault.js';

/** Python that runs for `sleepSec`, writes an output file, and (with a counter) calls it once first. */
export function chaosCode(input: { tag: string; sleepSec: number; counter?: LocalServer; marker?: string }): string {
  return [
    ...(input.marker ? [`# ${input.marker}`] : []),
    'import time',
    ...(input.counter
      ? ['import urllib.request', `urllib.request.urlopen("http://127.0.0.1:${input.counter.port}/${input.tag}", timeout=10).read()`]
      : []),
    `print("started ${input.tag}", flush=True)`,
    `time.sleep(${input.sleepSec})`,
    'open("out.txt", "w").write("done")',
    `print("finished ${input.tag}")`,
  ].join('\n');
}

/** An action running chaosCode; with the counter it gets the counter on its allowlist. */
export function chaosAction(input: { tag: string; sleepSec: number; counter?: LocalServer; marker?: string }): ActionInput {
  return {
    language: 'python',
    code: chaosCode(input),
    outputs: ['out.txt'],
    ...(input.counter ? { network: { allow: [`127.0.0.1:${input.counter.port}`] } } : {}),
  };
}

/** Starts a one-shot run; `idPrefix` may name a fault point (sandbox/fault-point.ts) for a hooked worker. */
export async function startChaosRun(ctx: FaultContext, actions: ActionInput[], idPrefix = 'chaos'): Promise<WorkflowHandle> {
  return startRun(ctx.stack.client, ctx.stack.taskQueue, { agent: 'chaos', actions }, idPrefix);
}

/** How many times the code of `tag` really reached the counter. */
export function counterHits(counter: LocalServer, tag: string): number {
  return counter.requests.filter((r) => r === `GET /${tag}`).length;
}

/** Waits until `count` marker files exist in `dir` (the fault point was reached that often). */
export async function waitForMarkers(dir: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const names = await readdir(dir).catch(() => [] as string[]);
    if (names.length >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${names.length} of ${count} executions reached the fault point in ${dir} within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** The run's final state, or undefined when it did not end within the bound (a lost run). */
export async function resultWithin(handle: WorkflowHandle, timeoutMs: number): Promise<RunState | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      handle.result() as Promise<RunState>,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `airlock audit` of the run, as text. */
export async function auditText(handle: WorkflowHandle): Promise<string> {
  const events = (await handle.fetchHistory()).events ?? [];
  return renderAudit(buildAuditReport({ runId: handle.workflowId, events: decodeHistoryEvents(events as RawHistoryEvent[]) }));
}

/** The audit's attempt lines, e.g. `attempt 1: lost-after-start`. */
export function auditAttempts(audit: string): string[] {
  return [...audit.matchAll(/attempt (\d+): ([\w-]+)/g)].map((m) => `${m[1]}:${m[2]}`);
}

/**
 * Retries `call` (a query, or a decision that queries first) until it succeeds or `timeoutMs` passes: under load a
 * query can time out while the control worker is busy, which is slowness, not a lost run.
 */
export async function patiently<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(1_000);
    }
  }
}

/** Like waitForRun, but polling once a second (hundreds of runs wait at once under load) and patient with queries. */
export async function waitForActionStatus(handle: WorkflowHandle, status: ActionState['status'], timeoutMs: number): Promise<RunState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await patiently(() => handle.query(getRunQuery), timeoutMs);
    if (run.actions[0]?.status === status) return run;
    if (Date.now() > deadline) throw new Error(`run ${handle.workflowId} did not reach ${status} within ${timeoutMs / 1000} s (it is ${run.actions[0]?.status})`);
    await sleep(1_000);
  }
}
