import type { OtpEvent } from './otp-decider';

export type VerifyOutcome =
  | { kind: 'verified'; userId: string; newUser: boolean }
  | { kind: 'wrong_code'; attemptsRemaining: number }
  | { kind: 'locked' }
  | { kind: 'expired' }
  | { kind: 'already_used' }
  | { kind: 'no_challenge' };

/**
 * What a VerifyOtp decision means for the caller, read from the events it
 * produced, so the HTTP layer answers from what was recorded. The wrong code
 * that uses up the last attempt reads as 'locked': the caller must request a
 * new code, and saying "0 attempts left" would only invite another try.
 */
export function outcomeOf(events: readonly OtpEvent[]): VerifyOutcome {
  const verified = events.find((e) => e.type === 'OtpVerified');
  if (verified) return { kind: 'verified', userId: verified.data.userId, newUser: verified.data.newUser };
  if (events.some((e) => e.type === 'OtpChallengeLocked')) return { kind: 'locked' };
  const failure = events.find((e) => e.type === 'OtpVerificationFailed');
  if (!failure) throw new Error('not the events of a VerifyOtp decision');
  const { reason, attemptsRemaining } = failure.data;
  switch (reason) {
    case 'wrong_code':
      return { kind: 'wrong_code', attemptsRemaining };
    case 'expired':
    case 'locked':
    case 'already_used':
    case 'no_challenge':
      return { kind: reason };
    default: {
      const unknown: never = reason;
      return unknown;
    }
  }
}
