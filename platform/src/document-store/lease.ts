/**
 * A lease in the read-model store: at most one holder at a time, for `ttlMs` after its last
 * renewal, each new holder with a larger fencing token. The projection service takes one so
 * that a standby instance can take over from a dead one (docs/distributed.md).
 *
 * Expiry compares the holders' clocks (Date.now), so hosts must keep them in step to within a
 * fraction of the TTL; the fence, not the clock, is what keeps a late writer out.
 */
export interface LeaseStore {
  /**
   * Renews the lease when `owner` holds it, takes it when it is free or expired; answers the
   * fencing token it is held with, or undefined while another owner holds it.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<number | undefined>;
  /** Lets the lease go at once (a clean stop), so a standby need not wait out the TTL. */
  releaseLease(name: string, owner: string): Promise<void>;
  /**
   * From now on, refuses a batch for this checkpoint whose fence is below `token`: a holder
   * raises it before it reads the checkpoint, so a paused former holder cannot commit after it.
   */
  raiseFence(checkpointName: string, token: number): Promise<void>;
}

/** A batch fenced with a token below the checkpoint's fence: its writer lost the lease. */
export class FencedOutError extends Error {
  override readonly name = 'FencedOutError';
}
