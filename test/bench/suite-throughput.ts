/**
 * Throughput: N runs submitted at once through Airlock, against N `docker run --rm` at the concurrency Airlock's
 * sandbox worker runs containers at (its execution slots, sized from the host), so both sides have the same number
 * of containers at once. Rounds alternate sides (A B B A) so that drift on the machine hits both alike.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sandboxSizingFromEnv } from '../../sandbox/warm/pool-sizing.js';
import type { ProgressReporter } from '../../workers/setup/progress.js';
import type { ThroughputSamples } from './bench-report.js';
import type { SuiteStack } from './bench-stack.js';
import { mapBounded } from './bounded.js';
import { airlockOnce, dockerOnce } from './suite-latency.js';

const ROUNDS = 2;

export async function throughputSuite(options: { stack: SuiteStack; image: string; runs: number; onProgress: ProgressReporter }): Promise<ThroughputSamples> {
  const { stack, image, runs, onProgress } = options;
  // What the worker child derives too: it reads the same environment on the same host.
  const concurrency = sandboxSizingFromEnv(process.env).concurrency;
  const load1mStart = os.loadavg()[0]!;
  const timed = async (side: string, round: number, batch: () => Promise<unknown>) => {
    const started = performance.now();
    await batch();
    const ms = performance.now() - started;
    onProgress(`throughput round ${round + 1}/${ROUNDS}: ${side} ran ${runs} in ${(ms / 1000).toFixed(1)} s (${((runs * 1000) / ms).toFixed(2)}/s)`);
    return ms;
  };
  // Every run at once: the worker's slots bound how many containers run.
  const airlockBatch = () => Promise.all(Array.from({ length: runs }, () => airlockOnce(stack, 'standard')));
  const dockerBatch = () => mapBounded(runs, concurrency, () => dockerOnce(image));
  const airlockRoundMs: number[] = [];
  const dockerRunRoundMs: number[] = [];
  onProgress(`throughput: ${ROUNDS} rounds of ${runs} runs per side, ${concurrency} containers at once`);
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      airlockRoundMs.push(await timed('airlock', round, airlockBatch));
      dockerRunRoundMs.push(await timed('docker run', round, dockerBatch));
    } else {
      dockerRunRoundMs.push(await timed('docker run', round, dockerBatch));
      airlockRoundMs.push(await timed('airlock', round, airlockBatch));
    }
  }
  return { runsPerRound: runs, concurrency, airlockRoundMs, dockerRunRoundMs, load: { load1mStart, load1mEnd: os.loadavg()[0]! } };
}
