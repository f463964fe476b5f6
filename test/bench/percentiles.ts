/** Nearest-rank percentile of a sample (p in 0..100); the sample need not be sorted. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of an empty sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface BenchSummary {
  runs: number;
  airlockP50Ms: number;
  airlockP95Ms: number;
  dockerRunP50Ms: number;
  dockerRunP95Ms: number;
  ratioP50: number;
}

export function summarize(airlockMs: readonly number[], dockerRunMs: readonly number[]): BenchSummary {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const airlockP50 = percentile(airlockMs, 50);
  const dockerP50 = percentile(dockerRunMs, 50);
  return {
    runs: airlockMs.length,
    airlockP50Ms: round(airlockP50),
    airlockP95Ms: round(percentile(airlockMs, 95)),
    dockerRunP50Ms: round(dockerP50),
    dockerRunP95Ms: round(percentile(dockerRunMs, 95)),
    ratioP50: Math.round((airlockP50 / dockerP50) * 100) / 100,
  };
}
