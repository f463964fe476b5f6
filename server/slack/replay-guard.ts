/**
 * Remembers signatures of accepted Slack requests for the signature window, so a replayed request (same body,
 * same timestamp, same signature) is acknowledged without acting twice.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time a signature is seen within the window. */
  firstSeen(signature: string): boolean {
    const now = this.now();
    for (const [key, at] of this.seen) if (now - at > this.windowMs) this.seen.delete(key);
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, now);
    return true;
  }
}
