/** Delays for retrying or restarting something that keeps failing: doubling from `initialMs`, capped at `maxMs`. */
export interface BackoffDelays {
  initialMs: number;
  maxMs: number;
}

/**
 * Counts consecutive failures and turns them into the next delay. Whoever owns it
 * calls `reset()` on proof that the way through works again (a commit, a thread
 * that reached live), so one old failure never slows the next recovery.
 */
export class Backoff {
  private failures = 0;

  constructor(private readonly delays: BackoffDelays) {}

  /** The delay before the next attempt, counting this failure. */
  next(): number {
    const delay = Math.min(this.delays.initialMs * 2 ** this.failures, this.delays.maxMs);
    this.failures += 1;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
