import type { EventStore, TenantCursor, TenantEvent } from '@otp/platform/event-store';

/** Events per read of the store: a page is all the export holds in memory at once. */
export const HISTORY_PAGE_SIZE = 1000;

export interface TenantHistoryOptions {
  /** The tenant's sequence number to start after (0: from its first event), with that event's position when known. */
  after?: number | TenantCursor;
  /** The last sequence number to read, inclusive. */
  until?: number;
  pageSize?: number;
  /** Told after each page read from the store (the export's pages metric). */
  onPage?: () => void;
}

/**
 * A tenant's events in global order, read a page at a time as the consumer asks: a page is
 * read only once the one before was taken, so a consumer that waits (a client that stops
 * reading) leaves the store unread. Each page resumes from the last event's position too,
 * for adapters that number the tenant's events by counting.
 */
export async function* tenantHistory(store: EventStore, tenantId: string, options: TenantHistoryOptions = {}): AsyncGenerator<TenantEvent> {
  const { until, pageSize = HISTORY_PAGE_SIZE, onPage } = options;
  let cursor: TenantCursor = typeof options.after === 'object' ? options.after : { sequence: options.after ?? 0 };
  for (;;) {
    const wanted = until === undefined ? pageSize : Math.min(pageSize, until - cursor.sequence);
    if (wanted <= 0) return;
    const page = await store.readTenant(tenantId, { after: cursor, maxCount: wanted });
    onPage?.();
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < wanted) return;
    cursor = { sequence: last.sequence, position: last.position };
  }
}
