import { z } from 'zod';
import { CustomerId, IsoTimestamp } from '../ids';

/**
 * A request-rate limit refused requests during the window starting at
 * `windowStart`: recorded once per window per limited key, not per request.
 * `subject` is what was limited, never a secret or a raw address: an API key
 * id, or a keyed hash of a client address.
 */
export const RateLimitExceeded = z
  .object({
    customerId: CustomerId,
    limit: z.enum(['api_key', 'client_address']),
    subject: z.string().min(1).max(100),
    windowStart: IsoTimestamp,
    retryAt: IsoTimestamp,
  })
  .strict();

/** A tenant's daily or monthly OTP quota refused a request: once per quota window. */
export const QuotaExceeded = z
  .object({
    customerId: CustomerId,
    window: z.enum(['daily', 'monthly']),
    quota: z.number().int().min(0),
    windowStart: IsoTimestamp,
    resetAt: IsoTimestamp,
  })
  .strict();
