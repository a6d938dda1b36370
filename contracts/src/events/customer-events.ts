import { z } from 'zod';
import { ApiKeyId, CustomerId, IsoTimestamp, Plan, Scope } from '../ids';

export const CustomerRegistered = z
  .object({
    customerId: CustomerId,
    name: z.string(),
    // Personal data: kept in a named field so per-subject encryption can reach it.
    email: z.string(),
    plan: Plan,
    registeredAt: IsoTimestamp,
  })
  .strict();

export const ApiKeyIssued = z
  .object({
    customerId: CustomerId,
    keyId: ApiKeyId,
    prefix: z.string(),
    // Keyed hash (HMAC-SHA256) of the whole key; the key itself is shown once and never stored.
    keyHash: z.string(),
    scopes: z.array(Scope).min(1),
    issuedAt: IsoTimestamp,
  })
  .strict();
