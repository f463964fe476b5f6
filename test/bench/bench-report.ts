/**
 * The shape of the bench's one JSON line (issue 15, item 5) and the human-readable lines printed above it. Pure: the
 * suites hand in their samples and this module turns them into the numbers that are compared against the targets.
 */
import { percentile } from './percentiles.js';

/** The 1-minute load average when a suite started and when it ended: the machine is shared, so every number says it. */
export interface LoadWindow {
  load1mStart: number;
  load1mEnd: number;
}

export interface PairSamples {
  airlockMs: readonly number[];
  dockerRunMs: readonly number[];
}

export interface LatencySamples extends PairSamples {
  /** Submit → the sandbox activity starting, per Airlock run (see orchestration-timing.ts). */
  beforeSandboxMs: readonly number[];
  /** Everything but the sandbox activity itself: submit → result minus the activity's own time. */
  orchestrationMs: readonly number[];
  /** The strong-isolation pair; absent when the engine has no gVisor. */
  strong?: PairSamples;
  load: LoadWindow;
}

export interface ThroughputSamples {
  runsPerRound: number;
  concurrency: number;
  /** Wall time of each round of `runsPerRound` executions, per side. */
  airlockRoundMs: readonly number[];
  dockerRunRoundMs: readonly number[];
  load: LoadWindow;
}

export interface ParkedSamples {
  runs: number;
  workerRssBytesBefore: number;
  workerRssBytesAfter: number;
  approveToResultMs: readonly number[];
  /** Wall time to start every parked run and see it waiting for approval. */
  parkMs: number;
  load: LoadWindow;
}

export interface PairReport {
  airlockP50Ms: number;
  airlockP95Ms: number;
  dockerRunP50Ms: number;
  dockerRunP95Ms: number;
  ratioP50: number;
}

type Nullable<T> = { [K in keyof T]: T[K] | null };

const NOT_MEASURED: Nullable<PairReport> = { airlockP50Ms: null, airlockP95Ms: null, dockerRunP50Ms: null, dockerRunP95Ms: null, ratioP50: null };

export interface BenchReport extends Nullable<PairReport> {
  runs: number | null;
  overheadP50Ms: number | null;
  orchestrationP50Ms: number | null;
  latencyLoad: LoadWindow | null;
  strong: PairReport | null;
  throughput: {
    concurrency: number;
    runs: number;
    rounds: number;
    airlockPerS: number;
    dockerRunPerS: number;
    ratio: number;
    load: LoadWindow;
  } | null;
  parked: {
    runs: number;
    workerRssMbBefore: number;
    workerRssMbAfter: number;
    workerRssMbPerRun: number;
    approveToResultP50Ms: number;
    approveToResultP95Ms: number;
    approveSample: number;
    parkPerS: number;
    load: LoadWindow;
  } | null;
  riskScoring: unknown;
  machine: MachineInfo;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  docker?: string;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const p50 = (s: readonly number[]) => round1(percentile(s, 50));
const p95 = (s: readonly number[]) => round1(percentile(s, 95));
const MIB = 1024 * 1024;

export function pairReport(samples: PairSamples): PairReport {
  return {
    airlockP50Ms: p50(samples.airlockMs),
    airlockP95Ms: p95(samples.airlockMs),
    dockerRunP50Ms: p50(samples.dockerRunMs),
    dockerRunP95Ms: p95(samples.dockerRunMs),
    ratioP50: round2(percentile(samples.airlockMs, 50) / percentile(samples.dockerRunMs, 50)),
  };
}

/** Executions per second over all rounds of one side: total executions over total wall time. */
function perSecond(runsPerRound: number, roundMs: readonly number[]): number {
  const totalMs = roundMs.reduce((a, b) => a + b, 0);
  return round2((runsPerRound * roundMs.length * 1000) / totalMs);
}

export function buildBenchReport(input: {
  latency?: LatencySamples;
  throughput?: ThroughputSamples;
  parked?: ParkedSamples;
  riskScoring: unknown;
  machine: MachineInfo;
}): BenchReport {
  const { latency, throughput, parked } = input;
  const airlockPerS = throughput && perSecond(throughput.runsPerRound, throughput.airlockRoundMs);
  const dockerRunPerS = throughput && perSecond(throughput.runsPerRound, throughput.dockerRunRoundMs);
  return {
    runs: latency ? latency.airlockMs.length : null,
    ...(latency ? pairReport(latency) : NOT_MEASURED),
    overheadP50Ms: latency ? p50(latency.beforeSandboxMs) : null,
    orchestrationP50Ms: latency ? p50(latency.orchestrationMs) : null,
    latencyLoad: latency ? latency.load : null,
    strong: latency?.strong ? pairReport(latency.strong) : null,
    throughput:
      throughput && airlockPerS !== undefined && dockerRunPerS !== undefined
        ? {
            concurrency: throughput.concurrency,
            runs: throughput.runsPerRound,
            rounds: throughput.airlockRoundMs.length,
            airlockPerS,
            dockerRunPerS,
            ratio: round2(airlockPerS / dockerRunPerS),
            load: throughput.load,
          }
        : null,
    parked: parked
      ? {
          runs: parked.runs,
          workerRssMbBefore: round1(parked.workerRssBytesBefore / MIB),
          workerRssMbAfter: round1(parked.workerRssBytesAfter / MIB),
          workerRssMbPerRun: round2((parked.workerRssBytesAfter - parked.workerRssBytesBefore) / MIB / parked.runs),
          approveToResultP50Ms: p50(parked.approveToResultMs),
          approveToResultP95Ms: p95(parked.approveToResultMs),
          approveSample: parked.approveToResultMs.length,
          parkPerS: round1((parked.runs * 1000) / parked.parkMs),
          load: parked.load,
        }
      : null,
    riskScoring: input.riskScoring,
    machine: input.machine,
  };
}

const loadText = (load: LoadWindow) => `load average ${load.load1mStart.toFixed(1)} → ${load.load1mEnd.toFixed(1)}`;

/** The lines printed before the JSON, for a person reading the terminal. */
export function reportLines(report: BenchReport): string[] {
  const lines: string[] = [];
  if (report.runs !== null && report.latencyLoad) {
    lines.push(
      `latency, ${report.runs} interleaved pairs (${loadText(report.latencyLoad)}):`,
      `  airlock submit → result: p50 ${report.airlockP50Ms} ms, p95 ${report.airlockP95Ms} ms`,
      `  docker run --rm:         p50 ${report.dockerRunP50Ms} ms, p95 ${report.dockerRunP95Ms} ms`,
      `  ratio at p50: ${report.ratioP50}; before the sandbox starts: p50 ${report.overheadP50Ms} ms; all orchestration: p50 ${report.orchestrationP50Ms} ms`,
    );
    if (report.strong) {
      lines.push(
        `  strong isolation (gVisor): airlock p50 ${report.strong.airlockP50Ms} ms, docker run --runtime runsc p50 ${report.strong.dockerRunP50Ms} ms, ratio ${report.strong.ratioP50}`,
      );
    } else lines.push('  strong isolation: not measured (this engine has no runsc runtime)');
  }
  const t = report.throughput;
  if (t) {
    lines.push(
      `throughput, ${t.rounds} × ${t.runs} runs, ${t.concurrency} containers at once on each side (${loadText(t.load)}):`,
      `  airlock ${t.airlockPerS}/s, docker run loop ${t.dockerRunPerS}/s, ratio ${t.ratio}`,
    );
  }
  const p = report.parked;
  if (p) {
    lines.push(
      `parked, ${p.runs} runs waiting for approval (${loadText(p.load)}), started at ${p.parkPerS}/s:`,
      `  worker RSS ${p.workerRssMbBefore} MB → ${p.workerRssMbAfter} MB (${p.workerRssMbPerRun} MB per parked run)`,
      `  approve → result over ${p.approveSample} approvals: p50 ${p.approveToResultP50Ms} ms, p95 ${p.approveToResultP95Ms} ms`,
    );
  }
  return lines;
}
