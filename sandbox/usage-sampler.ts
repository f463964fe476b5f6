import type Docker from 'dockerode';

/** Cgroup v1 figures from the engine's stats endpoint (the fields this module reads). */
interface StatsSample {
  memory_stats?: { usage?: number; max_usage?: number; limit?: number };
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  pids_stats?: { current?: number; limit?: number };
}

/** What the samples add up to. Null fields: the engine never answered with that figure. */
export interface SampledUsage {
  cpuMs: number | null;
  peakMemoryBytes: number | null;
  /** The memory high-water mark reached the cgroup's limit (the engine does not pass on the failure counter). */
  memoryLimitReached: boolean;
  /** The pids cgroup was full at a sample. */
  pidsLimitReached: boolean;
}

const SAMPLE_INTERVAL_MS = 1_000;
const PAGE_BYTES = 4096;

/**
 * Samples a running container's cgroup through the engine (`stats`, one-shot), so it works for every runtime and for
 * a remote engine. CPU time and the memory high-water mark are cumulative in the cgroup, so the final sample, taken
 * after the code ended but before the container is removed, is exact; the periodic samples only cover a container
 * that dies first (gVisor ends the whole sandbox on out-of-memory) and the pids count, which is not cumulative.
 */
export class UsageSampler {
  private cpuNs: number | undefined;
  private peakMemory: number | undefined;
  private memoryLimit: number | undefined;
  private pidsFull = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly container: Docker.Container) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Takes one sample now (errors ignored: a container that is gone has nothing more to say). */
  sample(): Promise<void> {
    this.inFlight = this.inFlight.then(async () => {
      try {
        const stats = (await this.container.stats({ stream: false, 'one-shot': true } as { stream: false })) as StatsSample;
        this.record(stats);
      } catch {
        // the container ended; keep what the earlier samples saw
      }
    });
    return this.inFlight;
  }

  private record(stats: StatsSample): void {
    const cpu = stats.cpu_stats?.cpu_usage?.total_usage;
    if (typeof cpu === 'number' && cpu > 0) this.cpuNs = Math.max(this.cpuNs ?? 0, cpu);
    const memory = stats.memory_stats;
    const peak = Math.max(memory?.max_usage ?? 0, memory?.usage ?? 0);
    if (peak > 0) this.peakMemory = Math.max(this.peakMemory ?? 0, peak);
    if (memory?.limit) this.memoryLimit = memory.limit;
    const pids = stats.pids_stats;
    if (pids?.limit && pids.current !== undefined && pids.current >= pids.limit) this.pidsFull = true;
  }

  /** Stops sampling and returns the totals. */
  async stop(): Promise<SampledUsage> {
    clearInterval(this.timer);
    await this.inFlight;
    return {
      cpuMs: this.cpuNs === undefined ? null : Math.round(this.cpuNs / 1e6),
      peakMemoryBytes: this.peakMemory ?? null,
      memoryLimitReached:
        this.memoryLimit !== undefined && this.peakMemory !== undefined && this.peakMemory >= this.memoryLimit - PAGE_BYTES,
      pidsLimitReached: this.pidsFull,
    };
  }
}
