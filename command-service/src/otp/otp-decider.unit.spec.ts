import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_CONFIG, type EventOf } from '@otp/contracts';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { otpDecider, type OtpEvent, type RequestOtp, type VerifyOtp } from './otp-decider';

const given = contractCheckedSpecFor(otpDecider);
// The default tenant's settings; a request carries its tenant's.
const OTP_DEFAULT_CODE_LENGTH = DEFAULT_TENANT_CONFIG.otp.length;
const OTP_TTL_MS = DEFAULT_TENANT_CONFIG.otp.ttlSeconds * 1000;
const OTP_MAX_ATTEMPTS = DEFAULT_TENANT_CONFIG.otp.maxAttempts;
const customerId = 'cus_00000000000000a1';
const A = 'chl_000000000000000a';
const B = 'chl_000000000000000b';
const C = 'chl_000000000000000c';
const HOUR = 60 * 60 * 1000;
const existingUser = 'usr_00000000000000e1';
const newUserId = 'usr_00000000000000f1';
const t0 = new Date('2025-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

// Stand-in for the handler's keyed hash: bound to the challenge id, so a code
// sent for one challenge cannot verify another.
const hashOf = (challengeId: string, code: string) => `h(${challengeId}:${code})`;
const codeOf: Record<string, string> = { [A]: '123456789', [B]: '987654321', [C]: '555555555' };

const requestCmd = (challengeId: string, now = t0, codeLength = OTP_DEFAULT_CODE_LENGTH): RequestOtp => ({
  type: 'RequestOtp',
  challengeId,
  customerId,
  emailKey: 'ek-ada',
  email: 'ada@example.test',
  codeHash: hashOf(challengeId, codeOf[challengeId] ?? ''),
  codeLength,
  ttlSeconds: DEFAULT_TENANT_CONFIG.otp.ttlSeconds,
  maxAttempts: OTP_MAX_ATTEMPTS,
  perEmailPerHour: 3,
  now,
});
const requested = (challengeId: string, now = t0): OtpEvent => ({
  type: 'OtpRequested',
  data: {
    challengeId,
    customerId,
    emailKey: 'ek-ada',
    email: 'ada@example.test',
    codeHash: hashOf(challengeId, codeOf[challengeId] ?? ''),
    codeLength: OTP_DEFAULT_CODE_LENGTH,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + OTP_TTL_MS).toISOString(),
    maxAttempts: OTP_MAX_ATTEMPTS,
  },
});
const verify = (code: string, now = at(60_000), challengeId?: string): VerifyOtp => ({
  type: 'VerifyOtp',
  challengeId,
  codeMatches: ({ challengeId, codeHash }) => hashOf(challengeId, code) === codeHash,
  newUserId,
  now,
});
const failed = (
  challengeId: string,
  reason: 'wrong_code' | 'expired' | 'already_used' | 'locked',
  attemptsRemaining: number,
  when = at(60_000),
): OtpEvent => ({ type: 'OtpVerificationFailed', data: { challengeId, reason, attemptsRemaining, failedAt: when.toISOString() } });
const wrong = (challengeId: string, attemptsRemaining: number, when = at(60_000)) =>
  failed(challengeId, 'wrong_code', attemptsRemaining, when);
const locked = (challengeId: string): OtpEvent => ({ type: 'OtpChallengeLocked', data: { challengeId } });
const verified = (challengeId: string, userId: string, newUser: boolean, when = at(60_000)): OtpEvent => ({
  type: 'OtpVerified',
  data: { challengeId, userId, newUser, verifiedAt: when.toISOString() },
});
const wrongs = (challengeId: string, count: number) =>
  Array.from({ length: count }, (_, i) => wrong(challengeId, OTP_MAX_ATTEMPTS - 1 - i));
const lockedOut = (challengeId: string) => [requested(challengeId), ...wrongs(challengeId, 5), locked(challengeId)];

describe('RequestOtp', () => {
  it('opens a challenge that expires after the ttl with the attempt limit', () =>
    given([])
      .when(requestCmd(A))
      .then([requested(A)]));

  it('records the expiry as ten minutes after the request', () => {
    const [event] = otpDecider.decide(requestCmd(A), otpDecider.initialState());
    expect(event?.type === 'OtpRequested' && event.data.expiresAt).toBe('2025-03-01T12:10:00.000Z');
  });

  it("records the tenant's lifetime and guesses on the challenge, so a later config change never reaches a code already sent", () => {
    const [event] = otpDecider.decide({ ...requestCmd(A), ttlSeconds: 120, maxAttempts: 2 }, otpDecider.initialState());
    expect(event?.type === 'OtpRequested' && [event.data.expiresAt, event.data.maxAttempts]).toEqual(['2025-03-01T12:02:00.000Z', 2]);
  });

  it('locks a challenge after the guesses recorded on it, not the default five', () => {
    const two: OtpEvent = { type: 'OtpRequested', data: { ...(requested(A).data as EventOf<'OtpRequested'>['data']), maxAttempts: 2 } };
    return given([two, wrong(A, 1)])
      .when(verify('000000000'))
      .then([wrong(A, 0), locked(A)]);
  });

  it.each([6, 7, 8, 9])('accepts a code length of %i', (codeLength) => {
    const [event] = otpDecider.decide(requestCmd(A, t0, codeLength), otpDecider.initialState());
    expect(event?.type === 'OtpRequested' && event.data.codeLength).toBe(codeLength);
  });

  it.each([5, 10, 7.5, 0])('refuses a code length of %s', (codeLength) =>
    given([])
      .when(requestCmd(A, t0, codeLength))
      .thenRefuses('invalid_code_length', { codeLength }),
  );

  // A new code no longer cancels a pending one: whoever can ask for a code for
  // an email could otherwise cancel its owner's.
  it('opens a second challenge beside a pending one', () =>
    given([requested(A)])
      .when(requestCmd(B, at(30_000)))
      .then([requested(B, at(30_000))]));

  // A lock holds back only its own challenge: otherwise five wrong codes from
  // anyone keep the owner from signing in. The per-email budget bounds guessing.
  it('gives a new code at once after a lock', () =>
    given(lockedOut(A))
      .when(requestCmd(B, at(30_000)))
      .then([requested(B, at(30_000))]));

  it('records the fourth request in an hour as exceeding the limit and opens nothing', () =>
    given([requested(A), requested(B, at(60_000)), requested(C, at(120_000))])
      .when(requestCmd('chl_000000000000000d', at(30 * 60_000)))
      .then([{ type: 'OtpRateLimitExceeded', data: { limit: 'perEmailPerHour', max: 3, retryAt: at(HOUR).toISOString() } }]));

  it('records the excess once per window and refuses the requests after it, saying when', () =>
    given([
      requested(A),
      requested(B, at(60_000)),
      requested(C, at(120_000)),
      { type: 'OtpRateLimitExceeded', data: { limit: 'perEmailPerHour', max: 3, retryAt: at(HOUR).toISOString() } },
    ])
      .when(requestCmd('chl_000000000000000d', at(HOUR - 10_000)))
      .thenRefuses('too_many_code_requests', { retryAfterSeconds: 10 }));

  it('gives a code again once the oldest request of the hour has left the window', () =>
    given([requested(A), requested(B, at(60_000)), requested(C, at(120_000))])
      .when(requestCmd('chl_000000000000000d', at(HOUR)))
      .then([requested('chl_000000000000000d', at(HOUR))]));

  it('starts a fresh challenge after a verification', () =>
    given([requested(A), verified(A, newUserId, true)])
      .when(requestCmd(B))
      .then([requested(B)]));

  it('records nothing for a retried request already recorded', () =>
    given([requested(A)])
      .when(requestCmd(A))
      .thenNothing());

  it('refuses a challenge id reused with another code', () =>
    given([requested(A)])
      .when({ ...requestCmd(A), codeHash: hashOf(A, '000000000') })
      .thenRefuses('challenge_exists', { challengeId: A }));
});

describe('VerifyOtp', () => {
  it('refuses when no code was requested for this email', () => given([]).when(verify('123456789')).thenRefuses('no_challenge'));

  it('verifies the right code and assigns the new user id to a new email', () =>
    given([requested(A)])
      .when(verify('123456789'))
      .then([verified(A, newUserId, true)]));

  it('keeps the user already assigned to this email', () =>
    given([requested(A), verified(A, existingUser, true), requested(B)])
      .when(verify('987654321'))
      .then([verified(B, existingUser, false)]));

  it('compares against the newest challenge when none is named', () => {
    const seen: unknown[] = [];
    const state = [requested(A), requested(B)].reduce(otpDecider.evolve, otpDecider.initialState());
    otpDecider.decide({ ...verify('x'), codeMatches: (stored) => (seen.push(stored), false) }, state);
    expect(seen).toEqual([{ challengeId: B, codeHash: hashOf(B, '987654321') }]);
  });

  it('rejects the code of an older challenge when none is named, as a wrong code for the newest', () =>
    given([requested(A), requested(B)])
      .when(verify('123456789'))
      .then([wrong(B, 4)]));

  it('verifies an older pending challenge that is named', () =>
    given([requested(A), requested(B)])
      .when(verify('123456789', at(60_000), A))
      .then([verified(A, newUserId, true)]));

  it('counts a wrong code against the named challenge only', () =>
    given([requested(A), requested(B), ...wrongs(B, 4)])
      .when(verify('000000000', at(60_000), A))
      .then([wrong(A, 4)]));

  it('never verifies the code of one challenge named as another', () =>
    given([requested(A), requested(B)])
      .when(verify('123456789', at(60_000), B))
      .then([wrong(B, 4)]));

  it('refuses a named challenge this email does not have, recording nothing', () =>
    given([requested(A)])
      .when(verify('555555555', at(60_000), C))
      .thenRefuses('no_challenge'));

  it("leaves the owner's challenge verifiable after another challenge of the email is locked", () =>
    given([requested(A), requested(B), ...wrongs(B, 5), locked(B)])
      .when(verify('123456789', at(60_000), A))
      .then([verified(A, newUserId, true)]));

  it('records a wrong code and the attempts left', () =>
    given([requested(A)])
      .when(verify('000000000'))
      .then([wrong(A, 4)]));

  it('counts down the attempts left', () =>
    given([requested(A), ...wrongs(A, 3)])
      .when(verify('000000000'))
      .then([wrong(A, 1)]));

  it('locks the challenge on the fifth wrong code', () =>
    given([requested(A), ...wrongs(A, 4)])
      .when(verify('000000000'))
      .then([wrong(A, 0), locked(A)]));

  it('still verifies the right code on the last attempt', () =>
    given([requested(A), ...wrongs(A, 4)])
      .when(verify('123456789'))
      .then([verified(A, newUserId, true)]));

  it('keeps a locked challenge locked even for the right code', () =>
    given(lockedOut(A))
      .when(verify('123456789'))
      .then([failed(A, 'locked', 0)]));

  it('uses a code once', () =>
    given([requested(A), verified(A, newUserId, true)])
      .when(verify('123456789'))
      .then([failed(A, 'already_used', OTP_MAX_ATTEMPTS)]));

  it('uses a named code once', () =>
    given([requested(A), requested(B), verified(A, newUserId, true)])
      .when(verify('123456789', at(60_000), A))
      .then([failed(A, 'already_used', OTP_MAX_ATTEMPTS)]));

  it('accepts the right code a millisecond before expiry', () =>
    given([requested(A)])
      .when(verify('123456789', at(OTP_TTL_MS - 1)))
      .then([verified(A, newUserId, true, at(OTP_TTL_MS - 1))]));

  it('is expired exactly at expiresAt, without using an attempt', () =>
    given([requested(A), ...wrongs(A, 2)])
      .when(verify('123456789', at(OTP_TTL_MS)))
      .then([failed(A, 'expired', 3, at(OTP_TTL_MS))]));

  it('does not even compare the code of an expired challenge', () => {
    const state = [requested(A)].reduce(otpDecider.evolve, otpDecider.initialState());
    const command = { ...verify('x', at(OTP_TTL_MS + 1)), codeMatches: () => expect.fail('compared an expired code') };
    expect(otpDecider.decide(command, state)).toEqual([failed(A, 'expired', OTP_MAX_ATTEMPTS, at(OTP_TTL_MS + 1))]);
  });

  it('reports a lock before an expiry', () =>
    given(lockedOut(A))
      .when(verify('123456789', at(OTP_TTL_MS * 2)))
      .then([failed(A, 'locked', 0, at(OTP_TTL_MS * 2))]));

  it('gives a fresh challenge after a lock its full attempts', () =>
    given([...lockedOut(A), requested(B)])
      .when(verify('000000000'))
      .then([wrong(B, 4)]));
});

// What is recorded can only narrow a challenge: these givens are records no
// decision makes, and none of them may restore attempts or reopen anything.
describe('recorded failures never unlock or extend', () => {
  it('ignores a failure that claims more attempts than are left', () =>
    given([requested(A), ...wrongs(A, 4), wrong(A, 5)])
      .when(verify('000000000'))
      .then([wrong(A, 0), locked(A)]));

  it('ignores failures and locks of a challenge the email does not have', () =>
    given([requested(B), wrong(C, 0), locked(C)])
      .when(verify('987654321'))
      .then([verified(B, newUserId, true)]));

  it('does not reopen a used challenge with a later failure record', () =>
    given([requested(A), verified(A, newUserId, true), failed(A, 'already_used', 5)])
      .when(verify('123456789'))
      .then([failed(A, 'already_used', 5)]));

  it('does not let a verification record unlock a locked challenge', () =>
    given([...lockedOut(A), verified(A, newUserId, true)])
      .when(verify('123456789'))
      .then([failed(A, 'locked', 0)]));

  it('never replaces the user of an email with a later verification record', () =>
    given([requested(A), verified(A, existingUser, true), requested(B), verified(B, newUserId, true), requested(A)])
      .when(verify('123456789'))
      .then([verified(A, existingUser, false)]));
});

// Wrong codes in a row across all of an email's challenges: free for 20, then
// growing delays, a hard stop at 100, all reset by a verification.
describe('the per-email budget of wrong codes', () => {
  const MIN = 60_000;
  // `count` wrong codes over challenges of five attempts each, the last at `lastAt`.
  const failuresInARow = (count: number, lastAt = at(MIN)): OtpEvent[] => {
    const events: OtpEvent[] = [];
    for (let i = 0; i < count; i += 1) {
      const id = `chl_${(0xf000 + Math.floor(i / OTP_MAX_ATTEMPTS)).toString(16).padStart(16, '0')}`;
      const left = OTP_MAX_ATTEMPTS - 1 - (i % OTP_MAX_ATTEMPTS);
      if (left === OTP_MAX_ATTEMPTS - 1) events.push(requested(id, lastAt));
      events.push(wrong(id, left, lastAt));
      if (left === 0) events.push(locked(id));
    }
    return events;
  };

  it('lets the owner verify after 19 wrong codes from anyone without a wait', () =>
    given([requested(A, at(MIN)), ...failuresInARow(19)])
      .when(verify('123456789', at(MIN), A))
      .then([verified(A, newUserId, true, at(MIN))]));

  it('holds the next comparison 30 s after the 20th wrong code in a row, saying how long', () =>
    given([requested(A, at(MIN)), ...failuresInARow(20)])
      .when(verify('123456789', at(MIN + 10_000), A))
      .thenRefuses('verification_delayed', { retryAfterSeconds: 20 }));

  it('compares again once the delay has passed', () =>
    given([requested(A, at(MIN)), ...failuresInARow(20)])
      .when(verify('123456789', at(MIN + 30_000), A))
      .then([verified(A, newUserId, true, at(MIN + 30_000))]));

  it.each([
    [30, 60],
    [50, 240],
    [80, 1920],
    [90, 3600],
    [99, 3600],
  ])('waits longer the more wrong codes in a row: after %i, %i s', (count, seconds) =>
    given([requested(A, at(MIN)), ...failuresInARow(count)])
      .when(verify('123456789', at(MIN), A))
      .thenRefuses('verification_delayed', { retryAfterSeconds: seconds }),
  );

  it('stops comparing for a day after 100 wrong codes in a row', () =>
    given([...failuresInARow(100), requested(A, at(MIN + 2 * HOUR))])
      .when(verify('123456789', at(MIN + 2 * HOUR), A))
      .thenRefuses('verification_delayed', { retryAfterSeconds: 22 * 3600 }));

  it('forgets a run of wrong codes a day after its last one', () =>
    given([...failuresInARow(100), requested(A, at(MIN + 24 * HOUR))])
      .when(verify('123456789', at(MIN + 24 * HOUR), A))
      .then([verified(A, newUserId, true, at(MIN + 24 * HOUR))]));

  it('resets the count on a verification', () =>
    given([requested(A, at(MIN)), ...failuresInARow(19), verified(A, newUserId, true, at(MIN)), requested(B, at(MIN))])
      .when(verify('000000000', at(MIN), B))
      .then([wrong(B, 4, at(MIN))]));

  it('counts neither expired, used nor locked challenges, which are never compared', () =>
    given([requested(A, at(MIN)), ...failuresInARow(19), failed('chl_000000000000f000', 'locked', 0, at(MIN))])
      .when(verify('123456789', at(MIN), A))
      .then([verified(A, newUserId, true, at(MIN))]));

  it('does not hold back a verdict that needs no comparison', () =>
    given([requested(A, at(MIN)), verified(A, newUserId, true, at(MIN)), ...failuresInARow(20)])
      .when(verify('123456789', at(MIN), A))
      .then([failed(A, 'already_used', OTP_MAX_ATTEMPTS, at(MIN))]));
});
