import {
  binField,
  bucketStart,
  categoryOf,
  collections,
  durationBin,
  GRANULARITIES,
  readModelProjections,
  USAGE_COUNTERS,
  type Granularity,
  type UsageBucketDocument,
  type UsageChallengeDocument,
  type UsageCounters,
} from '@otp/contracts';
import type { WriteOp } from '@otp/platform/document-store';
import type { ProjectedEvent } from '../projected-event';
import { assertNever, type Projector } from './projector';

type Counter = keyof UsageCounters;

/** The counter an event adds one to; `uniqueUsers` is counted apart, once per user and bucket. */
function counterOf(event: ProjectedEvent): Exclude<Counter, 'uniqueUsers'> | undefined {
  switch (event.type) {
    case 'OtpRequested':
      return 'otpRequested';
    case 'OtpVerified':
      return 'otpVerified';
    case 'OtpVerificationFailed':
      return 'otpFailed';
    case 'OtpChallengeLocked':
      return 'otpLocked';
    case 'UserCreated':
      return 'usersCreated';
    case 'UserLoggedIn':
      return 'logins';
    // A tenant's bill and charts count the mail to its users, not the service's own signup mail.
    case 'EmailSent':
      return event.data.purpose === 'otp' ? 'emailsSent' : undefined;
    case 'EmailFailed':
      return event.data.purpose === 'otp' ? 'emailsFailed' : undefined;
    // Both are recorded once per window and limited key (an email, an API key, an address).
    case 'OtpRateLimitExceeded':
    case 'RateLimitExceeded':
      return 'rateLimited';
    case 'QuotaExceeded':
      return 'quotaExceeded';
    case 'CustomerRegistered':
    case 'ApiKeyIssued':
    case 'SessionStarted':
    case 'ApiKeyRotated':
    case 'ApiKeyRevoked':
    case 'CustomerSuspended':
    case 'CustomerActivated':
    case 'CustomerCancelled':
    case 'CustomerPlanChanged':
    case 'CustomerProfileChanged':
    case 'CustomerQuotasChanged':
    case 'ApiKeyUsed':
    case 'SigningKeyAdded':
    case 'SigningKeyActivated':
    case 'SigningKeyRetired':
    case 'TenantConfigChanged':
      return undefined;
    // Refreshes, logouts and profile edits are neither billed nor charted.
    case 'SessionRefreshed':
    case 'SessionRevoked':
    case 'UserProfileUpdated':
    case 'SignupRequested':
      return undefined;
    // Sending domains are account settings, not usage.
    case 'DomainAdded':
    case 'DomainVerified':
      return undefined;
    default:
      return assertNever(event);
  }
}

export const usageBucketId = (tenantId: string, granularity: string, start: string) => `${tenantId}:${granularity}:${start}`;

/** One more on `counter` of a bucket; the first write of a bucket creates it with every counter present. */
function increment(tenantId: string, granularity: Granularity, start: string, counter: Counter): WriteOp {
  // The incremented counter is left out: Mongo refuses one path in two operators.
  const onInsert: Partial<Omit<UsageBucketDocument, '_id'>> = { tenantId, granularity, start };
  for (const other of USAGE_COUNTERS) if (other !== counter) onInsert[other] = 0;
  return {
    kind: 'update',
    collection: collections.usage,
    id: usageBucketId(tenantId, granularity, start),
    upsert: true,
    update: { $setOnInsert: onInsert, $inc: { [counter]: 1 } },
  };
}

/** A login counts its user in `uniqueUsers` of each bucket only when the user's marker there is missing. */
function countUserOnce(tenantId: string, granularity: Granularity, start: string, userId: string): WriteOp {
  const markerId = `${usageBucketId(tenantId, granularity, start)}:${userId}`;
  return {
    kind: 'given',
    collection: collections.usageLogins,
    id: markerId,
    then: (marker) =>
      marker
        ? []
        : [
            { kind: 'put', collection: collections.usageLogins, doc: { _id: markerId } },
            increment(tenantId, granularity, start, 'uniqueUsers'),
          ],
  };
}

const verifyStatsId = (tenantId: string, day: string) => `${tenantId}:${day}`;

/** One more on a field of the tenant's verify statistics of `day`. */
function incrementStats(tenantId: string, day: string, field: string): WriteOp {
  return {
    kind: 'update',
    collection: collections.verifyStats,
    id: verifyStatsId(tenantId, day),
    upsert: true,
    update: { $setOnInsert: { tenantId, day }, $inc: { [field]: 1 } },
  };
}

/**
 * What the analytics summary needs beyond the counters: when each open challenge was requested,
 * so its verification can put the time it took in the day's histogram, and why verifications failed.
 */
function verifyStatsOps(event: ProjectedEvent, day: string): WriteOp[] {
  const { tenantId } = event.metadata;
  switch (event.type) {
    case 'OtpRequested': {
      const { challengeId: _id, requestedAt } = event.data;
      // In UTC whatever offset it was written with: the retention compares expiries as strings.
      const expiresAt = new Date(event.data.expiresAt).toISOString();
      const doc: UsageChallengeDocument = { _id, tenantId, requestedAt, expiresAt };
      return [{ kind: 'put', collection: collections.usageChallenges, doc }];
    }
    case 'OtpVerified': {
      const { challengeId, verifiedAt } = event.data;
      const timed = (challenge: UsageChallengeDocument): WriteOp[] => {
        // Clocks of two instances may disagree by a little; a negative time is one that took none.
        const ms = Math.max(0, Date.parse(verifiedAt) - Date.parse(challenge.requestedAt));
        return [
          { kind: 'delete', collection: collections.usageChallenges, id: challengeId },
          incrementStats(tenantId, day, `durations.${binField(durationBin(ms))}`),
        ];
      };
      // A challenge requested before this projection kept request times has none: it goes untimed.
      return [
        {
          kind: 'given',
          collection: collections.usageChallenges,
          id: challengeId,
          then: (challenge) => (challenge ? timed(challenge as UsageChallengeDocument) : []),
        },
      ];
    }
    case 'OtpChallengeLocked':
      return [{ kind: 'delete', collection: collections.usageChallenges, id: event.data.challengeId }];
    case 'OtpVerificationFailed':
      return [incrementStats(tenantId, day, `failures.${event.data.reason}`)];
    default:
      return [];
  }
}

/** One increment per hour, day and month bucket (UTC), and the summary's statistics. */
export function projectUsage(event: ProjectedEvent): WriteOp[] {
  // A signup's codes are the platform's, not the tenant's: neither billed nor counted against its quotas.
  if (categoryOf(event.streamName) === 'signup') return [];
  const { tenantId, occurredAt } = event.metadata;
  const counter = counterOf(event);
  const ops: WriteOp[] = [];
  for (const granularity of GRANULARITIES) {
    const start = bucketStart(occurredAt, granularity).toISOString();
    if (counter) ops.push(increment(tenantId, granularity, start, counter));
    if (event.type === 'UserLoggedIn') ops.push(countUserOnce(tenantId, granularity, start, event.data.userId));
  }
  ops.push(...verifyStatsOps(event, bucketStart(occurredAt, 'day').toISOString()));
  return ops;
}

/** What the challenge retention deletes by (../retention/challenge-retention.ts): the soonest expired first. */
export const CHALLENGE_EXPIRY_INDEX = ['expiresAt'];

export const usageProjector: Projector = {
  name: readModelProjections.usage,
  // 2: months, the counters after logins, unique users and the summary's statistics.
  // 3: each open challenge keeps its code's expiry, so the retention can prune it.
  version: 3,
  collections: [collections.usage, collections.usageLogins, collections.usageChallenges, collections.verifyStats],
  indexes: [
    { collection: collections.usage, fields: ['tenantId', 'granularity', 'start'] },
    { collection: collections.verifyStats, fields: ['tenantId', 'day'] },
    { collection: collections.usageChallenges, fields: CHALLENGE_EXPIRY_INDEX },
  ],
  project: projectUsage,
};
