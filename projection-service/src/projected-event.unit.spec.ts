import type { RecordedEvent } from '@otp/platform/event-store';
import { describe, expect, it } from 'vitest';
import { toProjectedEvent, UnprojectableEventError } from './projected-event';
import { ids, metadata } from './testing/events';

const recorded = (overrides: Partial<RecordedEvent> = {}): RecordedEvent => ({
  id: 'evt-1',
  type: 'OtpChallengeLocked',
  streamName: `otp-${ids.tenantA}.ek`,
  revision: 3n,
  position: 17n,
  data: { challengeId: ids.challengeA1 },
  metadata: { ...metadata(), hash: 'h'.repeat(64) },
  ...overrides,
});

describe('toProjectedEvent', () => {
  it('validates data and metadata and keeps where the event is stored', () => {
    expect(toProjectedEvent(recorded())).toEqual({
      type: 'OtpChallengeLocked',
      data: { challengeId: ids.challengeA1 },
      eventId: 'evt-1',
      streamName: `otp-${ids.tenantA}.ek`,
      revision: 3n,
      position: 17n,
      metadata: { ...metadata(), hash: 'h'.repeat(64) },
    });
  });

  it.each<[string, Partial<RecordedEvent>]>([
    ['an unknown type', { type: 'SomethingNew' }],
    ['invalid data', { data: { challengeId: 'not-an-id' } }],
    ['unexpected metadata', { metadata: { ...metadata(), hash: 'h', surprise: 1 } }],
    ['metadata without the chain hash', { metadata: metadata() as unknown as RecordedEvent['metadata'] }],
  ])('refuses %s, naming the event and its position', (_case, overrides) => {
    const attempt = () => toProjectedEvent(recorded(overrides));
    expect(attempt).toThrow(UnprojectableEventError);
    expect(attempt).toThrow(/at position 17 in otp-/);
  });
});
