import type { EventOf } from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';
import { isAllowedCodeLength, isExpired, lockedDetail, OTP_MAX_ATTEMPTS, otpExpiresAt, secondsUntilNewCode } from './otp-policy';

export type RequestOtp = {
  type: 'RequestOtp';
  challengeId: string;
  customerId: string;
  emailKey: string;
  email: string;
  codeHash: string;
  /** Required: the handler generated the code with it, so the decider checks that same number. */
  codeLength: number;
  now: Date;
};

/** What the decider shows the handler's comparison: the hash is keyed and bound to the challenge id. */
export type StoredCode = { challengeId: string; codeHash: string };

export type VerifyOtp = {
  type: 'VerifyOtp';
  /**
   * Hashes the presented code for this challenge and compares it with the
   * stored hash in constant time. A function, because the hash is bound to a
   * challenge id only the stream knows.
   */
  codeMatches: (stored: StoredCode) => boolean;
  /** Used only when this email has no user yet. */
  newUserId: string;
  now: Date;
};

export type OtpCommand = RequestOtp | VerifyOtp;
export type OtpEvent = EventOf<'OtpRequested'> | EventOf<'OtpVerificationFailed'> | EventOf<'OtpChallengeLocked'> | EventOf<'OtpVerified'>;

export type ChallengeStatus = 'pending' | 'verified' | 'locked';

export interface Challenge {
  challengeId: string;
  codeHash: string;
  expiresAt: string;
  attemptsRemaining: number;
  status: ChallengeStatus;
}

export interface OtpState {
  /** Only the latest challenge counts: a new request supersedes the previous one. */
  challenge: Challenge | null;
  /** The user this email already belongs to, once any challenge was verified. */
  userId: string | null;
}

const initialState = (): OtpState => ({ challenge: null, userId: null });

// Recorded facts about a challenge may only narrow it: an event for another
// challenge, a higher attempt count or a move out of a final status is ignored,
// so no failure record can ever unlock or extend a challenge.
function narrow(state: OtpState, challengeId: string, change: (c: Challenge) => Challenge): OtpState {
  const current = state.challenge;
  if (!current || current.challengeId !== challengeId || current.status !== 'pending') return state;
  return { ...state, challenge: change(current) };
}

function evolve(state: OtpState, event: OtpEvent): OtpState {
  switch (event.type) {
    case 'OtpRequested': {
      const { challengeId, codeHash, expiresAt, maxAttempts } = event.data;
      return { ...state, challenge: { challengeId, codeHash, expiresAt, attemptsRemaining: maxAttempts, status: 'pending' } };
    }
    case 'OtpVerificationFailed':
      return narrow(state, event.data.challengeId, (c) => ({
        ...c,
        attemptsRemaining: Math.min(c.attemptsRemaining, event.data.attemptsRemaining),
      }));
    case 'OtpChallengeLocked':
      return narrow(state, event.data.challengeId, (c) => ({ ...c, attemptsRemaining: 0, status: 'locked' }));
    case 'OtpVerified':
      return {
        ...narrow(state, event.data.challengeId, (c) => ({ ...c, status: 'verified' })),
        userId: state.userId ?? event.data.userId,
      };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

// A new code supersedes a pending or used one. A locked one holds until it would
// have expired: were a new code given at once, five guesses, a new code, five
// more guesses... would make the lock worthless (with 6 digits, half of all
// accounts within about 140,000 rounds). So guessing is bounded at five per
// ten minutes per email. How often codes may be asked for otherwise is the
// per-email request rate limit's job (a later issue).
function request(command: RequestOtp, state: OtpState): OtpEvent[] {
  const { challengeId, customerId, emailKey, email, codeHash, codeLength, now } = command;
  if (!isAllowedCodeLength(codeLength)) {
    throw new DomainError('invalid_code_length', 'code length is outside the allowed range', { codeLength });
  }
  if (state.challenge?.challengeId === challengeId) {
    // A retried command after its append succeeded: already recorded.
    if (state.challenge.codeHash === codeHash) return [];
    throw new DomainError('challenge_exists', 'challenge id already used', { challengeId });
  }
  if (state.challenge?.status === 'locked' && !isExpired(state.challenge.expiresAt, now)) {
    const { expiresAt } = state.challenge;
    throw new DomainError('challenge_locked', lockedDetail(expiresAt), { retryAfterSeconds: secondsUntilNewCode(expiresAt, now) });
  }
  return [
    {
      type: 'OtpRequested',
      data: {
        challengeId,
        customerId,
        emailKey,
        email,
        codeHash,
        codeLength,
        requestedAt: now.toISOString(),
        expiresAt: otpExpiresAt(now).toISOString(),
        maxAttempts: OTP_MAX_ATTEMPTS,
      },
    },
  ];
}

type FailureReason = EventOf<'OtpVerificationFailed'>['data']['reason'];
const failed = (challengeId: string, reason: FailureReason, attemptsRemaining: number): OtpEvent => ({
  type: 'OtpVerificationFailed',
  data: { challengeId, reason, attemptsRemaining },
});

// Failures are events, not refusals: the attempt counter must be persisted, and
// audit and usage ('otpFailed') count every attempt. The order of checks makes
// a used or locked challenge final before time or code are even looked at, and
// an expired one is never compared, so it burns no attempt and confirms nothing.
function verify(command: VerifyOtp, state: OtpState): OtpEvent[] {
  const challenge = state.challenge;
  // Refused rather than recorded: a failure event needs a challenge id, and
  // recording it would let anyone create a stream for any email address.
  if (!challenge) throw new DomainError('no_challenge', 'no code was requested for this email');
  const { challengeId, codeHash, attemptsRemaining, status } = challenge;
  if (status === 'verified') return [failed(challengeId, 'already_used', attemptsRemaining)];
  if (status === 'locked') return [failed(challengeId, 'locked', 0)];
  if (isExpired(challenge.expiresAt, command.now)) return [failed(challengeId, 'expired', attemptsRemaining)];
  if (command.codeMatches({ challengeId, codeHash })) {
    const newUser = state.userId === null;
    return [
      {
        type: 'OtpVerified',
        data: {
          challengeId,
          userId: state.userId ?? command.newUserId,
          newUser,
          verifiedAt: command.now.toISOString(),
        },
      },
    ];
  }
  const remaining = Math.max(0, attemptsRemaining - 1);
  const wrong = failed(challengeId, 'wrong_code', remaining);
  return remaining > 0 ? [wrong] : [wrong, { type: 'OtpChallengeLocked', data: { challengeId } }];
}

export const otpDecider: Decider<OtpCommand, OtpState, OtpEvent> = {
  initialState,
  evolve,
  decide: (command, state) => {
    switch (command.type) {
      case 'RequestOtp':
        return request(command, state);
      case 'VerifyOtp':
        return verify(command, state);
      default: {
        const unknown: never = command;
        return unknown;
      }
    }
  },
};
