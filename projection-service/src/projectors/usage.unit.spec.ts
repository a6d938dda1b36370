import { UsageBucketDocument, type EventOf, type EventType } from '@otp/contracts';
import { describe, expect, it } from 'vitest';
import { documentsAfter } from '../testing/documents-after';
import { ids, projected } from '../testing/events';
import { bucketStart } from './time-buckets';
import { usageProjector } from './usage';

const at = '2025-03-01T23:59:59.999Z';
const event = <T extends EventType>(type: T, tenantId: string = ids.tenantA, occurredAt = at) =>
  projected(type, {} as EventOf<T>['data'], { metadata: { tenantId, occurredAt } });

const zero = { otpRequested: 0, otpVerified: 0, otpFailed: 0, usersCreated: 0, logins: 0 };

/** The hour and day buckets of tenant A at `at` holding `counts`. */
function bucketsOfA(counts: Partial<typeof zero>): UsageBucketDocument[] {
  const bucket = (granularity: 'hour' | 'day', start: string): UsageBucketDocument => ({
    _id: `${ids.tenantA}:${granularity}:${start}`,
    tenantId: ids.tenantA,
    granularity,
    start,
    ...zero,
    ...counts,
  });
  return [bucket('day', '2025-03-01T00:00:00.000Z'), bucket('hour', '2025-03-01T23:00:00.000Z')];
}

describe('usage projector', () => {
  it.each([
    ['OtpRequested', 'otpRequested'],
    ['OtpVerified', 'otpVerified'],
    ['OtpVerificationFailed', 'otpFailed'],
    ['UserCreated', 'usersCreated'],
    ['UserLoggedIn', 'logins'],
  ] as const)('counts %s as %s in the hour and the day bucket, every other counter present at 0', (type, counter) => {
    const { usage } = documentsAfter(usageProjector, [event(type)]);
    expect(usage).toEqual(bucketsOfA({ [counter]: 1 }));
    for (const doc of usage ?? []) expect(UsageBucketDocument.parse(doc)).toEqual(doc);
  });

  it('adds up events in the same buckets, whatever counter created them', () => {
    const { usage } = documentsAfter(usageProjector, [
      event('OtpRequested'),
      event('OtpRequested'),
      event('OtpVerificationFailed'),
      event('OtpVerified'),
      event('UserLoggedIn'),
    ]);
    expect(usage).toEqual(bucketsOfA({ otpRequested: 2, otpFailed: 1, otpVerified: 1, logins: 1 }));
  });

  it("counts no code of a signup stream: it is the platform's, not the tenant's", () => {
    const signup = (type: 'OtpRequested' | 'OtpVerified') =>
      projected(type, {} as never, { streamName: 'signup-ek', metadata: { tenantId: ids.tenantA, occurredAt: at } });
    expect(documentsAfter(usageProjector, [signup('OtpRequested'), signup('OtpVerified')]).usage ?? []).toEqual([]);
  });

  it('keys buckets by the event metadata tenant', () => {
    const { usage } = documentsAfter(usageProjector, [event('OtpRequested', ids.tenantB)]);
    expect(usage?.map((doc) => [doc._id, doc.tenantId])).toEqual([
      [`${ids.tenantB}:day:2025-03-01T00:00:00.000Z`, ids.tenantB],
      [`${ids.tenantB}:hour:2025-03-01T23:00:00.000Z`, ids.tenantB],
    ]);
  });

  it('opens new hour and day buckets past midnight UTC', () => {
    const { usage } = documentsAfter(usageProjector, [
      event('OtpRequested'),
      event('OtpRequested', ids.tenantA, '2025-03-02T00:00:00.000Z'),
    ]);
    expect(usage?.map((doc) => [doc.granularity, doc.start, doc.otpRequested])).toEqual([
      ['day', '2025-03-01T00:00:00.000Z', 1],
      ['day', '2025-03-02T00:00:00.000Z', 1],
      ['hour', '2025-03-01T23:00:00.000Z', 1],
      ['hour', '2025-03-02T00:00:00.000Z', 1],
    ]);
  });

  it.each(['CustomerRegistered', 'ApiKeyIssued', 'OtpChallengeLocked', 'SessionStarted'] as const)('does not count %s', (type) => {
    expect(documentsAfter(usageProjector, [event(type)])).toEqual({});
  });

  it('buckets by UTC, whatever the offset the instant was written with', () => {
    expect(bucketStart('2025-03-02T00:30:00.000Z', 'hour')).toBe('2025-03-02T00:00:00.000Z');
    expect(bucketStart('2025-03-02T00:30:00+02:00', 'day')).toBe('2025-03-01T00:00:00.000Z');
    expect(() => bucketStart('yesterday', 'day')).toThrow(RangeError);
  });
});
