import { describe, it } from 'vitest';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { sessionDecider, type RefreshSession, type SessionEvent, type StartSession } from './session-decider';

const given = contractCheckedSpecFor(sessionDecider);
const sessionId = 'ses_00000000000000d1';
const userId = 'usr_00000000000000b1';
const customerId = 'cus_00000000000000a1';
const otherCustomer = 'cus_00000000000000a2';
const now = new Date('2025-03-01T12:00:00.000Z');
const DAY = 86_400;
const later = (days: number) => new Date(now.getTime() + days * DAY * 1000);

const start = (ttlSeconds = 30 * DAY): StartSession => ({
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
const refreshed = (hash: string, at: Date, expiresAt = new Date(at.getTime() + 30 * DAY * 1000)): SessionEvent => ({
  type: 'SessionRefreshed',
  data: { sessionId, refreshTokenHash: hash, refreshedAt: at.toISOString(), expiresAt: expiresAt.toISOString() },
});
const revoked = (reason: 'logout' | 'refresh_token_reused', at = now): SessionEvent => ({
  type: 'SessionRevoked',
  data: { sessionId, reason, revokedAt: at.toISOString() },
});
const refresh = (presented: string, at = later(1), overrides: Partial<RefreshSession> = {}): RefreshSession => ({
  type: 'RefreshSession',
  customerId,
  tokenMatches: (stored) => stored === presented,
  newRefreshTokenHash: `next-of-${presented}`,
  idleTtlSeconds: 30 * DAY,
  maxAgeSeconds: 90 * DAY,
  now: at,
  ...overrides,
});

describe('StartSession', () => {
  it('starts a session that expires after its ttl', () => given([]).when(start()).then([started]));

  it('refuses to start the same session twice', () => given([started]).when(start()).thenRefuses('session_exists', { sessionId }));

  it.each([0, -1, 1.5, Number.NaN])('refuses a ttl of %s seconds', (ttl) => given([]).when(start(ttl)).thenRefuses('invalid_ttl'));
});

describe('RefreshSession', () => {
  it('retires the current refresh token for a new one and moves the idle expiry forward', () =>
    given([started])
      .when(refresh('rt-hash'))
      .then([refreshed('next-of-rt-hash', later(1))]));

  it('exchanges the token that replaced the first one', () =>
    given([started, refreshed('second', later(1))])
      .when(refresh('second', later(2)))
      .then([refreshed('next-of-second', later(2))]));

  it('revokes the whole family when a retired token is presented again', () =>
    given([started, refreshed('second', later(1))])
      .when(refresh('rt-hash', later(2)))
      .then([revoked('refresh_token_reused', later(2))]));

  it('calls a retired token reuse even after the session lapsed: the replay is the news', () =>
    given([started, refreshed('second', later(1))])
      .when(refresh('rt-hash', later(200)))
      .then([revoked('refresh_token_reused', later(200))]));

  it('refuses the token that was current once reuse revoked the session', () =>
    given([started, refreshed('second', later(1)), revoked('refresh_token_reused', later(2))])
      .when(refresh('second', later(3)))
      .thenRefuses('session_revoked', { sessionId }));

  it('refuses any token after a logout', () =>
    given([started, revoked('logout')])
      .when(refresh('rt-hash'))
      .thenRefuses('session_revoked'));

  it('refuses a token past the idle expiry', () =>
    given([started])
      .when(refresh('rt-hash', later(31)))
      .thenRefuses('session_expired', { sessionId }));

  it('refuses a token past the absolute expiry, however recently it was refreshed', () =>
    given([started, refreshed('second', later(60)), refreshed('third', later(89))])
      .when(refresh('third', later(91)))
      .thenRefuses('session_expired'));

  it('never moves the idle expiry past the absolute one', () =>
    given([started, refreshed('second', later(80))])
      .when(refresh('second', later(85)))
      .then([refreshed('next-of-second', later(85), later(90))]));

  it('refuses a token that was never this session’s, recording nothing', () =>
    given([started]).when(refresh('guessed')).thenRefuses('refresh_token_unknown'));

  // One answer for a wrong secret, a session that is not there and another tenant's: the session id alone tells nothing.
  it('answers a session of another tenant as a token that is not one', () =>
    given([started])
      .when(refresh('rt-hash', later(1), { customerId: otherCustomer }))
      .thenRefuses('refresh_token_unknown'));

  it('refuses a session that does not exist the same way', () => given([]).when(refresh('rt-hash')).thenRefuses('refresh_token_unknown'));

  it('tells that the session was revoked only to the holder of one of its tokens', () =>
    given([started, { type: 'SessionRevoked', data: { sessionId, reason: 'logout', revokedAt: later(1).toISOString() } }])
      .when(refresh('guessed', later(2)))
      .thenRefuses('refresh_token_unknown'));

  it.each([
    ['an idle ttl', { idleTtlSeconds: 0 }],
    ['a maximum age', { maxAgeSeconds: -1 }],
  ])('refuses %s that is not a positive whole number of seconds', (_name, overrides) =>
    given([started])
      .when(refresh('rt-hash', later(1), overrides))
      .thenRefuses('invalid_ttl'),
  );
});

describe('RevokeSession', () => {
  it('ends the session at logout', () =>
    given([started])
      .when({ type: 'RevokeSession', reason: 'logout', now })
      .then([revoked('logout')]));

  it('records nothing for a session already revoked', () =>
    given([started, revoked('refresh_token_reused')])
      .when({ type: 'RevokeSession', reason: 'logout', now })
      .thenNothing());

  it('records nothing for a session that does not exist', () =>
    given([]).when({ type: 'RevokeSession', reason: 'logout', now }).thenNothing());
});
