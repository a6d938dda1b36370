import { describe, expect, it } from 'vitest';
import type { OtpEvent } from './otp-decider';
import { outcomeOf } from './verify-outcome';

const challengeId = 'chl_000000000000000a';
const userId = 'usr_00000000000000f1';
const failed = (reason: 'wrong_code' | 'expired' | 'no_challenge' | 'already_used' | 'locked', attemptsRemaining: number): OtpEvent => ({
  type: 'OtpVerificationFailed',
  data: { challengeId, reason, attemptsRemaining },
});

describe('outcomeOf', () => {
  it('reads a verification', () =>
    expect(
      outcomeOf([{ type: 'OtpVerified', data: { challengeId, userId, newUser: true, verifiedAt: '2025-03-01T12:01:00.000Z' } }]),
    ).toEqual({ kind: 'verified', userId, newUser: true }));

  it('reads a wrong code with the attempts left', () =>
    expect(outcomeOf([failed('wrong_code', 3)])).toEqual({ kind: 'wrong_code', attemptsRemaining: 3 }));

  it('reads the wrong code that used the last attempt as locked', () =>
    expect(outcomeOf([failed('wrong_code', 0), { type: 'OtpChallengeLocked', data: { challengeId } }])).toEqual({
      kind: 'locked',
    }));

  it.each(['expired', 'locked', 'already_used', 'no_challenge'] as const)('reads a %s failure', (reason) =>
    expect(outcomeOf([failed(reason, 0)])).toEqual({ kind: reason }),
  );

  it('refuses events that are not a verification decision', () => expect(() => outcomeOf([])).toThrow());
});
