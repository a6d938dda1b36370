import { streams, type TokenResponse } from '@otp/contracts';
import { emailKey, otpCodeHash, randomHex, secretEquals } from '@otp/platform/crypto';
import { DomainError } from '../handling/decider';
import { Refusal } from '../handling/refusal';
import { otpDecider } from './otp-decider';
import { lockedDetail, secondsUntilNewCode } from './otp-policy';
import { outcomeOf, type VerifyOutcome } from './verify-outcome';
import { sessionDecider } from '../sessions/session-decider';
import { userDecider } from '../users/user-decider';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { normaliseEmail } from '../users/emails';

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
  input: { customerId: string; clientId: string; email: string; code: string },
  ctx: CommandContext,
): Promise<TokenResponse & { position: bigint | undefined }> {
  const email = normaliseEmail(input.email);
  const key = emailKey(deps.hashKey, input.customerId, email);
  const verified = await deps.commands
    .handle(
      streams.otp(input.customerId, key),
      otpDecider,
      {
        type: 'VerifyOtp',
        codeMatches: (stored) => secretEquals(stored.codeHash, otpCodeHash(deps.hashKey, stored.challengeId, input.code)),
        newUserId: `usr_${randomHex(8)}`,
        now: ctx.now,
      },
      ctx,
    )
    .catch((error: unknown) => {
      // No challenge for this email: refused without an event (recording it would create a stream for any address).
      if (error instanceof DomainError && error.code === 'no_challenge') throw refusalOf({ kind: 'no_challenge' }, undefined, ctx.now);
      throw error;
    });
  const outcome = outcomeOf(verified.events);
  if (outcome.kind !== 'verified') throw refusalOf(outcome, verified.state.challenge?.expiresAt, ctx.now);

  const challenge = verified.events.find((e) => e.type === 'OtpVerified');
  const challengeId = challenge?.type === 'OtpVerified' ? challenge.data.challengeId : '';
  const sessionId = `ses_${randomHex(8)}`;
  const refresh = deps.tokens.newRefreshToken(sessionId);
  const { userId } = outcome;
  const now = ctx.now;
  // Different streams: the two appends land in the same group commit.
  const [login, session, accessToken] = await Promise.all([
    deps.commands.handle(
      streams.user(input.customerId, userId),
      userDecider,
      { type: 'RecordLogin', userId, customerId: input.customerId, email, emailKey: key, sessionId, challengeId, now },
      ctx,
    ),
    deps.commands.handle(
      streams.session(sessionId),
      sessionDecider,
      {
        type: 'StartSession',
        sessionId,
        userId,
        customerId: input.customerId,
        refreshTokenHash: refresh.hash,
        ttlSeconds: deps.tokens.settings.refreshTokenTtlSeconds,
        now,
      },
      ctx,
    ),
    // The command id, not the request id: a client may send its own X-Request-Id, and a token id
    // others revoke or dedupe by must be unique and not the client's choice.
    deps.tokens.accessToken({ userId, customerId: input.customerId, clientId: input.clientId, email, sessionId, jti: ctx.commandId, now }),
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

/**
 * What the caller is told when the code did not verify. A locked code says
 * when the email can get a new one, as a request for it would be refused
 * until then.
 */
function refusalOf(outcome: Exclude<VerifyOutcome, { kind: 'verified' }>, codeExpiresAt: string | undefined, now: Date): Refusal {
  switch (outcome.kind) {
    case 'wrong_code':
      return new Refusal('wrong_code', 'the code is not correct', { attemptsRemaining: outcome.attemptsRemaining });
    case 'locked': {
      const retryAfterSeconds = codeExpiresAt === undefined ? 0 : secondsUntilNewCode(codeExpiresAt, now);
      if (codeExpiresAt === undefined || retryAfterSeconds === 0) {
        return new Refusal('challenge_locked', 'too many wrong codes; request a new code', { attemptsRemaining: 0 });
      }
      return new Refusal('challenge_locked', lockedDetail(codeExpiresAt), { attemptsRemaining: 0, retryAfterSeconds });
    }
    // One answer for these three: which of them applies is nobody's business but the code holder's.
    case 'expired':
    case 'already_used':
    case 'no_challenge':
      return new Refusal('code_not_valid', 'the code is not valid or has expired; request a new code', { attemptsRemaining: 0 });
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}
