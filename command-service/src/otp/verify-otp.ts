import { streams, type TokenResponse } from '@otp/contracts';
import { emailKey, otpCodeHash, randomHex, secretEquals } from '@otp/platform/crypto';
import { DomainError } from '../handling/decider';
import { Refusal } from '../handling/refusal';
import { otpDecider } from './otp-decider';
import { outcomeOf } from './verify-outcome';
import { sessionDecider } from '../sessions/session-decider';
import { userDecider } from '../users/user-decider';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { normaliseEmail } from '../users/emails';
import { tenantConfigOf } from '../tenant-config/tenant-config-of';

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
  input: { customerId: string; clientId: string; email: string; code: string; challengeId?: string | undefined },
  ctx: CommandContext,
): Promise<TokenResponse & { position: bigint | undefined }> {
  const email = normaliseEmail(input.email);
  const key = emailKey(deps.hashKey, input.customerId, email);
  // Read beside the verification, not after it: the lifetimes are needed only once the code holds.
  const config = tenantConfigOf(deps, input.customerId);
  const verifying = deps.commands
    .handle(
      streams.otp(input.customerId, key),
      otpDecider,
      {
        type: 'VerifyOtp',
        challengeId: input.challengeId,
        codeMatches: (stored) => secretEquals(stored.codeHash, otpCodeHash(deps.hashKey, stored.challengeId, input.code)),
        newUserId: `usr_${randomHex(8)}`,
        now: ctx.now,
      },
      ctx,
    )
    .catch((error: unknown) => {
      // No such challenge for this email: refused without an event (recording it would create a stream
      // for any address), after the same keyed hash a known email costs, so the two take the same time.
      if (error instanceof DomainError && error.code === 'no_challenge') {
        const hash = otpCodeHash(deps.hashKey, input.challengeId ?? 'chl_0000000000000000', input.code);
        secretEquals(hash, hash);
        throw notValid();
      }
      throw error;
    });
  const [verified, { tokens: lifetimes }] = await Promise.all([verifying, config]);
  const outcome = outcomeOf(verified.events);
  if (outcome.kind !== 'verified') throw notValid();

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
        ttlSeconds: lifetimes.refreshTtlSeconds,
        now,
      },
      ctx,
    ),
    // The command id, not the request id: a client may send its own X-Request-Id, and a token id
    // others revoke or dedupe by must be unique and not the client's choice.
    deps.tokens.accessToken({
      userId,
      customerId: input.customerId,
      clientId: input.clientId,
      email,
      sessionId,
      jti: ctx.commandId,
      ttlSeconds: lifetimes.accessTtlSeconds,
      now,
    }),
  ]);
  const positions = [verified.position, login.position, session.position].filter((p): p is bigint => p !== undefined);
  return {
    accessToken,
    refreshToken: refresh.token,
    tokenType: 'Bearer',
    expiresIn: lifetimes.accessTtlSeconds,
    user: { id: userId, email },
    position: positions.reduce((a, b) => (a > b ? a : b)),
  };
}

/**
 * What the caller is told whenever a code did not verify, whatever the reason
 * (wrong, locked, expired, used, or no code at all): one answer, so it says
 * nothing about whether the email has a challenge or a user. A lock no longer
 * holds back the next code, so "request a new code" is always true advice.
 */
const notValid = (): Refusal => new Refusal('code_not_valid', 'the code is not valid or has expired; request a new code');
