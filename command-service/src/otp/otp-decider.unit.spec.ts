import { describe, expect, it } from 'vitest';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { otpDecider, type OtpEvent, type RequestOtp, type VerifyOtp } from './otp-decider';
import { OTP_DEFAULT_CODE_LENGTH, OTP_MAX_ATTEMPTS, OTP_TTL_MS } from './otp-policy';

const given = contractCheckedSpecFor(otpDecider);
const customerId = 'cus_00000000000000a1';
const A = 'chl_000000000000000a';
const B = 'chl_000000000000000b';
const existingUser = 'usr_00000000000000e1';
const newUserId = 'usr_00000000000000f1';
const t0 = new Date('2025-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

// Stand-in for the handler's keyed hash: bound to the challenge id, so a code
// sent for one challenge cannot verify another.
const hashOf = (challengeId: string, code: string) => `h(${challengeId}:${code})`;
const codeOf: Record<string, string> = { [A]: '123456789', [B]: '987654321' };

const requestCmd = (challengeId: string, now = t0, codeLength = OTP_DEFAULT_CODE_LENGTH): RequestOtp => ({
  type: 'RequestOtp',
  challengeId,
  customerId,
  emailKey: 'ek-ada',
  email: 'ada@example.test',
  codeHash: hashOf(challengeId, codeOf[challengeId] ?? ''),
  codeLength,
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
const verify = (code: string, now = at(60_000)): VerifyOtp => ({
  type: 'VerifyOtp',
  codeMatches: ({ challengeId, codeHash }) => hashOf(challengeId, code) === codeHash,
  newUserId,
  now,
});
const failed = (
  challengeId: string,
  reason: 'wrong_code' | 'expired' | 'already_used' | 'locked',
  attemptsRemaining: number,
): OtpEvent => ({ type: 'OtpVerificationFailed', data: { challengeId, reason, attemptsRemaining } });
const wrong = (challengeId: string, attemptsRemaining: number) => failed(challengeId, 'wrong_code', attemptsRemaining);
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

  it.each([6, 7, 8, 9])('accepts a code length of %i', (codeLength) => {
    const [event] = otpDecider.decide(requestCmd(A, t0, codeLength), otpDecider.initialState());
    expect(event?.type === 'OtpRequested' && event.data.codeLength).toBe(codeLength);
  });

  it.each([5, 10, 7.5, 0])('refuses a code length of %s', (codeLength) =>
    given([])
      .when(requestCmd(A, t0, codeLength))
      .thenRefuses('invalid_code_length', { codeLength }),
  );

  it('supersedes a pending challenge', () =>
    given([requested(A)])
      .when(requestCmd(B, at(30_000)))
      .then([requested(B, at(30_000))]));

  // Otherwise five guesses, a new code, five more guesses... would make the lock
  // worthless: a locked email gets no new code until the locked one would have
  // expired, so guessing is bounded at five per ten minutes per email.
  it('refuses a new code while the last one is locked, saying when to ask again', () =>
    given(lockedOut(A))
      .when(requestCmd(B, at(30_000)))
      .thenRefuses('challenge_locked', { retryAfterSeconds: OTP_TTL_MS / 1000 - 30 }));

  it('rounds the wait up to a whole second', () =>
    given(lockedOut(A))
      .when(requestCmd(B, at(OTP_TTL_MS - 1)))
      .thenRefuses('challenge_locked', { retryAfterSeconds: 1 }));

  it('starts a fresh challenge once the locked one has expired', () =>
    given(lockedOut(A))
      .when(requestCmd(B, at(OTP_TTL_MS)))
      .then([requested(B, at(OTP_TTL_MS))]));

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

  it('compares against the current challenge only', () => {
    const seen: unknown[] = [];
    const state = [requested(A), requested(B)].reduce(otpDecider.evolve, otpDecider.initialState());
    otpDecider.decide({ ...verify('x'), codeMatches: (stored) => (seen.push(stored), false) }, state);
    expect(seen).toEqual([{ challengeId: B, codeHash: hashOf(B, '987654321') }]);
  });

  it('rejects the code of a superseded challenge as a wrong code', () =>
    given([requested(A), requested(B)])
      .when(verify('123456789'))
      .then([wrong(B, 4)]));

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

  it('accepts the right code a millisecond before expiry', () =>
    given([requested(A)])
      .when(verify('123456789', at(OTP_TTL_MS - 1)))
      .then([verified(A, newUserId, true, at(OTP_TTL_MS - 1))]));

  it('is expired exactly at expiresAt, without using an attempt', () =>
    given([requested(A), ...wrongs(A, 2)])
      .when(verify('123456789', at(OTP_TTL_MS)))
      .then([failed(A, 'expired', 3)]));

  it('does not even compare the code of an expired challenge', () => {
    const state = [requested(A)].reduce(otpDecider.evolve, otpDecider.initialState());
    const command = { ...verify('x', at(OTP_TTL_MS + 1)), codeMatches: () => expect.fail('compared an expired code') };
    expect(otpDecider.decide(command, state)).toEqual([failed(A, 'expired', OTP_MAX_ATTEMPTS)]);
  });

  it('reports a lock before an expiry', () =>
    given(lockedOut(A))
      .when(verify('123456789', at(OTP_TTL_MS * 2)))
      .then([failed(A, 'locked', 0)]));

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

  it('ignores failures and locks of a superseded challenge', () =>
    given([requested(A), requested(B), wrong(A, 0), locked(A)])
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
