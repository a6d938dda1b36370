import { z } from 'zod';
import { ApiKeyId, ApiKeyKind, CustomerId, IsoTimestamp, Plan, Scope } from '../ids';

export const CustomerRegistered = z
  .object({
    customerId: CustomerId,
    name: z.string(),
    // Personal data: kept in a named field so per-subject encryption can reach it.
    email: z.string(),
    plan: Plan,
    registeredAt: IsoTimestamp,
    // Given at self-service signup; absent on the operator's registrations and on events before it existed.
    companyName: z.string().optional(),
  })
  .strict();

/** What the tenant calls a key (which app holds it); optional, so keys issued before names existed still parse. */
export const ApiKeyName = z.string().trim().min(1).max(100);

export const ApiKeyIssued = z
  .object({
    customerId: CustomerId,
    keyId: ApiKeyId,
    prefix: z.string(),
    // Keyed hash (HMAC-SHA256) of the whole key; the key itself is shown once and never stored.
    keyHash: z.string(),
    scopes: z.array(Scope).min(1),
    issuedAt: IsoTimestamp,
    name: ApiKeyName.optional(),
    // Version 2: every key says its kind. Version 1 had none (every key was secret), then an
    // optional one; the upcaster in ./registry.ts fills it, so readers never guess.
    kind: ApiKeyKind,
  })
  .strict();

/**
 * A key replaced by a new one with the same scopes and name. The old key stays
 * valid until `graceEndsAt` (the apps holding it move over meanwhile); the end
 * is in the event, so every instance stops accepting it at the same instant,
 * decided from the request's time, with no timer.
 */
export const ApiKeyRotated = z
  .object({
    customerId: CustomerId,
    keyId: ApiKeyId,
    newKeyId: ApiKeyId,
    prefix: z.string(),
    keyHash: z.string(),
    // The old key's, copied so the new key's read-model entry is made from this event alone.
    scopes: z.array(Scope).min(1),
    name: ApiKeyName.optional(),
    // The old key's too (absent: secret): a publishable key's heir is publishable.
    kind: ApiKeyKind.optional(),
    rotatedAt: IsoTimestamp,
    graceEndsAt: IsoTimestamp,
  })
  .strict();

/** A key stops working at once, whether active or in its grace after a rotation. */
export const ApiKeyRevoked = z.object({ customerId: CustomerId, keyId: ApiKeyId, revokedAt: IsoTimestamp }).strict();

/** Why the operator changed a customer's status: shown to the operator, kept for the audit. */
export const StatusReason = z.string().trim().min(1).max(500);

export const CustomerSuspended = z.object({ customerId: CustomerId, reason: StatusReason, suspendedAt: IsoTimestamp }).strict();
export const CustomerActivated = z.object({ customerId: CustomerId, reason: StatusReason, activatedAt: IsoTimestamp }).strict();
/** Final: a cancelled customer is never activated again (its history stays for the audit). */
export const CustomerCancelled = z.object({ customerId: CustomerId, reason: StatusReason, cancelledAt: IsoTimestamp }).strict();
/**
 * The tenant changed its own account details; only the fields it sent are here. `email` on
 * CustomerRegistered stays the address the account was opened with; `contactEmail` is where the
 * tenant wants to be reached now.
 */
export const CustomerProfileChanged = z
  .object({
    customerId: CustomerId,
    name: z.string().optional(),
    companyName: z.string().optional(),
    // Personal data: kept in a named field so per-subject encryption can reach it.
    contactEmail: z.string().optional(),
    changedAt: IsoTimestamp,
  })
  .strict();

export const CustomerPlanChanged = z.object({ customerId: CustomerId, plan: Plan, previousPlan: Plan, changedAt: IsoTimestamp }).strict();

/** An OTP quota, or null for the plan's own. */
export const QuotaOverride = z.number().int().min(0).nullable();

/** The operator set a customer's OTP quotas above (or below) its plan's; null returns a window to the plan's. */
export const CustomerQuotasChanged = z
  .object({ customerId: CustomerId, daily: QuotaOverride, monthly: QuotaOverride, changedAt: IsoTimestamp })
  .strict();

/**
 * A key let a request in during the minute starting at `minute`: at most one per key per
 * minute, on a stream of its own (`keyuse-<customer>`), so busy keys never crowd the
 * customer stream every key check folds.
 */
export const ApiKeyUsed = z.object({ customerId: CustomerId, keyId: ApiKeyId, minute: IsoTimestamp }).strict();
