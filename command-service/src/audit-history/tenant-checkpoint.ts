import { RUNNING_HASH_GENESIS, runningHash } from '@otp/contracts';
import type { EventStore } from '@otp/platform/event-store';
import { tenantHistory, type TenantHistoryOptions } from './tenant-history';

/**
 * The tenant's running hash as the store holds its history now: computed when asked, by
 * folding every stored event hash, rather than kept beside the events. Keeping it would put
 * a per-tenant head in every commit's transaction (SQLite) or need a write across streams
 * that EventStoreDB does not have; reading it costs one pass over the tenant's hashes, which
 * a checkpoint (taken now and then by an auditor) can afford.
 */
export async function tenantHead(
  store: EventStore,
  tenantId: string,
  options: Pick<TenantHistoryOptions, 'onPage'> = {},
): Promise<{ sequence: number; head: string }> {
  let head = RUNNING_HASH_GENESIS;
  let sequence = 0;
  for await (const event of tenantHistory(store, tenantId, options)) {
    head = runningHash(head, event.metadata.hash);
    sequence = event.sequence;
  }
  return { sequence, head };
}
