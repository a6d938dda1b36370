import { collections, encodeAuditCursor, type AuditCursor, type AuditEntryDocument, type AuditQuery } from '@otp/contracts';
import type { Condition, DocumentStore } from '@otp/platform/document-store';

type Direction = AuditQuery['order'];
type Bounds = { $gt?: string; $gte?: string; $lt?: string; $lte?: string };

/**
 * One page of a tenant's audit trail, read by keyset over the (tenantId, occurredAt, seq, _id)
 * index: after a cursor, first the rest of the cursor's instant (same time, later sequence),
 * then what comes after that instant. Each read is a range of the index, so a window late in a
 * long history reads the window, never the history before it. The adapters cannot compare a pair
 * of fields at once; two ranges of one field each can.
 */
export async function auditPage(
  documents: Pick<DocumentStore, 'find'>,
  tenantId: string,
  query: AuditQuery,
): Promise<{ items: Omit<AuditEntryDocument, '_id'>[]; nextCursor: string | null }> {
  const window = { from: query.from?.toISOString(), to: query.to?.toISOString() };
  const filters: Record<string, Condition> = {
    tenantId,
    ...(query.type ? { type: query.type } : {}),
    ...(query.actor ? { actor: query.actor } : {}),
  };
  const dir = query.order;
  // One more than asked tells whether there is a next page without a count query.
  const wanted = query.limit + 1;
  const rows: AuditEntryDocument[] = [];
  const { cursor } = query;
  if (cursor && inWindow(cursor.occurredAt, window)) {
    rows.push(
      ...(await documents.find<AuditEntryDocument>(collections.audit, {
        where: { ...filters, occurredAt: cursor.occurredAt, seq: dir === 'asc' ? { $gt: cursor.seq } : { $lt: cursor.seq } },
        // Not by occurredAt, which the equality fixes: SQLite sorts again when the order names it.
        orderBy: [
          ['seq', dir],
          ['_id', dir],
        ],
        limit: wanted,
      })),
    );
  }
  const occurredAt = timeRange(window, cursor, dir);
  if (rows.length < wanted && occurredAt) {
    rows.push(
      ...(await documents.find<AuditEntryDocument>(collections.audit, {
        where: { ...filters, ...(Object.keys(occurredAt).length > 0 ? { occurredAt } : {}) },
        orderBy: [
          ['occurredAt', dir],
          ['seq', dir],
          ['_id', dir],
        ],
        limit: wanted - rows.length,
      })),
    );
  }
  const items = rows.slice(0, query.limit).map(({ _id, ...entry }) => entry);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? encodeAuditCursor(last satisfies AuditCursor) : null };
}

function inWindow(at: string, { from, to }: { from: string | undefined; to: string | undefined }): boolean {
  return (from === undefined || at >= from) && (to === undefined || at < to);
}

/** The instants after the cursor's (before it, newest first) within the window; undefined when none can be. */
function timeRange(
  { from, to }: { from: string | undefined; to: string | undefined },
  cursor: AuditCursor | undefined,
  dir: Direction,
): Bounds | undefined {
  const bounds: Bounds = {};
  if (from !== undefined) bounds.$gte = from;
  if (to !== undefined) bounds.$lt = to;
  if (!cursor) return bounds;
  if (dir === 'asc') {
    if (to !== undefined && cursor.occurredAt >= to) return undefined;
    bounds.$gt = cursor.occurredAt;
    return bounds;
  }
  if (from !== undefined && cursor.occurredAt <= from) return undefined;
  // Both are upper bounds; the tighter one is the one that counts.
  if (to === undefined || cursor.occurredAt < to) bounds.$lt = cursor.occurredAt;
  return bounds;
}
