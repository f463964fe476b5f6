/**
 * `npm run bench -- [--json] [--runs N] [--suite latency|throughput|parked|all] [--parked N] [--throughput-runs N]
 * [--chart PATH.svg] [--risk-only]`: each of issue 15's targets measured against its baseline in the same process.
 * Progress goes to stderr; the last stdout line is the one JSON object (with --json). See docs/performance.md.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { createLogger } from '../../platform/logger.js';
import { createDockerClient } from '../../sandbox/docker-client.js';
import { inspectSandboxEngine } from '../../workers/sandbox-host.js';
import { createStderrProgress } from '../../workers/setup/progress.js';
import { parseBenchArgs } from './bench-args.js';
import { buildBenchReport, reportLines, type LatencySamples, type ParkedSamples, type ThroughputSamples } from './bench-report.js';
import { startBenchStack } from './bench-stack.js';
import { targetLines, targetRows } from './bench-targets.js';
import { buildChartSvg } from './chart-svg.js';
import { machineInfo } from './machine-info.js';
import { benchRiskScoring, type CaseStats } from './risk-scoring.js';
import { latencySuite } from './suite-latency.js';
import { parkedSuite, writeHumanPolicy } from './suite-parked.js';
import { throughputSuite } from './suite-throughput.js';

/** Scoring is cheap: measured at least this often for a stable p95. */
const RISK_RUNS = 40;

function riskText(risk: Awaited<ReturnType<typeof benchRiskScoring>>): string {
  const languages = (stats: CaseStats) =>
    Object.entries(stats.perLanguage)
      .map(([l, r]) => `${l} p95 ${r.p95Ms} ms wall / ${r.cpuP95Ms} ms CPU, ${r.level}, ${r.parseSteps} steps, budget ${r.budgetFired ? 'fired' : 'not reached'}`)
      .join('; ');
  const line = (name: string, stats: CaseStats) => `  ${name} (${Math.round(stats.bytes / 1024)} KiB): p95 ${stats.p95Ms} ms wall, ${stats.cpuP95Ms} ms CPU — ${languages(stats)}`;
  return [
    `risk scoring of one ${Math.round(risk.bytes / 1024)} KiB action, analysis budget ${risk.parseBudget} parser steps: ` +
      `worst p95 ${risk.p95Ms} ms wall, ${risk.cpuP95Ms} ms CPU (${risk.worst})`,
    line('dense code', risk.dense),
    line('most code within the budget, then data', risk.withinBudget),
    line('12 KiB of code, the rest CSV in a literal', risk.dataHeavy),
    `  cold first call ${risk.coldFirstCallMs} ms (parser load ${risk.parserLoadMs} ms); dense ` +
      Object.entries(risk.dense.perLanguage)
        .map(([l, r]) => `${l}: first ${r.firstCallMs}, cached p95 ${r.cachedP95Ms}, median parse ${r.phases.parseMs} / analyse ${r.phases.analyseMs} / text ${r.phases.textMs} / free ${r.phases.freeMs} ms`)
        .join('; '),
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  // Risk scoring needs neither Temporal nor Docker: measured first, on a quiet process.
  const riskScoring = await benchRiskScoring(Math.max(args.runs, RISK_RUNS));
  if (args.riskOnly) {
    process.stdout.write(`${riskText(riskScoring)}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify({ riskScoring })}\n`);
    return;
  }

  const logger = createLogger({ name: 'airlock-bench', level: process.env.LOG_LEVEL ?? 'warn' });
  const onProgress = createStderrProgress();
  const docker = createDockerClient();
  const bench = await startBenchStack({ logger, onProgress, docker });
  let latency: LatencySamples | undefined;
  let throughput: ThroughputSamples | undefined;
  let parked: ParkedSamples | undefined;
  try {
    const { engineRuntimes } = await inspectSandboxEngine(docker, bench.image);
    if (args.suites.includes('latency') || args.suites.includes('throughput')) {
      // The default policy: a python `print` is low risk and auto-approved.
      const stack = await bench.startSuite('fast');
      try {
        if (args.suites.includes('latency')) latency = await latencySuite({ stack, image: bench.image, runs: args.runs, engineRuntimes, onProgress });
        if (args.suites.includes('throughput')) throughput = await throughputSuite({ stack, image: bench.image, runs: args.throughputRuns, onProgress });
      } finally {
        await stack.close();
      }
    }
    if (args.suites.includes('parked')) {
      const stack = await bench.startSuite('parked', { policyFile: await writeHumanPolicy(bench.home) });
      try {
        parked = await parkedSuite({ bench, stack, runs: args.parked, onProgress });
      } finally {
        await stack.close();
      }
    }
  } finally {
    await bench.close();
  }

  const report = buildBenchReport({
    ...(latency ? { latency } : {}),
    ...(throughput ? { throughput } : {}),
    ...(parked ? { parked } : {}),
    riskScoring,
    machine: await machineInfo(docker),
  });
  const rows = targetRows(report);
  process.stdout.write([...reportLines(report), riskText(riskScoring), 'targets:', ...targetLines(rows)].join('\n') + '\n');
  if (args.chart) {
    const m = report.machine;
    const subtitle = `${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}; load average ${os.loadavg()[0]!.toFixed(1)} at the end`;
    await writeFile(args.chart, buildChartSvg(rows, { title: 'Airlock against its targets (npm run bench)', subtitle }));
    process.stdout.write(`chart written to ${args.chart}\n`);
  }
  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  createLogger({ name: 'airlock-bench' }).fatal({ err }, 'benchmark failed');
  process.exit(1);
});
