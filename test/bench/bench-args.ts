/**
 * The bench's command line, parsed and checked in one place so a typo fails at once with a message that names the
 * flag, instead of after minutes of measuring.
 */
import { parseArgs } from 'node:util';

export const SUITES = ['latency', 'throughput', 'parked'] as const;
export type Suite = (typeof SUITES)[number];

export const DEFAULT_RUNS = 20;
/** Runs submitted at once in the throughput suite (the "100 runs at once"). */
export const DEFAULT_THROUGHPUT_RUNS = 100;
/** Parked runs when the whole bench runs: the target is stated for 10,000. */
export const DEFAULT_PARKED_ALL = 10_000;
/** Parked runs when only the parked suite is asked for without --parked: a quick look. */
export const DEFAULT_PARKED_ALONE = 1_000;

export interface BenchArgs {
  json: boolean;
  /** Interleaved pairs in the latency suite. */
  runs: number;
  suites: Suite[];
  throughputRuns: number;
  parked: number;
  /** Where to write the SVG chart, when asked. */
  chart?: string;
  /** Only the risk-scoring measurement (no Temporal, no Docker). */
  riskOnly: boolean;
}

export class BenchArgsError extends Error {
  override readonly name = 'BenchArgsError';
}

function wholeNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new BenchArgsError(`--${flag} must be a positive whole number, not ${JSON.stringify(value)}`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        runs: { type: 'string' },
        suite: { type: 'string', default: 'all' },
        'throughput-runs': { type: 'string' },
        parked: { type: 'string' },
        chart: { type: 'string' },
        'risk-only': { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new BenchArgsError(err instanceof Error ? err.message : String(err));
  }
  const suite = values.suite;
  let suites: Suite[];
  if (suite === 'all') suites = [...SUITES];
  else if ((SUITES as readonly string[]).includes(suite)) suites = [suite as Suite];
  else throw new BenchArgsError(`--suite must be one of ${[...SUITES, 'all'].join(', ')}, not ${JSON.stringify(suite)}`);
  if (values.chart !== undefined && !values.chart.endsWith('.svg')) throw new BenchArgsError(`--chart must name an .svg file, not ${JSON.stringify(values.chart)}`);
  return {
    json: values.json,
    runs: wholeNumber('runs', values.runs, DEFAULT_RUNS),
    suites,
    throughputRuns: wholeNumber('throughput-runs', values['throughput-runs'], DEFAULT_THROUGHPUT_RUNS),
    parked: wholeNumber('parked', values.parked, suite === 'all' ? DEFAULT_PARKED_ALL : DEFAULT_PARKED_ALONE),
    ...(values.chart !== undefined ? { chart: values.chart } : {}),
    riskOnly: values['risk-only'],
  };
}
