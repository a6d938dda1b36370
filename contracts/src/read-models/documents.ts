import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiKeyId, ApiKeyKind, ChallengeId, CustomerId, IsoTimestamp, Plan, Scope } from '../ids';
import { GRANULARITIES } from './time-buckets';

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
  // Absent in documents projected before publishable keys: the view answers 'secret' for those.
  kind: ApiKeyKind.optional(),
});
export type ApiKeySummary = z.infer<typeof ApiKeySummary>;

/** A sending domain and the TXT record that proves it (the record is public: anyone can read DNS). */
export const DomainSummary = z.object({
  domain: z.string(),
  status: z.enum(['pending', 'verified']),
  record: z.object({ type: z.literal('TXT'), name: z.string(), value: z.string() }),
  addedAt: IsoTimestamp,
  verifiedAt: IsoTimestamp.optional(),
});
export type DomainSummary = z.infer<typeof DomainSummary>;

export const CustomerDocument = z.object({
  _id: CustomerId,
  id: CustomerId,
  name: z.string(),
  email: z.string(),
  // Set by the tenant (PATCH /v1/customer); absent for a customer that never did.
  companyName: z.string().optional(),
  contactEmail: z.string().optional(),
  plan: Plan,
  status: z.enum(['active', 'suspended', 'cancelled']),
  statusReason: z.string().optional(),
  registeredAt: IsoTimestamp,
  apiKeys: z.record(ApiKeyId, ApiKeySummary),
  // By domain name; absent in documents projected before sending domains.
  domains: z.record(z.string(), DomainSummary).optional(),
  /** The operator's OTP quotas where set (null in a window: the plan's); absent until the first change. */
  quotaOverride: z.object({ daily: z.number().int().nullable(), monthly: z.number().int().nullable() }).optional(),
});
export type CustomerDocument = z.infer<typeof CustomerDocument>;

/**
 * What a tenant's usage buckets count, each an event of the kind in the bucket's UTC hour, day
 * or month (docs/decisions.md, "Usage counters", says why each counts what it does).
 */
export const UsageCounters = z.object({
  otpRequested: z.number().int(),
  otpVerified: z.number().int(),
  /** Failed verify attempts, whatever the reason. */
  otpFailed: z.number().int(),
  /** Challenges locked by too many wrong codes. */
  otpLocked: z.number().int(),
  emailsSent: z.number().int(),
  emailsFailed: z.number().int(),
  usersCreated: z.number().int(),
  logins: z.number().int(),
  /**
   * Windows in which a rate limit refused requests (OtpRateLimitExceeded per email and hour,
   * RateLimitExceeded per key or address and window): each is recorded once per window and
   * limited key, however many requests it refused, so this counts floods, not refused requests.
   */
  rateLimited: z.number().int(),
  /** Quota windows (day, month) in which the quota refused requests, once each. */
  quotaExceeded: z.number().int(),
  /** Distinct users who logged in within the bucket, exactly. */
  uniqueUsers: z.number().int(),
});
export type UsageCounters = z.infer<typeof UsageCounters>;
export const USAGE_COUNTERS = Object.keys(UsageCounters.shape) as (keyof UsageCounters)[];

export const UsageBucketDocument = UsageCounters.extend({
  _id: z.string(),
  tenantId: CustomerId,
  granularity: z.enum(GRANULARITIES),
  start: IsoTimestamp,
});
export type UsageBucketDocument = z.infer<typeof UsageBucketDocument>;

/** A user seen logging in within one bucket: its first insert counts the bucket's `uniqueUsers`. Id: `<bucket id>:<user id>`. */
export const UsageLoginMarkerDocument = z.object({ _id: z.string() });
export type UsageLoginMarkerDocument = z.infer<typeof UsageLoginMarkerDocument>;

/**
 * When an open challenge's code was requested, so its verification can tell how long it took;
 * gone once verified or locked, or pruned a while after `expiresAt` (the code's own expiry).
 */
export const UsageChallengeDocument = z.object({
  _id: ChallengeId,
  tenantId: CustomerId,
  requestedAt: IsoTimestamp,
  expiresAt: IsoTimestamp,
});
export type UsageChallengeDocument = z.infer<typeof UsageChallengeDocument>;

/**
 * A tenant's verifications of one UTC day, for the analytics summary: how long each took from
 * the code request (a histogram, `../read-models/duration-bins`) and why the failed ones failed.
 */
export const VerifyStatsDocument = z.object({
  _id: z.string(),
  tenantId: CustomerId,
  day: IsoTimestamp,
  /** Bin name (`b<index>`) to the verifications whose time fell in it. */
  durations: z.record(z.string(), z.number().int()).optional(),
  /** `OtpVerificationFailed.reason` to its count. */
  failures: z.record(z.string(), z.number().int()).optional(),
});
export type VerifyStatsDocument = z.infer<typeof VerifyStatsDocument>;

export const AuditEntryDocument = z.object({
  /** `auditEntryId(tenantId, seq)`: ids in the order entries are written, so a rebuild appends to the table instead of inserting at random. */
  _id: z.string(),
  eventId: z.string(),
  tenantId: z.string(),
  /**
   * The tenant's own sequence number: the 1-based index of the event among the events whose
   * metadata.tenantId is the tenant, in global position order. Global positions stay out: they
   * would tell a tenant how much every other tenant wrote.
   */
  seq: z.number().int().positive(),
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

/** Zero-padded so ids sort as the tenant's sequence does. */
export const auditEntryId = (tenantId: string, seq: number): string => `${tenantId}:${String(seq).padStart(15, '0')}`;

/**
 * How far the audit projector has numbered a tenant's events: the last `seq` given and the global
 * position of the event that got it, so an event delivered again is recognised and not numbered twice.
 */
export const AuditSequenceDocument = z.object({
  _id: z.string(),
  seq: z.number().int().nonnegative(),
  position: z.number().int().nonnegative(),
});
export type AuditSequenceDocument = z.infer<typeof AuditSequenceDocument>;

export const collections = {
  customers: 'customers',
  usage: 'usage',
  usageLogins: 'usageLogins',
  usageChallenges: 'usageChallenges',
  verifyStats: 'verifyStats',
  audit: 'audit',
  auditSequences: 'auditSequences',
} as const;

/**
 * Where a sending domain sits in a customer document's `domains` map: a hash, since a domain's
 * dots would be paths to both adapters (a field path segment must be a plain identifier); each
 * entry holds the name itself.
 */
export const domainDocumentKey = (domain: string): string => `d_${createHash('sha256').update(domain).digest('hex').slice(0, 40)}`;
