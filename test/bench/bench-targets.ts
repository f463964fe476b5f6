/** Issue 15's targets, each next to the number of this run that it is judged on (one list for the chart and the text). */
import type { BenchReport } from './bench-report.js';
import { targetMet, type ChartRow } from './chart-svg.js';

/** The parked-memory target is stated for this many runs. */
const PARKED_TARGET_RUNS = 10_000;

/** RSS growth for PARKED_TARGET_RUNS: measured when the bench parked that many, else scaled from the per-run growth. */
function parkedGrowthRow(report: BenchReport): ChartRow {
  const parked = report.parked;
  const scaled = parked !== null && parked.runs !== PARKED_TARGET_RUNS;
  return {
    label: scaled ? `RSS growth per 10,000 parked (from ${parked.runs})` : 'worker RSS growth, 10,000 parked',
    measured: parked ? ((parked.workerRssMbAfter - parked.workerRssMbBefore) * PARKED_TARGET_RUNS) / parked.runs : null,
    target: 500,
    unit: 'MB',
    better: 'lower',
  };
}

export function targetRows(report: BenchReport): ChartRow[] {
  const parkedRuns = report.parked?.runs;
  return [
    { label: 'submit → result / docker run, p50', measured: report.ratioP50, target: 0.25, unit: '×', better: 'lower' },
    { label: 'orchestration before the sandbox, p50', measured: report.overheadP50Ms, target: 50, unit: 'ms', better: 'lower' },
    { label: 'gVisor: submit → result / docker run, p50', measured: report.strong?.ratioP50 ?? null, target: 0.5, unit: '×', better: 'lower' },
    { label: 'throughput / docker run loop', measured: report.throughput?.ratio ?? null, target: 1.5, unit: '×', better: 'higher' },
    parkedGrowthRow(report),
    { label: `approve → result, ${parkedRuns ?? 'no'} parked, p50`, measured: report.parked?.approveToResultP50Ms ?? null, target: 1000, unit: 'ms', better: 'lower' },
  ];
}

/** One line per target: measured, target and whether it is met. */
export function targetLines(rows: readonly ChartRow[]): string[] {
  return rows.map((row) => {
    const met = targetMet(row);
    const verdict = met === null ? 'not measured' : met ? 'met' : 'missed';
    const measured = row.measured === null ? '-' : `${Math.round(row.measured * 100) / 100} ${row.unit}`;
    return `  ${row.label}: ${measured} (target ${row.better === 'lower' ? '≤' : '≥'} ${row.target} ${row.unit}): ${verdict}`;
  });
}
