/** What a limit says about one request, in the terms of the RateLimit-* headers (IETF draft). */
export interface LimitDecision {
  allowed: boolean;
  /** The bucket's size: requests allowed in a burst. */
  limit: number;
  /** Whole requests left after this one. */
  remaining: number;
  /** Seconds until the bucket is full again (RateLimit-Reset). */
  resetSeconds: number;
  /** When refused: seconds until one request is allowed again (Retry-After). */
  retryAfterSeconds: number;
}

export interface TokenBucketRate {
  /** Burst size. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Its own rate: one map holds buckets of several limits, and each is full by its own measure. */
  rate: TokenBucketRate;
}

/**
 * In-memory token buckets, one per key (an API key id, a client address):
 * held per process, so in distributed mode each instance allows the full rate
 * on its own (documented). Idle buckets are full by definition and are
 * dropped once the map passes `maxKeys`, so memory stays bounded under a
 * flood of distinct keys.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly maxKeys = 100_000) {}

  take(key: string, rate: TokenBucketRate, now: number): LimitDecision {
    const { capacity, refillPerSecond } = rate;
    const previous = this.buckets.get(key);
    const refilled = previous ? Math.min(capacity, previous.tokens + ((now - previous.at) / 1000) * refillPerSecond) : capacity;
    const allowed = refilled >= 1;
    const tokens = allowed ? refilled - 1 : refilled;
    if (!previous && this.buckets.size >= this.maxKeys) this.dropFull(now);
    this.buckets.set(key, { tokens, at: now, rate });
    return {
      allowed,
      limit: capacity,
      remaining: Math.floor(tokens),
      resetSeconds: Math.ceil((capacity - tokens) / refillPerSecond),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / refillPerSecond)),
    };
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Buckets that have refilled are the same as no bucket: forget them (the oldest first, the map keeps insertion order). */
  private dropFull(now: number): void {
    for (const [key, { tokens, at, rate }] of this.buckets) {
      if (tokens + ((now - at) / 1000) * rate.refillPerSecond >= rate.capacity) this.buckets.delete(key);
    }
    // Still full of live buckets: drop the oldest, which costs a flooder its own history, not anyone's limit below capacity.
    if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
  }
}
