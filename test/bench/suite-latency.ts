/**
 * Latency: one auto-approved python `print` at a time, submit → result, against `docker run --rm` of the same image
 * and code, interleaved (the side that goes first alternates), then the same pair under gVisor when the engine has
 * it. Each Airlock run's history says how much of its time was orchestration (orchestration-timing.ts).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ProgressReporter } from '../../workers/setup/progress.js';
import { STRONG_RUNTIME } from '../../sandbox/isolation.js';
import type { IsolationLevel } from '../../schemas/action.js';
import type { LatencySamples, PairSamples } from './bench-report.js';
import type { SuiteStack } from './bench-stack.js';
import { dockerRun } from './docker-baseline.js';
import { orchestrationTiming, timedEvents } from './orchestration-timing.js';
import { submitAndWait } from './submit-and-wait.js';

export const CODE = 'print(sum(range(10)))';
export const EXPECTED_OUTPUT = '45\n';
const WARM_UP_RUNS = 2;

export async function airlockOnce(stack: SuiteStack, isolation: IsolationLevel): Promise<{ elapsedMs: number; runId: string; submittedAtMs: number }> {
  const shot = await submitAndWait(stack.sdk, { language: 'python', code: CODE, isolation });
  if (shot.stdout !== EXPECTED_OUTPUT) throw new Error(`airlock run ${shot.runId} printed ${JSON.stringify(shot.stdout)}`);
  return shot;
}

export async function dockerOnce(image: string, runtime?: string): Promise<number> {
  const started = performance.now();
  const output = await dockerRun(image, CODE, runtime ? { runtime } : {});
  const elapsed = performance.now() - started;
  if (output !== EXPECTED_OUTPUT) throw new Error(`docker run printed ${JSON.stringify(output)}`);
  return elapsed;
}

async function interleaved(
  label: string,
  runs: number,
  airlock: () => Promise<number>,
  docker: () => Promise<number>,
  onProgress: ProgressReporter,
): Promise<PairSamples> {
  onProgress(`${label}: warming up (${WARM_UP_RUNS} runs each)`);
  for (let i = 0; i < WARM_UP_RUNS; i++) {
    await airlock();
    await docker();
  }
  const airlockMs: number[] = [];
  const dockerRunMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which side goes first so neither always runs on a warmer machine.
    if (i % 2 === 0) {
      airlockMs.push(await airlock());
      dockerRunMs.push(await docker());
    } else {
      dockerRunMs.push(await docker());
      airlockMs.push(await airlock());
    }
    onProgress(`${label} ${i + 1}/${runs}: airlock ${airlockMs.at(-1)!.toFixed(0)} ms, docker run ${dockerRunMs.at(-1)!.toFixed(0)} ms`);
  }
  return { airlockMs, dockerRunMs };
}

export async function latencySuite(options: {
  stack: SuiteStack;
  image: string;
  runs: number;
  engineRuntimes: readonly string[];
  onProgress: ProgressReporter;
}): Promise<LatencySamples> {
  const { stack, image, runs, onProgress } = options;
  const load1mStart = os.loadavg()[0]!;
  const beforeSandboxMs: number[] = [];
  const orchestrationMs: number[] = [];
  const standard = await interleaved(
    'latency',
    runs,
    async () => {
      const shot = await airlockOnce(stack, 'standard');
      // Read after the clock stopped, so fetching the history costs the measured run nothing.
      const history = await stack.temporal.workflow.getHandle(shot.runId).fetchHistory();
      const timing = orchestrationTiming(timedEvents(history), shot.submittedAtMs);
      beforeSandboxMs.push(timing.beforeSandboxMs);
      orchestrationMs.push(shot.elapsedMs - timing.sandboxActivityMs);
      return shot.elapsedMs;
    },
    () => dockerOnce(image),
    onProgress,
  );
  // The warm-up runs' timings are left out, as their latencies are.
  beforeSandboxMs.splice(0, beforeSandboxMs.length - standard.airlockMs.length);
  orchestrationMs.splice(0, orchestrationMs.length - standard.airlockMs.length);
  let strong: PairSamples | undefined;
  if (options.engineRuntimes.includes(STRONG_RUNTIME)) {
    strong = await interleaved(
      'latency, gVisor',
      runs,
      async () => (await airlockOnce(stack, 'strong')).elapsedMs,
      () => dockerOnce(image, STRONG_RUNTIME),
      onProgress,
    );
  } else onProgress(`latency: this engine has no ${STRONG_RUNTIME} runtime; the strong-isolation pair is skipped`);
  return { ...standard, beforeSandboxMs, orchestrationMs, ...(strong ? { strong } : {}), load: { load1mStart, load1mEnd: os.loadavg()[0]! } };
}
