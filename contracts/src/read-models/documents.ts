import { z } from 'zod';
import { ApiKeyId, CustomerId, IsoTimestamp, Plan, Scope } from '../ids';

/** What is public about an API key: never its hash. */
export const ApiKeySummary = z.object({
  id: ApiKeyId,
  prefix: z.string(),
  scopes: z.array(Scope),
  // 'expired' is never stored: the view tells a rotated key past its grace end from one inside it.
  status: z.enum(['active', 'rotated', 'expired', 'revoked']),
  issuedAt: IsoTimestamp,
  name: z.string().optional(),
  graceEndsAt: IsoTimestamp.optional(),
  revokedAt: IsoTimestamp.optional(),
  /** To the minute: recorded at most once a minute per key. */
  lastUsedAt: IsoTimestamp.optional(),
});
export type ApiKeySummary = z.infer<typeof ApiKeySummary>;

export const CustomerDocument = z.object({
  _id: CustomerId,
  id: CustomerId,
  name: z.string(),
  email: z.string(),
  plan: Plan,
  status: z.enum(['active', 'suspended', 'cancelled']),
  statusReason: z.string().optional(),
  registeredAt: IsoTimestamp,
  apiKeys: z.record(ApiKeyId, ApiKeySummary),
  /** The operator's OTP quotas where set (null in a window: the plan's); absent until the first change. */
  quotaOverride: z.object({ daily: z.number().int().nullable(), monthly: z.number().int().nullable() }).optional(),
});
export type CustomerDocument = z.infer<typeof CustomerDocument>;

export const UsageCounters = z.object({
  otpRequested: z.number().int(),
  otpVerified: z.number().int(),
  otpFailed: z.number().int(),
  usersCreated: z.number().int(),
  logins: z.number().int(),
});
export type UsageCounters = z.infer<typeof UsageCounters>;
export const USAGE_COUNTERS = Object.keys(UsageCounters.shape) as (keyof UsageCounters)[];

export const UsageBucketDocument = UsageCounters.extend({
  _id: z.string(),
  tenantId: CustomerId,
  granularity: z.enum(['hour', 'day']),
  start: IsoTimestamp,
});
export type UsageBucketDocument = z.infer<typeof UsageBucketDocument>;

export const AuditEntryDocument = z.object({
  _id: z.string(),
  eventId: z.string(),
  tenantId: z.string(),
  // Global position in the event store: the audit order and the page cursor.
  position: z.number().int(),
  occurredAt: IsoTimestamp,
  type: z.string(),
  actor: z.string(),
  target: z.string(),
  outcome: z.enum(['success', 'failure']),
  clientIp: z.string().optional(),
  userAgent: z.string().optional(),
  requestId: z.string(),
  hash: z.string(),
});
export type AuditEntryDocument = z.infer<typeof AuditEntryDocument>;

export const collections = { customers: 'customers', usage: 'usage', audit: 'audit' } as const;
