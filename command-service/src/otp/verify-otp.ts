import { problemTypes, streams, type TokenResponse } from '@otp/contracts';
import { randomHex, secretEquals } from '@otp/platform/crypto';
import { ProblemError } from '@otp/platform/http';
import { DomainError } from '../handling/decider';
import { otpDecider } from './otp-decider';
import { outcomeOf, type VerifyOutcome } from './verify-outcome';
import { sessionDecider } from '../sessions/session-decider';
import { userDecider } from '../users/user-decider';
import { handleCommand } from '../handling/command-handler';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { emailKeyOf, normaliseEmail } from '../users/emails';
import { codeHashOf } from './request-otp';

/**
 * Verifies a code against the email's challenge stream, the one place that
 * decides it (attempts, expiry, single use). On success the login is recorded
 * on the user's stream and a session on its own stream, then tokens are signed.
 *
 * The OTP stream is the consistency point: if the process dies after it and
 * before the user stream, the next verify for the email reuses the recorded
 * userId and the user decider writes the missing UserCreated.
 */
export async function verifyOtp(
  deps: CommandDeps,
  input: { customerId: string; email: string; code: string },
  ctx: CommandContext,
): Promise<TokenResponse & { position: bigint | undefined }> {
  const email = normaliseEmail(input.email);
  const emailKey = emailKeyOf(deps.hashKey, input.customerId, email);
  const verified = await handleCommand(
    deps.eventStore,
    streams.otp(input.customerId, emailKey),
    otpDecider,
    {
      type: 'VerifyOtp',
      codeMatches: (stored) => secretEquals(stored.codeHash, codeHashOf(deps.hashKey, stored.challengeId, input.code)),
      newUserId: `usr_${randomHex(8)}`,
      now: ctx.now,
    },
    ctx,
  ).catch((error: unknown) => {
    // No challenge for this email: refused without an event (recording it would create a stream for any address).
    if (error instanceof DomainError && error.code === 'no_challenge') throw refusal({ kind: 'no_challenge' });
    throw error;
  });
  const outcome = outcomeOf(verified.events);
  if (outcome.kind !== 'verified') {
    // A locked code holds until it would have expired: that is when a new one may be asked for.
    const expiresAt = verified.state.challenge?.expiresAt;
    const retryAfterSeconds = expiresAt ? Math.max(1, Math.ceil((Date.parse(expiresAt) - ctx.now.getTime()) / 1000)) : 1;
    throw refusal(outcome, retryAfterSeconds);
  }

  const challenge = verified.events.find((e) => e.type === 'OtpVerified');
  const challengeId = challenge?.type === 'OtpVerified' ? challenge.data.challengeId : '';
  const sessionId = `ses_${randomHex(8)}`;
  const refresh = deps.tokens.newRefreshToken();
  const { userId } = outcome;
  const now = ctx.now;
  // Different streams: the two appends land in the same group commit.
  const [login, session, accessToken] = await Promise.all([
    handleCommand(deps.eventStore, streams.user(input.customerId, userId), userDecider,
      { type: 'RecordLogin', userId, customerId: input.customerId, email, emailKey, sessionId, challengeId, now }, ctx),
    handleCommand(deps.eventStore, streams.session(sessionId), sessionDecider,
      { type: 'StartSession', sessionId, userId, customerId: input.customerId, refreshTokenHash: refresh.hash,
        ttlSeconds: deps.tokens.settings.refreshTokenTtlSeconds, now }, ctx),
    // The command id, not the request id: a client may send its own X-Request-Id, and a token id
    // others revoke or dedupe by must be unique and not the client's choice.
    deps.tokens.accessToken({ userId, customerId: input.customerId, email, sessionId, jti: ctx.commandId, now }),
  ]);
  const positions = [verified.position, login.position, session.position].filter((p): p is bigint => p !== undefined);
  return {
    accessToken,
    refreshToken: refresh.token,
    tokenType: 'Bearer',
    expiresIn: deps.tokens.settings.accessTokenTtlSeconds,
    user: { id: userId, email },
    position: positions.reduce((a, b) => (a > b ? a : b)),
  };
}

function refusal(outcome: Exclude<VerifyOutcome, { kind: 'verified' }>, retryAfterSeconds = 1): ProblemError {
  switch (outcome.kind) {
    case 'wrong_code':
      return new ProblemError(401, problemTypes.invalidCode, 'Invalid code', 'the code is not correct', {
        attemptsRemaining: outcome.attemptsRemaining,
      });
    case 'locked':
      return new ProblemError(429, problemTypes.challengeLocked, 'Too many attempts', 'too many wrong codes; request a new code', {
        attemptsRemaining: 0,
      }, { 'Retry-After': String(retryAfterSeconds) });
    // One answer for these three: which of them applies is nobody's business but the code holder's.
    case 'expired':
    case 'already_used':
    case 'no_challenge':
      return new ProblemError(401, problemTypes.invalidCode, 'Invalid code', 'the code is not valid or has expired; request a new code', {
        attemptsRemaining: 0,
      });
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}
