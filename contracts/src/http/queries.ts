import { z } from 'zod';

/** An ISO date (`2026-11-22`, midnight UTC) or a UTC timestamp (`...Z`). */
export const UtcInstant = z
  .union([z.iso.date(), z.iso.datetime({ offset: false })], {
    error: 'must be an ISO date or a UTC timestamp ending in Z',
  })
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00.000Z` : s));

export const UsageQuery = z
  .object({ from: UtcInstant, to: UtcInstant, granularity: z.enum(['hour', 'day']).default('day') })
  .strict()
  .refine((q) => q.from < q.to, { message: '`from` must be before `to`', path: ['to'] });
export type UsageQuery = z.infer<typeof UsageQuery>;

export const AuditQuery = z
  .object({
    from: UtcInstant.optional(),
    to: UtcInstant.optional(),
    // A position; 15 digits keep it a safe integer (a longer one would become Infinity).
    cursor: z
      .string()
      .regex(/^[0-9]{1,15}$/, 'must be a cursor returned by a previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;
