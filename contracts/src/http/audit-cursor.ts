import { z } from 'zod';
import { IsoTimestamp } from '../ids';

/**
 * Where a page of the audit trail ended: the last entry's (occurredAt, seq), the key the audit
 * index is sorted by, so the next page starts there instead of walking what came before.
 * Opaque to clients (base64url of a JSON pair): its shape may change without breaking them.
 */
export interface AuditCursor {
  occurredAt: string;
  seq: number;
}

const CursorPair = z.tuple([IsoTimestamp, z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]);

export function encodeAuditCursor({ occurredAt, seq }: AuditCursor): string {
  return Buffer.from(JSON.stringify([occurredAt, seq])).toString('base64url');
}

function decoded(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A cursor as a query parameter: anything but one this service handed out is refused. */
const NOT_A_CURSOR = 'must be a cursor returned by a previous page';

export const AuditCursorParam = z
  .string()
  .max(128, NOT_A_CURSOR)
  .regex(/^[A-Za-z0-9_-]+$/, NOT_A_CURSOR)
  .transform((text, ctx): AuditCursor => {
    const pair = CursorPair.safeParse(decoded(text));
    if (!pair.success) {
      ctx.addIssue({ code: 'custom', message: NOT_A_CURSOR });
      return z.NEVER;
    }
    return { occurredAt: pair.data[0], seq: pair.data[1] };
  });
