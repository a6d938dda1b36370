import type { EventOf } from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';
import {
  failureDelaySeconds,
  isAllowedCodeLength,
  isExpired,
  OTP_FAILURE_MEMORY_MS,
  OTP_MAX_FAILURES_IN_A_ROW,
  OTP_REQUEST_WINDOW_MS,
  otpExpiresAt,
  secondsUntil,
} from './otp-policy';

export type RequestOtp = {
  type: 'RequestOtp';
  challengeId: string;
  customerId: string;
  emailKey: string;
  email: string;
  codeHash: string;
  /** Required: the handler generated the code with it, so the decider checks that same number. */
  codeLength: number;
  /** The tenant's settings when the code is sent, recorded on the challenge so a later change never reaches a code already out. */
  ttlSeconds: number;
  maxAttempts: number;
  /** Code requests this email may make per hour. */
  perEmailPerHour: number;
  now: Date;
};

/** What the decider shows the handler's comparison: the hash is keyed and bound to the challenge id. */
export type StoredCode = { challengeId: string; codeHash: string };

export type VerifyOtp = {
  type: 'VerifyOtp';
  /** The challenge the code was sent for, when the tenant passes it; otherwise the email's newest one. */
  challengeId?: string | undefined;
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
export type OtpEvent =
  | EventOf<'OtpRequested'>
  | EventOf<'OtpVerificationFailed'>
  | EventOf<'OtpChallengeLocked'>
  | EventOf<'OtpVerified'>
  | EventOf<'OtpRateLimitExceeded'>
  | EventOf<'EmailSent'>
  | EventOf<'EmailFailed'>;

export type ChallengeStatus = 'pending' | 'verified' | 'locked';

export interface Challenge {
  challengeId: string;
  codeHash: string;
  expiresAt: string;
  attemptsRemaining: number;
  status: ChallengeStatus;
}

export interface OtpState {
  /**
   * Every challenge of this email that has not yet expired when the newest was
   * asked for: each stands on its own, so a new code no longer cancels a
   * pending one and a guess at one never touches another.
   */
  challenges: Readonly<Record<string, Challenge>>;
  /** The newest challenge, which a verification naming none is compared with. */
  latestId: string | null;
  /** The user this email already belongs to, once any challenge was verified. */
  userId: string | null;
  /** Wrong codes in a row across all challenges of the email; a verification resets it. */
  failuresInARow: number;
  lastFailureAt: string | null;
  /** When the code requests of the last hour were made, oldest first. */
  requestedAts: readonly string[];
  /** Until when the per-email request limit was already recorded as exceeded. */
  limitRecordedUntil: string | null;
}

const initialState = (): OtpState => ({
  challenges: {},
  latestId: null,
  userId: null,
  failuresInARow: 0,
  lastFailureAt: null,
  requestedAts: [],
  limitRecordedUntil: null,
});

// Recorded facts about a challenge may only narrow it: an event for an unknown
// challenge, a higher attempt count or a move out of a final status is ignored,
// so no failure record can ever unlock or extend a challenge.
function narrow(state: OtpState, challengeId: string, change: (c: Challenge) => Challenge): OtpState {
  const current = state.challenges[challengeId];
  if (!current || current.status !== 'pending') return state;
  return { ...state, challenges: { ...state.challenges, [challengeId]: change(current) } };
}

// The failures in a row count only compared codes, and a run older than a day is forgotten.
const failuresInARowAt = (state: OtpState, now: Date): number =>
  state.lastFailureAt !== null && now.getTime() - Date.parse(state.lastFailureAt) >= OTP_FAILURE_MEMORY_MS ? 0 : state.failuresInARow;

function evolve(state: OtpState, event: OtpEvent): OtpState {
  switch (event.type) {
    case 'OtpRequested': {
      const { challengeId, codeHash, expiresAt, maxAttempts, requestedAt } = event.data;
      // Challenges expired by now can never matter again: dropping them keeps the state bounded.
      const live = Object.values(state.challenges).filter((c) => Date.parse(c.expiresAt) > Date.parse(requestedAt));
      const windowStart = Date.parse(requestedAt) - OTP_REQUEST_WINDOW_MS;
      return {
        ...state,
        challenges: {
          ...Object.fromEntries(live.map((c) => [c.challengeId, c])),
          [challengeId]: { challengeId, codeHash, expiresAt, attemptsRemaining: maxAttempts, status: 'pending' },
        },
        latestId: challengeId,
        requestedAts: [...state.requestedAts.filter((at) => Date.parse(at) > windowStart), requestedAt],
      };
    }
    case 'OtpVerificationFailed': {
      const narrowed = narrow(state, event.data.challengeId, (c) => ({
        ...c,
        attemptsRemaining: Math.min(c.attemptsRemaining, event.data.attemptsRemaining),
      }));
      if (event.data.reason !== 'wrong_code' || narrowed === state) return narrowed;
      return {
        ...narrowed,
        failuresInARow: Math.min(OTP_MAX_FAILURES_IN_A_ROW, state.failuresInARow + 1),
        lastFailureAt: event.data.failedAt ?? null,
      };
    }
    case 'OtpChallengeLocked':
      return narrow(state, event.data.challengeId, (c) => ({ ...c, attemptsRemaining: 0, status: 'locked' }));
    case 'OtpVerified': {
      const narrowed = narrow(state, event.data.challengeId, (c) => ({ ...c, status: 'verified' }));
      if (narrowed === state) return state;
      return { ...narrowed, userId: state.userId ?? event.data.userId, failuresInARow: 0, lastFailureAt: null };
    }
    case 'OtpRateLimitExceeded':
      return { ...state, limitRecordedUntil: event.data.retryAt };
    // How the code's email went changes no rule: a challenge whose email failed simply expires.
    case 'EmailSent':
    case 'EmailFailed':
      return state;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

// Each code stands on its own until it expires, and a lock no longer holds the
// next code back: whoever can ask for a code for an email could otherwise
// cancel or lock out its owner's. Guessing is bounded instead by the per-email
// budget of wrong codes in a row (see verify) and by perEmailPerHour requests,
// counted from this stream; the request past it records the excess once per
// window and sends nothing.
function request(command: RequestOtp, state: OtpState): OtpEvent[] {
  const { challengeId, customerId, emailKey, email, codeHash, codeLength, ttlSeconds, maxAttempts, perEmailPerHour, now } = command;
  if (!isAllowedCodeLength(codeLength)) {
    throw new DomainError('invalid_code_length', 'code length is outside the allowed range', { codeLength });
  }
  const existing = state.challenges[challengeId];
  if (existing) {
    // A retried command after its append succeeded: already recorded.
    if (existing.codeHash === codeHash) return [];
    throw new DomainError('challenge_exists', 'challenge id already used', { challengeId });
  }
  const inWindow = state.requestedAts.filter((at) => now.getTime() - Date.parse(at) < OTP_REQUEST_WINDOW_MS);
  if (inWindow.length >= perEmailPerHour) {
    const retryAt = Date.parse(inWindow[inWindow.length - perEmailPerHour] ?? now.toISOString()) + OTP_REQUEST_WINDOW_MS;
    const retryAfterSeconds = secondsUntil(retryAt, now);
    if (state.limitRecordedUntil !== null && Date.parse(state.limitRecordedUntil) > now.getTime()) {
      throw new DomainError('too_many_code_requests', 'too many codes were requested for this email', { retryAfterSeconds });
    }
    return [
      { type: 'OtpRateLimitExceeded', data: { limit: 'perEmailPerHour', max: perEmailPerHour, retryAt: new Date(retryAt).toISOString() } },
    ];
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
        expiresAt: otpExpiresAt(now, ttlSeconds).toISOString(),
        maxAttempts,
      },
    },
  ];
}

type FailureReason = EventOf<'OtpVerificationFailed'>['data']['reason'];
const failed = (challengeId: string, reason: FailureReason, attemptsRemaining: number, now: Date): OtpEvent => ({
  type: 'OtpVerificationFailed',
  data: { challengeId, reason, attemptsRemaining, failedAt: now.toISOString() },
});

// Failures are events, not refusals: the attempt counters must be persisted, and
// audit and usage ('otpFailed') count every attempt. The order of checks makes
// a used or locked challenge final before time or code are even looked at, and
// an expired one is never compared, so it burns no attempt and confirms nothing.
// The per-email budget is checked just before a comparison: only a compared
// code counts against it, and while its delay holds nothing is compared.
function verify(command: VerifyOtp, state: OtpState): OtpEvent[] {
  const { now } = command;
  const targetId = command.challengeId ?? state.latestId;
  const challenge = targetId === null ? undefined : state.challenges[targetId];
  // Refused rather than recorded: a failure event needs a challenge of this
  // stream, and recording one would let anyone create a stream for any email.
  if (!challenge) throw new DomainError('no_challenge', 'no such code was requested for this email');
  const { challengeId, codeHash, attemptsRemaining, status } = challenge;
  if (status === 'verified') return [failed(challengeId, 'already_used', attemptsRemaining, now)];
  if (status === 'locked') return [failed(challengeId, 'locked', 0, now)];
  if (isExpired(challenge.expiresAt, now)) return [failed(challengeId, 'expired', attemptsRemaining, now)];
  const inARow = failuresInARowAt(state, now);
  if (inARow > 0 && state.lastFailureAt !== null) {
    const last = Date.parse(state.lastFailureAt);
    const until = inARow >= OTP_MAX_FAILURES_IN_A_ROW ? last + OTP_FAILURE_MEMORY_MS : last + failureDelaySeconds(inARow) * 1000;
    if (until > now.getTime()) {
      throw new DomainError('verification_delayed', 'too many wrong codes for this email; wait before trying again', {
        retryAfterSeconds: secondsUntil(until, now),
        limit: OTP_MAX_FAILURES_IN_A_ROW,
      });
    }
  }
  if (command.codeMatches({ challengeId, codeHash })) {
    const newUser = state.userId === null;
    return [
      {
        type: 'OtpVerified',
        data: {
          challengeId,
          userId: state.userId ?? command.newUserId,
          newUser,
          verifiedAt: now.toISOString(),
        },
      },
    ];
  }
  const remaining = Math.max(0, attemptsRemaining - 1);
  const wrong = failed(challengeId, 'wrong_code', remaining, now);
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
