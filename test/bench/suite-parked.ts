/**
 * Parked runs: N one-shot runs whose action a policy sends to a human, started with bounded parallelism, then the
 * worker process's RSS before and after (measured in the worker child, after a full GC), then approve → result p50
 * over a sample of the parked runs, approved one at a time the way the deciding service does it (read the run, sign,
 * send the `decide` update) and timed until the run's result arrives.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { delay } from '../../platform/delay.js';
import { actionIdAt } from '../../schemas/action.js';
import { AWAITING_APPROVAL_ATTRIBUTE } from '../../workflows/search-attributes.js';
import type { ProgressReporter } from '../../workers/setup/progress.js';
import { decideSigned } from '../support/signed-decision.js';
import type { ParkedSamples } from './bench-report.js';
import type { BenchStack, SuiteStack } from './bench-stack.js';
import { mapBounded } from './bounded.js';
import { BENCH_IDENTITY } from './submit-and-wait.js';
import { CODE, EXPECTED_OUTPUT } from './suite-latency.js';

/** Starts in flight at once: enough to keep the dev server busy without queueing thousands of requests. */
const START_PARALLELISM = 16;
const APPROVE_SAMPLE = 20;
/** Between approvals, so each one is measured on a quiet worker rather than behind the previous one. */
const APPROVE_GAP_MS = 300;
const PARKED_POLL_MS = 2_000;
/** No new parked run for this long means some never will (a failed run): stop instead of waiting forever. */
const PARKED_STALL_MS = 5 * 60_000;
/** Long enough that no parked run times out while thousands of others are started. */
const APPROVAL_TIMEOUT = '12h';

/** Every level waits for one human; the signing key the bench holds is the only signer. */
export const HUMAN_POLICY = `signers:
  - name: local
    publicKeyFile: signing-key.pub
levels:
  low: { mode: human, quorum: 1, timeout: ${APPROVAL_TIMEOUT} }
  medium: { mode: human, quorum: 1, timeout: ${APPROVAL_TIMEOUT} }
  high: { mode: human, quorum: 1, timeout: ${APPROVAL_TIMEOUT} }
  critical: { mode: deny }
`;

export async function writeHumanPolicy(home: string): Promise<string> {
  const file = path.join(home, 'bench-human.policy.yaml');
  await writeFile(file, HUMAN_POLICY);
  return file;
}

/** Sample indexes spread over the whole range, the earliest (longest parked, likely evicted) included. */
export function spreadSample(count: number, sample: number): number[] {
  const n = Math.min(count, sample);
  return Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
}

async function waitUntilParked(stack: SuiteStack, runs: number, onProgress: ProgressReporter): Promise<void> {
  const query = `TaskQueue = '${stack.config.AIRLOCK_TASK_QUEUE}' AND ${AWAITING_APPROVAL_ATTRIBUTE.name} = true`;
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const { count } = await stack.temporal.workflow.count(query);
    onProgress(`parked: ${count}/${runs} runs wait for approval`);
    if (count >= runs) return;
    if (count !== last) [last, lastChange] = [count, Date.now()];
    else if (Date.now() - lastChange > PARKED_STALL_MS) throw new Error(`only ${count} of ${runs} runs reached the approval wait; the rest stalled`);
    await delay(PARKED_POLL_MS);
  }
}

export async function parkedSuite(options: { bench: BenchStack; stack: SuiteStack; runs: number; onProgress: ProgressReporter }): Promise<ParkedSamples> {
  const { bench, stack, runs, onProgress } = options;
  const load1mStart = os.loadavg()[0]!;
  const workerRssBytesBefore = await stack.workers.rssBytes();
  onProgress(`parked: worker RSS before ${(workerRssBytesBefore / 1024 / 1024).toFixed(1)} MB; starting ${runs} runs, ${START_PARALLELISM} at a time`);
  const started = performance.now();
  const progressEvery = Math.max(1, Math.floor(runs / 20));
  let startedCount = 0;
  const runIds = await mapBounded(runs, START_PARALLELISM, async () => {
    const { runId } = await stack.sdk.startRun({ ...BENCH_IDENTITY, closeWhenDone: true, actions: [{ language: 'python', code: CODE }] });
    if (++startedCount % progressEvery === 0) onProgress(`parked: started ${startedCount}/${runs}`);
    return runId;
  });
  await waitUntilParked(stack, runs, onProgress);
  const parkMs = performance.now() - started;
  const workerRssBytesAfter = await stack.workers.rssBytes();
  onProgress(`parked: worker RSS after ${(workerRssBytesAfter / 1024 / 1024).toFixed(1)} MB`);

  const approveToResultMs: number[] = [];
  for (const index of spreadSample(runs, APPROVE_SAMPLE)) {
    await delay(APPROVE_GAP_MS);
    const handle = stack.temporal.workflow.getHandle(runIds[index]!);
    const t0 = performance.now();
    await decideSigned(handle, bench.home, { actionId: actionIdAt(0), decision: 'approve', approver: 'bench-approver', channel: 'api', reason: 'bench' });
    const run = (await handle.result()) as { actions: Array<{ result?: { stdout: { text: string } } }> };
    approveToResultMs.push(performance.now() - t0);
    const output = run.actions[0]?.result?.stdout.text;
    if (output !== EXPECTED_OUTPUT) throw new Error(`approved run ${handle.workflowId} printed ${JSON.stringify(output)}`);
    onProgress(`parked: approved run ${index}: result after ${approveToResultMs.at(-1)!.toFixed(0)} ms`);
  }
  return { runs, workerRssBytesBefore, workerRssBytesAfter, approveToResultMs, parkMs, load: { load1mStart, load1mEnd: os.loadavg()[0]! } };
}
