/** How failed credentials from one address are slowed down. */
export interface FailedCredentialPolicy {
  /** Failures allowed before any delay: a client with a typo in its config is not locked out at once. */
  freeFailures: number;
  /** The first delay; each failure after it doubles the delay. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** An address with no failure for this long starts over. */
  forgetAfterMs: number;
}

export const DEFAULT_FAILED_CREDENTIAL_POLICY: FailedCredentialPolicy = {
  freeFailures: 10,
  firstDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

interface Record {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

/**
 * Failed credentials (unknown or invalid API keys, wrong operator tokens)
 * counted per client address, with delays that double past the free ones. A
 * success does not reset the count: a caller holding one valid key cannot
 * use it to wipe the record of its guesses at others, and a success from one
 * address never touches another's. In memory, per process, and bounded: past
 * `maxAddresses` the oldest record goes, which frees only a flooder of many
 * addresses from its own oldest history.
 */
export class FailedCredentials {
  private readonly records = new Map<string, Record>();

  constructor(
    private readonly policy: FailedCredentialPolicy = DEFAULT_FAILED_CREDENTIAL_POLICY,
    private readonly maxAddresses = 100_000,
  ) {}

  /** Seconds the address must still wait before its next credential is even looked at; 0 when it may try. */
  retryAfterSeconds(address: string, now: number): number {
    const record = this.current(address, now);
    return record && record.blockedUntil > now ? Math.ceil((record.blockedUntil - now) / 1000) : 0;
  }

  /** Counts a failure; answers the delay it starts (0 while the address is within its free failures). */
  fail(address: string, now: number): number {
    const previous = this.current(address, now);
    const failures = (previous?.failures ?? 0) + 1;
    const over = failures - this.policy.freeFailures;
    const delayMs = over <= 0 ? 0 : Math.min(this.policy.maxDelayMs, this.policy.firstDelayMs * 2 ** Math.min(over - 1, 30));
    // Re-inserted so the map's order is the order of last failure: the oldest is first to go.
    this.records.delete(address);
    if (this.records.size >= this.maxAddresses) {
      const oldest = this.records.keys().next();
      if (!oldest.done) this.records.delete(oldest.value);
    }
    this.records.set(address, { failures, lastFailureAt: now, blockedUntil: now + delayMs });
    return Math.ceil(delayMs / 1000);
  }

  get size(): number {
    return this.records.size;
  }

  private current(address: string, now: number): Record | undefined {
    const record = this.records.get(address);
    if (record && now - record.lastFailureAt >= this.policy.forgetAfterMs && now >= record.blockedUntil) {
      this.records.delete(address);
      return undefined;
    }
    return record;
  }
}
