import { Refusal } from '../handling/refusal';

/** What a second pass is told to wait: long enough for a pass over a large history to end. */
const RETRY_AFTER_SECONDS = 2;

/**
 * At most one full pass over a tenant's history at a time, per process. A verification reads
 * every event the tenant ever stored; the per-key rate limit still lets a key ask many times a
 * second, and each ask would start another pass beside the ones still running.
 */
export class OnePassPerTenant {
  private readonly running = new Set<string>();

  async run<T>(tenantId: string, pass: () => Promise<T>): Promise<T> {
    if (this.running.has(tenantId)) {
      throw new Refusal('history_pass_running', 'a verification of this history is running: ask again when it is done', {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      });
    }
    this.running.add(tenantId);
    try {
      return await pass();
    } finally {
      this.running.delete(tenantId);
    }
  }
}
