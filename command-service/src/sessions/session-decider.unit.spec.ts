import { describe, it } from 'vitest';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { sessionDecider, type SessionEvent, type StartSession } from './session-decider';

const given = contractCheckedSpecFor(sessionDecider);
const sessionId = 'ses_00000000000000d1';
const userId = 'usr_00000000000000b1';
const customerId = 'cus_00000000000000a1';
const now = new Date('2025-03-01T12:00:00.000Z');

const start = (ttlSeconds = 30 * 24 * 3600): StartSession => ({
  type: 'StartSession',
  sessionId,
  userId,
  customerId,
  refreshTokenHash: 'rt-hash',
  ttlSeconds,
  now,
});
const started: SessionEvent = {
  type: 'SessionStarted',
  data: {
    sessionId,
    userId,
    customerId,
    refreshTokenHash: 'rt-hash',
    startedAt: now.toISOString(),
    expiresAt: '2025-03-31T12:00:00.000Z',
  },
};

describe('StartSession', () => {
  it('starts a session that expires after its ttl', () => given([]).when(start()).then([started]));

  it('refuses to start the same session twice', () => given([started]).when(start()).thenRefuses('session_exists', { sessionId }));

  it.each([0, -1, 1.5, Number.NaN])('refuses a ttl of %s seconds', (ttl) => given([]).when(start(ttl)).thenRefuses('invalid_ttl'));
});
