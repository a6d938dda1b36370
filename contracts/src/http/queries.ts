import { z } from 'zod';
import { GRANULARITIES } from '../read-models/time-buckets';
import { AuditCursorParam } from './audit-cursor';

/** An ISO date (`2026-11-22`, midnight UTC) or a UTC timestamp (`...Z`). */
export const UtcInstant = z
  .union([z.iso.date(), z.iso.datetime({ offset: false })], {
    error: 'must be an ISO date or a UTC timestamp ending in Z',
  })
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00.000Z` : s));

/** The longest range a usage series or an analytics summary spans: a year and a bit, so year-on-year charts fit. */
export const MAX_USAGE_RANGE_DAYS = 400;

const usageRange = <T extends z.ZodType<{ from: Date; to: Date }>>(query: T) =>
  query
    .refine((q) => q.from < q.to, { message: '`to` must be after `from`', path: ['to'] })
    .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_USAGE_RANGE_DAYS * 86_400_000, {
      message: `the range spans more than ${MAX_USAGE_RANGE_DAYS} days`,
      path: ['to'],
    });

export const UsageQuery = usageRange(
  z.object({ from: UtcInstant, to: UtcInstant, granularity: z.enum(GRANULARITIES).default('day') }).strict(),
);
export type UsageQuery = z.infer<typeof UsageQuery>;

/** The summary covers the UTC days that [from, to) overlaps. */
export const AnalyticsSummaryQuery = usageRange(z.object({ from: UtcInstant, to: UtcInstant }).strict());
export type AnalyticsSummaryQuery = z.infer<typeof AnalyticsSummaryQuery>;

/** A read of the state as it was at an instant (`GET /v1/customer?asOf=`): folded from the events up to then. */
export const AsOfQuery = z.object({ asOf: UtcInstant.optional() }).strict();
export type AsOfQuery = z.infer<typeof AsOfQuery>;

/**
 * The audit trail's window, filters and page. `type` and `actor` match exactly; `order` walks the
 * window oldest (`asc`) or newest (`desc`) first, and a cursor continues in the order asked.
 */
export const AuditQuery = z
  .object({
    from: UtcInstant.optional(),
    to: UtcInstant.optional(),
    type: z.string().min(1).max(64).optional(),
    actor: z.string().min(1).max(160).optional(),
    cursor: AuditCursorParam.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '`from` must be before `to`', path: ['to'] });
export type AuditQuery = z.infer<typeof AuditQuery>;

/**
 * The operator's customer list, in id order (keyset pagination: the cursor is
 * the last id of the page before, which the status and email indexes end with). The email is
 * matched exactly as registered (an internationalised domain in its ASCII form).
 */
export const AdminCustomersQuery = z
  .object({
    status: z.enum(['active', 'suspended', 'cancelled']).optional(),
    email: z.string().trim().min(3).max(254).optional(),
    cursor: z
      .string()
      .regex(/^cus_[0-9a-f]{16}$/, 'must be a cursor returned by a previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type AdminCustomersQuery = z.infer<typeof AdminCustomersQuery>;
