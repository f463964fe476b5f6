/**
 * A token bucket per API token: `limit` requests per minute, refilled continuously, so a burst up to the limit is
 * allowed and sustained abuse is slowed to the refill rate. In memory: one server process, one budget.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();
  private readonly refillPerMs: number;

  constructor(
    private readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.refillPerMs = limitPerMinute / 60_000;
  }

  /** Takes one request from `key`'s budget; when empty, says how many seconds until the next one is allowed. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSec: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limitPerMinute, updatedMs: now };
    bucket.tokens = Math.min(this.limitPerMinute, bucket.tokens + (now - bucket.updatedMs) * this.refillPerMs);
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1_000)) };
  }
}
