import {
  binField,
  binUpperEdgeMs,
  bucketStart,
  bucketStarts,
  durationBin,
  quantileMs,
  UsageBucketDocument,
  USAGE_COUNTERS,
  type EventOf,
  type EventType,
  type UsageCounters,
} from '@otp/contracts';
import { describe, expect, it } from 'vitest';
import { documentsAfter } from '../testing/documents-after';
import { ids, projected } from '../testing/events';
import { usageProjector } from './usage';

const at = '2025-03-01T23:59:59.999Z';
const event = <T extends EventType>(type: T, data: Partial<EventOf<T>['data']> = {}, tenantId: string = ids.tenantA, occurredAt = at) =>
  projected(type, data as unknown as EventOf<T>['data'], { metadata: { tenantId, occurredAt } });

const zero = Object.fromEntries(USAGE_COUNTERS.map((c) => [c, 0])) as UsageCounters;
const userB = 'usr_00000000000000b2';

/** The hour, day and month buckets of tenant A at `at` holding `counts`. */
function bucketsOfA(counts: Partial<UsageCounters>): UsageBucketDocument[] {
  const bucket = (granularity: 'hour' | 'day' | 'month', start: string): UsageBucketDocument => ({
    _id: `${ids.tenantA}:${granularity}:${start}`,
    tenantId: ids.tenantA,
    granularity,
    start,
    ...zero,
    ...counts,
  });
  return [
    bucket('day', '2025-03-01T00:00:00.000Z'),
    bucket('hour', '2025-03-01T23:00:00.000Z'),
    bucket('month', '2025-03-01T00:00:00.000Z'),
  ];
}

const login = (userId: string, occurredAt = at) => event('UserLoggedIn', { userId }, ids.tenantA, occurredAt);

describe('usage projector', () => {
  it.each<[EventType, Partial<EventOf<EventType>['data']>, keyof UsageCounters]>([
    ['OtpRequested', { challengeId: ids.challengeA1, requestedAt: at, expiresAt: at }, 'otpRequested'],
    ['OtpVerified', { challengeId: ids.challengeA1, verifiedAt: at }, 'otpVerified'],
    ['OtpVerificationFailed', { challengeId: ids.challengeA1, reason: 'wrong_code' }, 'otpFailed'],
    ['OtpChallengeLocked', { challengeId: ids.challengeA1 }, 'otpLocked'],
    ['EmailSent', { purpose: 'otp' }, 'emailsSent'],
    ['EmailFailed', { purpose: 'otp' }, 'emailsFailed'],
    ['UserCreated', {}, 'usersCreated'],
    ['OtpRateLimitExceeded', {}, 'rateLimited'],
    ['RateLimitExceeded', {}, 'rateLimited'],
    ['QuotaExceeded', {}, 'quotaExceeded'],
  ])('counts %s as %s in the hour, day and month bucket, every other counter present at 0', (type, data, counter) => {
    const { usage } = documentsAfter(usageProjector, [event(type, data)]);
    expect(usage).toEqual(bucketsOfA({ [counter]: 1 }));
    for (const doc of usage ?? []) expect(UsageBucketDocument.parse(doc)).toEqual(doc);
  });

  it('counts a login, and its user once per bucket however often the user logs in there', () => {
    const { usage, usageLogins } = documentsAfter(usageProjector, [login(ids.userA), login(ids.userA), login(userB)]);
    expect(usage).toEqual(bucketsOfA({ logins: 3, uniqueUsers: 2 }));
    expect(usageLogins).toHaveLength(6);
  });

  it('counts the same user again in a new hour, not in the same day and month', () => {
    const { usage } = documentsAfter(usageProjector, [login(ids.userA, '2025-03-01T22:10:00.000Z'), login(ids.userA)]);
    expect(usage?.map((doc) => [doc.granularity, doc.start, doc.logins, doc.uniqueUsers])).toEqual([
      ['day', '2025-03-01T00:00:00.000Z', 2, 1],
      ['hour', '2025-03-01T22:00:00.000Z', 1, 1],
      ['hour', '2025-03-01T23:00:00.000Z', 1, 1],
      ['month', '2025-03-01T00:00:00.000Z', 2, 1],
    ]);
  });

  it('adds up events in the same buckets, whatever counter created them', () => {
    const { usage } = documentsAfter(usageProjector, [
      event('OtpRequested', { challengeId: ids.challengeA1, requestedAt: at, expiresAt: at }),
      event('OtpRequested', { challengeId: ids.challengeA2, requestedAt: at, expiresAt: at }),
      event('OtpVerificationFailed', { challengeId: ids.challengeA1, reason: 'expired' }),
      event('OtpVerified', { challengeId: ids.challengeA2, verifiedAt: at }),
      login(ids.userA),
    ]);
    expect(usage).toEqual(bucketsOfA({ otpRequested: 2, otpFailed: 1, otpVerified: 1, logins: 1, uniqueUsers: 1 }));
  });

  it("counts no code of a signup stream: it is the platform's, not the tenant's", () => {
    const signup = (type: 'OtpRequested' | 'OtpVerified') =>
      projected(type, {} as never, { streamName: 'signup-ek', metadata: { tenantId: ids.tenantA, occurredAt: at } });
    expect(documentsAfter(usageProjector, [signup('OtpRequested'), signup('OtpVerified')]).usage ?? []).toEqual([]);
  });

  it('keys buckets by the event metadata tenant', () => {
    const { usage } = documentsAfter(usageProjector, [event('QuotaExceeded', {}, ids.tenantB)]);
    expect(usage?.map((doc) => [doc._id, doc.tenantId])).toEqual([
      [`${ids.tenantB}:day:2025-03-01T00:00:00.000Z`, ids.tenantB],
      [`${ids.tenantB}:hour:2025-03-01T23:00:00.000Z`, ids.tenantB],
      [`${ids.tenantB}:month:2025-03-01T00:00:00.000Z`, ids.tenantB],
    ]);
  });

  it('opens new hour, day and month buckets past midnight UTC at the end of a month', () => {
    const { usage } = documentsAfter(usageProjector, [
      event('QuotaExceeded'),
      event('QuotaExceeded', {}, ids.tenantA, '2025-04-01T00:00:00.000Z'),
    ]);
    expect(usage?.map((doc) => [doc.granularity, doc.start, doc.quotaExceeded])).toEqual([
      ['day', '2025-03-01T00:00:00.000Z', 1],
      ['day', '2025-04-01T00:00:00.000Z', 1],
      ['hour', '2025-03-01T23:00:00.000Z', 1],
      ['hour', '2025-04-01T00:00:00.000Z', 1],
      ['month', '2025-03-01T00:00:00.000Z', 1],
      ['month', '2025-04-01T00:00:00.000Z', 1],
    ]);
  });

  it.each(['CustomerRegistered', 'ApiKeyIssued', 'SessionStarted', 'TenantConfigChanged'] as const)('does not count %s', (type) => {
    expect(documentsAfter(usageProjector, [event(type)])).toEqual({});
  });

  it("does not count the service's own signup mail as the tenant's", () => {
    expect(
      documentsAfter(usageProjector, [event('EmailSent', { purpose: 'signup' }), event('EmailFailed', { purpose: 'signup' })]),
    ).toEqual({});
  });

  it("puts a verification's time since its request in the day's histogram, and forgets the request", () => {
    const requested = event('OtpRequested', {
      challengeId: ids.challengeA1,
      requestedAt: '2025-03-01T23:58:00.000Z',
      expiresAt: '2025-03-02T00:08:00.000Z',
    });
    const verified = event('OtpVerified', { challengeId: ids.challengeA1, verifiedAt: '2025-03-01T23:58:42.500Z' });
    const { verifyStats, usageChallenges } = documentsAfter(usageProjector, [requested, verified]);
    expect(usageChallenges).toBeUndefined();
    expect(verifyStats).toEqual([
      {
        _id: `${ids.tenantA}:2025-03-01T00:00:00.000Z`,
        tenantId: ids.tenantA,
        day: '2025-03-01T00:00:00.000Z',
        durations: { [binField(durationBin(42_500))]: 1 },
      },
    ]);
  });

  it("keeps an open challenge's request time and its code's expiry in UTC, by which the retention prunes it", () => {
    const requested = event('OtpRequested', {
      challengeId: ids.challengeA1,
      requestedAt: '2025-03-01T23:58:00.000Z',
      expiresAt: '2025-03-02T02:08:00+02:00',
    });
    expect(documentsAfter(usageProjector, [requested]).usageChallenges).toEqual([
      { _id: ids.challengeA1, tenantId: ids.tenantA, requestedAt: '2025-03-01T23:58:00.000Z', expiresAt: '2025-03-02T00:08:00.000Z' },
    ]);
  });

  it('leaves a verification untimed when its request is not known, and forgets a locked challenge', () => {
    const { verifyStats, usageChallenges } = documentsAfter(usageProjector, [
      event('OtpRequested', { challengeId: ids.challengeA1, requestedAt: at, expiresAt: at }),
      event('OtpChallengeLocked', { challengeId: ids.challengeA1 }),
      event('OtpVerified', { challengeId: ids.challengeA2, verifiedAt: at }),
    ]);
    expect(usageChallenges).toBeUndefined();
    expect(verifyStats).toBeUndefined();
  });

  it('counts failed verifications by their reason', () => {
    const failed = (reason: EventOf<'OtpVerificationFailed'>['data']['reason']) =>
      event('OtpVerificationFailed', { challengeId: ids.challengeA1, reason });
    const { verifyStats } = documentsAfter(usageProjector, [failed('wrong_code'), failed('wrong_code'), failed('expired')]);
    expect(verifyStats?.[0]?.failures).toEqual({ wrong_code: 2, expired: 1 });
  });
});

describe('usage buckets', () => {
  it('start at the UTC hour, day or month, whatever the offset the instant was written with', () => {
    expect(bucketStart('2025-03-02T00:30:00.000Z', 'hour').toISOString()).toBe('2025-03-02T00:00:00.000Z');
    expect(bucketStart('2025-03-02T00:30:00+02:00', 'day').toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(bucketStart('2025-03-01T00:30:00+02:00', 'month').toISOString()).toBe('2025-02-01T00:00:00.000Z');
    expect(() => bucketStart('yesterday', 'day')).toThrow(RangeError);
  });

  it('step by calendar months, through a leap February', () => {
    expect(
      bucketStarts(new Date('2024-01-31T12:00:00.000Z'), new Date('2024-04-01T00:00:00.000Z'), 'month').map((d) => d.toISOString()),
    ).toEqual(['2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
  });
});

describe('verification time bins', () => {
  it('answer a quantile never below the exact one and at most 4.5% (plus 1 ms) above it', () => {
    for (let ms = 0; ms <= 3_600_000; ms = Math.ceil(ms * 1.013) + 1) {
      const edge = binUpperEdgeMs(durationBin(ms));
      expect(edge, `${ms} ms`).toBeGreaterThanOrEqual(ms);
      expect(edge, `${ms} ms`).toBeLessThanOrEqual(ms * 1.045 + 1);
    }
  });

  it('take the nearest rank: the median of 1, 2 and 100 seconds is in the bin of 2 seconds', () => {
    const bins = new Map<number, number>();
    for (const ms of [1_000, 2_000, 100_000]) bins.set(durationBin(ms), (bins.get(durationBin(ms)) ?? 0) + 1);
    expect(quantileMs(bins, 0.5)).toBe(binUpperEdgeMs(durationBin(2_000)));
    expect(quantileMs(bins, 0.95)).toBe(binUpperEdgeMs(durationBin(100_000)));
    expect(quantileMs(new Map(), 0.5)).toBeNull();
  });
});
