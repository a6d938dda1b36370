import { collections, readModelProjections, USAGE_COUNTERS, type UsageBucketDocument, type UsageCounters } from '@otp/contracts';
import type { WriteOp } from '@otp/platform/document-store';
import type { ProjectedEvent } from '../projected-event';
import { assertNever, type Projector } from './projector';
import { bucketStart, GRANULARITIES } from './time-buckets';

type Counter = keyof UsageCounters;

function counterOf(event: ProjectedEvent): Counter | undefined {
  switch (event.type) {
    case 'OtpRequested':
      return 'otpRequested';
    case 'OtpVerified':
      return 'otpVerified';
    case 'OtpVerificationFailed':
      return 'otpFailed';
    case 'UserCreated':
      return 'usersCreated';
    case 'UserLoggedIn':
      return 'logins';
    // A lock follows the failed attempt that caused it, which is already counted; a
    // request refused for the per-email limit sent no code and is in the audit trail, not the bill.
    case 'OtpChallengeLocked':
    case 'OtpRateLimitExceeded':
    case 'CustomerRegistered':
    case 'ApiKeyIssued':
    case 'SessionStarted':
    case 'ApiKeyRotated':
    case 'ApiKeyRevoked':
    case 'CustomerSuspended':
    case 'CustomerActivated':
    case 'CustomerCancelled':
    case 'CustomerPlanChanged':
    case 'CustomerQuotasChanged':
    case 'ApiKeyUsed':
    case 'SigningKeyAdded':
    case 'SigningKeyActivated':
    case 'SigningKeyRetired':
      return undefined;
    // Refreshes, logouts and profile edits are neither billed nor charted.
    case 'SessionRefreshed':
    case 'SessionRevoked':
    case 'UserProfileUpdated':
    case 'TenantConfigChanged':
    case 'EmailSent':
    case 'EmailFailed':
    case 'RateLimitExceeded':
    case 'QuotaExceeded':
      return undefined;
    default:
      return assertNever(event);
  }
}

export const usageBucketId = (tenantId: string, granularity: string, start: string) => `${tenantId}:${granularity}:${start}`;

/** One increment per hour and per day bucket; the first event of a bucket creates it with every counter present. */
export function projectUsage(event: ProjectedEvent): WriteOp[] {
  const counter = counterOf(event);
  if (!counter) return [];
  const { tenantId, occurredAt } = event.metadata;
  return GRANULARITIES.map((granularity): WriteOp => {
    const start = bucketStart(occurredAt, granularity);
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
  });
}

export const usageProjector: Projector = {
  name: readModelProjections.usage,
  version: 1,
  collections: [collections.usage],
  indexes: [{ collection: collections.usage, fields: ['tenantId', 'granularity', 'start'] }],
  project: projectUsage,
};
