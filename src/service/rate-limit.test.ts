import { describe, expect, it } from 'vitest';
import { RateLimitedError, RateLimiter } from './rate-limit';

describe('RateLimiter', () => {
  it('allows a burst, then the sustained rate, per caller', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 10, burst: 3, clockMs: () => now });
    for (let i = 0; i < 3; i++) limiter.take('alice');
    expect(() => limiter.take('alice')).toThrow(RateLimitedError);
    limiter.take('bob'); // another caller has its own bucket
    now += 100; // one token back at 10/s
    limiter.take('alice');
    let error: unknown;
    try {
      limiter.take('alice');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeCloseTo(100, 5);
    expect((error as Error).message).toMatch(/'alice' made too many calls; retry in 100 ms/);
  });

  it('never holds more than the burst, however long a caller was idle', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 1000, burst: 2, clockMs: () => now });
    now += 60_000;
    limiter.take('c');
    limiter.take('c');
    expect(() => limiter.take('c')).toThrow(RateLimitedError);
  });

  it('rejects a meaningless configuration', () => {
    expect(() => new RateLimiter({ perSecond: 0, burst: 1 })).toThrow(RangeError);
  });
});
