import { RUNNING_HASH_GENESIS, runningHash } from '@otp/contracts';
import type { EventStore, TenantCursor } from '@otp/platform/event-store';
import { tenantHistory } from './tenant-history';

export interface TenantHead extends TenantCursor {
  /** The running hash over the tenant's event hashes up to `sequence`. */
  head: string;
}

/** Tenants whose last head this process keeps; one more forgets the one asked about longest ago. */
const KEPT_HEADS = 10_000;

/**
 * The tenant's running hash as the store holds its history now. Computed, not kept beside the
 * events: keeping it would put a per-tenant head in every commit's transaction (SQLite) or need a
 * write across streams that EventStoreDB does not have. The head of the last pass is remembered
 * per process and extended by the events stored since, so a checkpoint reads what grew rather
 * than the whole history again (an audit:read key asking every second would otherwise make the
 * server read a million events a second). Concurrent asks for one tenant share one pass.
 *
 * A remembered head is what the stored events were when it was computed: if someone alters an
 * older event behind the service's back, checkpoints go on signing the head the history had,
 * and `/v1/audit/verify` against any of them reports the alteration, which is the point of them.
 */
export class TenantHeads {
  private readonly known = new Map<string, TenantHead>();
  private readonly passes = new Map<string, Promise<TenantHead>>();

  constructor(
    private readonly store: EventStore,
    private readonly onPage?: () => void,
  ) {}

  head(tenantId: string): Promise<TenantHead> {
    const running = this.passes.get(tenantId);
    if (running) return running;
    const pass = this.extend(tenantId).finally(() => this.passes.delete(tenantId));
    this.passes.set(tenantId, pass);
    return pass;
  }

  private async extend(tenantId: string): Promise<TenantHead> {
    let { sequence, position, head } = this.known.get(tenantId) ?? { sequence: 0, head: RUNNING_HASH_GENESIS };
    const after: TenantCursor = position === undefined ? { sequence } : { sequence, position };
    for await (const event of tenantHistory(this.store, tenantId, { after, onPage: this.onPage })) {
      head = runningHash(head, event.metadata.hash);
      sequence = event.sequence;
      position = event.position;
    }
    const reached: TenantHead = position === undefined ? { sequence, head } : { sequence, position, head };
    // Re-inserted, so the map's order is the order tenants were last asked about.
    this.known.delete(tenantId);
    this.known.set(tenantId, reached);
    if (this.known.size > KEPT_HEADS) this.known.delete(this.known.keys().next().value!);
    return reached;
  }
}
