import { streams, type TokenResponse } from '@otp/contracts';
import { secretEquals } from '@otp/platform/crypto';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { Refusal } from '../handling/refusal';
import { sessionOfRefreshToken } from '../tokens/token-issuer';
import { userDecider } from '../users/user-decider';
import { sessionDecider } from './session-decider';

/**
 * Exchanges the session's current refresh token for a new pair, decided on
 * the session's stream: the per-stream queue runs concurrent exchanges of one
 * token one after another, so the first retires it and every later one is
 * reuse. Reuse is recorded (SessionRevoked, the whole family ends) and then
 * refused, as a wrong OTP code is recorded and then refused.
 */
export async function refreshSession(
  deps: CommandDeps,
  input: { customerId: string; clientId: string; refreshToken: string },
  ctx: CommandContext,
): Promise<TokenResponse & { position: bigint | undefined }> {
  const sessionId = sessionOfRefreshToken(input.refreshToken);
  if (!sessionId) throw new Refusal('refresh_token_unknown', 'not a refresh token this service issued');
  const presented = deps.tokens.refreshTokenHash(input.refreshToken);
  const next = deps.tokens.newRefreshToken(sessionId);
  const { settings } = deps.tokens;
  const handled = await deps.commands.handle(
    streams.session(sessionId),
    sessionDecider,
    {
      type: 'RefreshSession',
      customerId: input.customerId,
      tokenMatches: (stored) => secretEquals(stored, presented),
      newRefreshTokenHash: next.hash,
      idleTtlSeconds: settings.refreshTokenTtlSeconds,
      maxAgeSeconds: settings.sessionMaxAgeSeconds,
      now: ctx.now,
    },
    ctx,
  );
  if (handled.events.some((e) => e.type === 'SessionRevoked')) {
    throw new Refusal('refresh_token_reused', 'the refresh token was already used; the session is revoked', { sessionId });
  }
  const userId = handled.state.userId!;
  const user = await deps.commands.read(streams.user(input.customerId, userId), userDecider);
  const accessToken = await deps.tokens.accessToken({
    userId,
    customerId: input.customerId,
    clientId: input.clientId,
    email: user.email ?? '',
    sessionId,
    jti: ctx.commandId,
    now: ctx.now,
  });
  return {
    accessToken,
    refreshToken: next.token,
    tokenType: 'Bearer',
    expiresIn: settings.accessTokenTtlSeconds,
    user: { id: userId, email: user.email ?? '' },
    position: handled.position,
  };
}
