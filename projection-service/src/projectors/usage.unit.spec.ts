import { UsageBucketDocument, type EventOf, type EventType } from '@otp/contracts';
import type { WriteOp } from '@otp/platform/document-store';
import { describe, expect, it } from 'vitest';
import { ids, projected } from '../testing/events';
import { bucketStart } from './time-buckets';
import { projectUsage } from './usage';

const at = '2025-03-01T23:59:59.999Z';
const event = <T extends EventType>(type: T, tenantId: string = ids.tenantA) =>
  projected(type, {} as EventOf<T>['data'], { metadata: { tenantId, occurredAt: at } });

/** What an upsert would create from nothing: the bucket document the query side reads. */
function insertedDocument(op: WriteOp) {
  if (op.kind !== 'update') throw new Error('expected an update');
  return UsageBucketDocument.parse({ _id: op.id, ...op.update.$setOnInsert, ...op.update.$inc });
}

describe('usage projector', () => {
  it.each([
    ['OtpRequested', 'otpRequested'],
    ['OtpVerified', 'otpVerified'],
    ['OtpVerificationFailed', 'otpFailed'],
    ['UserCreated', 'usersCreated'],
    ['UserLoggedIn', 'logins'],
  ] as const)('counts %s as %s in the hour and the day bucket', (type, counter) => {
    const ops = projectUsage(event(type));
    expect(ops.map((op) => op.kind === 'update' && op.id)).toEqual([
      `${ids.tenantA}:hour:2025-03-01T23:00:00.000Z`,
      `${ids.tenantA}:day:2025-03-01T00:00:00.000Z`,
    ]);
    for (const op of ops) {
      expect(op).toMatchObject({ kind: 'update', collection: 'usage', upsert: true, update: { $inc: { [counter]: 1 } } });
      if (op.kind !== 'update') continue;
      // Mongo refuses one path in two operators.
      expect(Object.keys(op.update.$setOnInsert ?? {})).not.toContain(counter);
      const doc = insertedDocument(op);
      expect(doc[counter]).toBe(1);
      expect(doc.otpRequested + doc.otpVerified + doc.otpFailed + doc.usersCreated + doc.logins).toBe(1);
    }
    const [hour, day] = ops.map(insertedDocument);
    expect(hour).toMatchObject({ tenantId: ids.tenantA, granularity: 'hour', start: '2025-03-01T23:00:00.000Z' });
    expect(day).toMatchObject({ tenantId: ids.tenantA, granularity: 'day', start: '2025-03-01T00:00:00.000Z' });
  });

  it('keys buckets by the event metadata tenant', () => {
    const [op] = projectUsage(event('OtpRequested', ids.tenantB));
    expect(op).toMatchObject({ id: `${ids.tenantB}:hour:2025-03-01T23:00:00.000Z`, update: { $setOnInsert: { tenantId: ids.tenantB } } });
  });

  it.each(['CustomerRegistered', 'ApiKeyIssued', 'OtpChallengeLocked', 'SessionStarted'] as const)('does not count %s', (type) => {
    expect(projectUsage(event(type))).toEqual([]);
  });

  it('buckets by UTC, whatever the offset the instant was written with', () => {
    expect(bucketStart('2025-03-02T00:30:00.000Z', 'hour')).toBe('2025-03-02T00:00:00.000Z');
    expect(bucketStart('2025-03-02T00:30:00+02:00', 'day')).toBe('2025-03-01T00:00:00.000Z');
    expect(() => bucketStart('yesterday', 'day')).toThrow(RangeError);
  });
});
