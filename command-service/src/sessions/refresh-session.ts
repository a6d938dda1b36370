import { streams, type TokenResponse } from '@otp/contracts';
import { secretEquals } from '@otp/platform/crypto';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { Refusal } from '../handling/refusal';
import { sessionOfRefreshToken } from '../tokens/token-issuer';
import { tenantConfigOf } from '../tenant-config/tenant-config-of';
import { userDecider } from '../users/user-decider';
import { sessionDecider } from './session-decider';
import { readSession } from './session-of-token';

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
  // The user first: a session whose user stream is missing (its write lost) is refused before its token is rotated away.
  // Another tenant's session is left to the decider, which answers it as no session.
  const { userId, customerId } = await readSession(deps, sessionId);
  const ours = userId !== null && customerId === input.customerId;
  const user = ours ? await deps.commands.read(streams.user(input.customerId, userId), userDecider) : undefined;
  if (user && !user.created) throw new Refusal('user_not_found', 'no such user', { userId });
  const presented = deps.tokens.refreshTokenHash(input.refreshToken);
  const next = deps.tokens.newRefreshToken(sessionId);
  const { settings } = deps.tokens;
  const lifetimes = (await tenantConfigOf(deps, input.customerId)).tokens;
  const handled = await deps.commands.handle(
    streams.session(sessionId),
    sessionDecider,
    {
      type: 'RefreshSession',
      customerId: input.customerId,
      tokenMatches: (stored) => secretEquals(stored, presented),
      newRefreshTokenHash: next.hash,
      idleTtlSeconds: lifetimes.refreshTtlSeconds,
      maxAgeSeconds: settings.sessionMaxAgeSeconds,
      now: ctx.now,
    },
    ctx,
  );
  if (handled.events.some((e) => e.type === 'SessionRevoked')) {
    throw new Refusal('refresh_token_reused', 'the refresh token was already used; the session is revoked', { sessionId });
  }
  const email = user?.email ?? '';
  const accessToken = await deps.tokens.accessToken({
    userId: handled.state.userId!,
    customerId: input.customerId,
    clientId: input.clientId,
    email,
    sessionId,
    jti: ctx.commandId,
    ttlSeconds: lifetimes.accessTtlSeconds,
    now: ctx.now,
  });
  return {
    accessToken,
    refreshToken: next.token,
    tokenType: 'Bearer',
    expiresIn: lifetimes.accessTtlSeconds,
    user: { id: handled.state.userId!, email },
    position: handled.position,
  };
}
