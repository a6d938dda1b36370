import type { RecordedEvent } from '@otp/platform/event-store';
import { describe, expect, it } from 'vitest';
import { UnprojectableEventError } from '../projected-event';
import { ids, metadata } from '../testing/events';
import { sharedEventParser } from './shared-event-parser';

const recorded = (position: bigint, hash = 'a'.repeat(64), type = 'OtpChallengeLocked'): RecordedEvent => ({
  id: `evt-${position}`,
  type,
  streamName: `otp-${ids.tenantA}.ek`,
  revision: 0n,
  position,
  data: { challengeId: ids.challengeA1 },
  metadata: { ...metadata(), hash },
});

describe('sharedEventParser', () => {
  it('answers the event parsed for the first reader of a position to the next ones', () => {
    const parse = sharedEventParser();
    const first = parse(recorded(1n));
    expect(first).toMatchObject({ type: 'OtpChallengeLocked', position: 1n, eventId: 'evt-1' });
    expect(parse(recorded(1n))).toBe(first);
  });

  it('parses again when the position holds another event (another history)', () => {
    const parse = sharedEventParser();
    const first = parse(recorded(1n));
    const other = parse(recorded(1n, 'b'.repeat(64)));
    expect(other).not.toBe(first);
    expect(other.metadata.hash).toBe('b'.repeat(64));
  });

  it('keeps no failure, so each reader reports the event itself', () => {
    const parse = sharedEventParser();
    for (let i = 0; i < 2; i++) expect(() => parse(recorded(2n, 'a'.repeat(64), 'CustomerTeleported'))).toThrow(UnprojectableEventError);
  });

  it('forgets the oldest positions past its capacity', () => {
    const parse = sharedEventParser(2);
    const first = parse(recorded(1n));
    parse(recorded(2n));
    parse(recorded(3n));
    expect(parse(recorded(1n))).not.toBe(first);
    expect(parse(recorded(1n))).toEqual(first);
  });
});
