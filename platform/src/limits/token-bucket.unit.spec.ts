import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './token-bucket';

const rate = { capacity: 3, refillPerSecond: 1 };

describe('token buckets', () => {
  it('allows a burst of its capacity, then refuses with the wait until one token is back', () => {
    const buckets = new TokenBuckets();
    const decisions = [0, 0, 0, 0].map(() => buckets.take('k', rate, 1_000));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
    expect(decisions[3]).toMatchObject({ limit: 3, retryAfterSeconds: 1, resetSeconds: 3 });
  });

  it('refills with time, never past its capacity', () => {
    const buckets = new TokenBuckets();
    for (let i = 0; i < 3; i++) buckets.take('k', rate, 0);
    expect(buckets.take('k', rate, 1_500)).toMatchObject({ allowed: true, remaining: 0 });
    expect(buckets.take('k', rate, 60_000)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('keeps keys apart', () => {
    const buckets = new TokenBuckets();
    for (let i = 0; i < 3; i++) buckets.take('a', rate, 0);
    expect(buckets.take('a', rate, 0).allowed).toBe(false);
    expect(buckets.take('b', rate, 0).allowed).toBe(true);
  });

  it('stays within its key limit under a flood of distinct keys', () => {
    const buckets = new TokenBuckets(100);
    for (let i = 0; i < 1_000; i++) buckets.take(`k${i}`, rate, i);
    expect(buckets.size).toBeLessThanOrEqual(100);
  });

  it("makes room by each idle bucket's own rate, so a slow limit's empty bucket is not taken for full under a fast one's", () => {
    const buckets = new TokenBuckets(2);
    const slow = { capacity: 3, refillPerSecond: 1 / 3600 };
    const fast = { capacity: 1, refillPerSecond: 1 };
    for (let i = 0; i < 3; i++) buckets.take('slow', slow, 0);
    buckets.take('fast', fast, 0);
    buckets.take('new', fast, 5_000);
    expect(buckets.take('slow', slow, 5_000).allowed).toBe(false);
  });
});
