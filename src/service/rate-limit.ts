/**
 * Per-caller request rate limits for the network adapters: a token bucket per principal
 * (the token's name), so one misbehaving script cannot starve the analysts. Calls are
 * counted, not events: an Ingest stream is one call however many batches it carries
 * (batches are paced by their acks).
 *
 * @module
 */

/** Too many calls from one caller. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  readonly kind = 'rate_limited';
  constructor(
    readonly caller: string,
    /** When a call will be allowed again, ms. */
    readonly retryAfterMs: number,
  ) {
    super(`rate limit: '${caller}' made too many calls; retry in ${Math.ceil(retryAfterMs)} ms`);
  }
}

/** Options of {@link RateLimiter}. */
export interface RateLimitOptions {
  /** Sustained calls per second per caller. */
  perSecond: number;
  /** Calls a caller may make at once after being idle. */
  burst: number;
  /** Monotonic clock, ms (for tests). */
  clockMs?: () => number;
}

/** Callers remembered at most; the least recently seen are forgotten first. */
const MAX_CALLERS = 10_000;

/**
 * Token buckets keyed by caller.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ perSecond: 200, burst: 400 });
 * limiter.take(principal.name); // throws RateLimitedError when over the limit
 * ```
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly clockMs: () => number;

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.perSecond > 0 && options.burst >= 1))
      throw new RangeError(
        `rate limit ${options.perSecond}/s burst ${options.burst}: expected perSecond > 0 and burst ≥ 1`,
      );
    this.clockMs = options.clockMs ?? (() => performance.now());
  }

  /**
   * Takes one call from `caller`'s bucket.
   *
   * @throws {@link RateLimitedError} when the bucket is empty
   */
  take(caller: string): void {
    const now = this.clockMs();
    const { perSecond, burst } = this.options;
    let bucket = this.buckets.get(caller);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_CALLERS) {
        const oldest = this.buckets.keys().next().value as string;
        this.buckets.delete(oldest);
      }
      bucket = { tokens: burst, at: now };
    } else {
      this.buckets.delete(caller); // re-insert: the map's order is least recently seen first
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
    }
    this.buckets.set(caller, bucket);
    if (bucket.tokens < 1) throw new RateLimitedError(caller, ((1 - bucket.tokens) / perSecond) * 1000);
    bucket.tokens -= 1;
  }
}
