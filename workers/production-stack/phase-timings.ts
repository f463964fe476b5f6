/** Wall-clock time of each phase, for the closing line CI logs keep (where the time of a slow run went). */
export class PhaseTimings {
  private readonly started: number;
  private readonly phases: Array<{ name: string; ms: number }> = [];

  constructor(
    private readonly onProgress: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  async time<T>(name: string, step: () => Promise<T>): Promise<T> {
    const started = this.now();
    try {
      return await step();
    } catch (err) {
      this.onProgress(`${name}: failed after ${seconds(this.now() - started)}`);
      throw err;
    } finally {
      this.phases.push({ name, ms: this.now() - started });
    }
  }

  total(): string {
    return seconds(this.now() - this.started);
  }

  summary(): string {
    return `${this.phases.map((phase) => `${phase.name} ${seconds(phase.ms)}`).join(', ')}; total ${this.total()}`;
  }
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
