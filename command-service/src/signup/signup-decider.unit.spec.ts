import { describe, expect, it } from 'vitest';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { DEFAULT_TENANT_CONFIG } from '@otp/contracts';
import type { VerifyOtp } from '../otp/otp-decider';
import { signupDecider, type RequestSignup, type SignupEvent, type SignupState } from './signup-decider';

const given = contractCheckedSpecFor(signupDecider);
const { length: OTP_DEFAULT_CODE_LENGTH, maxAttempts: OTP_MAX_ATTEMPTS } = DEFAULT_TENANT_CONFIG.otp;
const OTP_TTL_MS = DEFAULT_TENANT_CONFIG.otp.ttlSeconds * 1000;
const customerId = 'cus_00000000000000d1';
const A = 'chl_000000000000000a';
const B = 'chl_000000000000000b';
const owner = 'usr_00000000000000d1';
const t0 = new Date('2025-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const hashOf = (challengeId: string) => `h(${challengeId}:123456789)`;

const ask = (challengeId: string, now = t0, companyName = 'Acme Ltd'): RequestSignup => ({
  type: 'RequestSignup',
  challengeId,
  customerId,
  emailKey: 'sk-ada',
  email: 'ada@acme.test',
  codeHash: hashOf(challengeId),
  codeLength: OTP_DEFAULT_CODE_LENGTH,
  ttlSeconds: OTP_TTL_MS / 1000,
  maxAttempts: OTP_MAX_ATTEMPTS,
  perEmailPerHour: 3,
  companyName,
  plan: 'free',
  now,
});
const codeSent = (challengeId: string, now = t0): SignupEvent => ({
  type: 'OtpRequested',
  data: {
    challengeId,
    customerId,
    emailKey: 'sk-ada',
    email: 'ada@acme.test',
    codeHash: hashOf(challengeId),
    codeLength: OTP_DEFAULT_CODE_LENGTH,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + OTP_TTL_MS).toISOString(),
    maxAttempts: OTP_MAX_ATTEMPTS,
  },
});
const applied = (challengeId: string, now = t0, companyName = 'Acme Ltd'): SignupEvent => ({
  type: 'SignupRequested',
  data: { challengeId, customerId, companyName, plan: 'free', requestedAt: now.toISOString() },
});
const verify = (code: string, now = at(60_000)): VerifyOtp => ({
  type: 'VerifyOtp',
  codeMatches: ({ challengeId, codeHash }) => `h(${challengeId}:${code})` === codeHash,
  newUserId: owner,
  now,
});
const fold = (events: SignupEvent[]): SignupState => events.reduce(signupDecider.evolve, signupDecider.initialState());

describe('RequestSignup', () => {
  it('sends a code as the OTP rules do and records what to register with it', () =>
    given([])
      .when(ask(A))
      .then([codeSent(A), applied(A)]));

  it('records nothing for a retried request already recorded', () =>
    given([codeSent(A), applied(A)])
      .when(ask(A))
      .thenNothing());

  it('keeps to the per-email request limit: the fourth in an hour records the excess once and registers nothing', () => {
    const three = [0, 1, 2].flatMap((m) => [codeSent(`chl_00000000000000${m}0`, at(m * 60_000)), applied(`chl_00000000000000${m}0`)]);
    const decided = signupDecider.decide(ask(B, at(5 * 60_000)), fold(three));
    expect(decided.map((e) => e.type)).toEqual(['OtpRateLimitExceeded']);
    given([...three, ...decided])
      .when(ask('chl_00000000000000ff', at(6 * 60_000)))
      .thenRefuses('too_many_code_requests');
  });
});

describe('VerifyOtp on a signup', () => {
  it('verifies the code as the OTP decider does', () =>
    given([codeSent(A), applied(A)])
      .when(verify('123456789'))
      .then([{ type: 'OtpVerified', data: { challengeId: A, userId: owner, newUser: true, verifiedAt: at(60_000).toISOString() } }]));

  it('records a wrong code as a failure of the challenge', () =>
    given([codeSent(A), applied(A)])
      .when(verify('000000000'))
      .then([
        {
          type: 'OtpVerificationFailed',
          data: { challengeId: A, reason: 'wrong_code', attemptsRemaining: OTP_MAX_ATTEMPTS - 1, failedAt: at(60_000).toISOString() },
        },
      ]));

  it('answers a second verify of a used code as used: the customer is registered once', () =>
    given([codeSent(A), applied(A), ...signupDecider.decide(verify('123456789'), fold([codeSent(A), applied(A)]))])
      .when(verify('123456789', at(90_000)))
      .then([
        {
          type: 'OtpVerificationFailed',
          data: { challengeId: A, reason: 'already_used', attemptsRemaining: OTP_MAX_ATTEMPTS, failedAt: at(90_000).toISOString() },
        },
      ]));

  it('answers an expired code as expired', () =>
    given([codeSent(A), applied(A)])
      .when(verify('123456789', at(OTP_TTL_MS)))
      .then([
        {
          type: 'OtpVerificationFailed',
          data: { challengeId: A, reason: 'expired', attemptsRemaining: OTP_MAX_ATTEMPTS, failedAt: at(OTP_TTL_MS).toISOString() },
        },
      ]));

  it('refuses an email that asked for no signup code', () => given([]).when(verify('123456789')).thenRefuses('no_challenge'));
});

describe('the signup state', () => {
  it('keeps each live challenge with what it asked to register', () =>
    expect(fold([codeSent(A), applied(A), codeSent(B, at(60_000)), applied(B, at(60_000), 'Acme Two')]).applications).toEqual({
      [A]: { companyName: 'Acme Ltd', plan: 'free' },
      [B]: { companyName: 'Acme Two', plan: 'free' },
    }));

  it('forgets the application of a challenge the OTP state forgot (expired when a newer was asked for)', () => {
    const later = at(OTP_TTL_MS + 60_000);
    expect(Object.keys(fold([codeSent(A), applied(A), codeSent(B, later), applied(B, later)]).applications)).toEqual([B]);
  });
});
