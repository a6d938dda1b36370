import { streams } from '@otp/contracts';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import type { AccessTokenVerifier } from '../tokens/access-token-verifier';
import { sessionDecider } from './session-decider';
import { liveAccessToken, sessionOfPresentedRefreshToken } from './session-of-token';

/**
 * Logout (RFC 7009): the presented token, refresh or access, names its
 * session, and the session ends with every token it issued. A token that is
 * not the caller's, not valid or already revoked changes nothing and gets the
 * same answer, so the route tells nobody which tokens exist.
 */
export async function revokeToken(
  deps: CommandDeps,
  verify: AccessTokenVerifier,
  input: { customerId: string; token: string },
  ctx: CommandContext,
): Promise<bigint | undefined> {
  const sessionId = await sessionNamedBy(deps, verify, input, ctx.now);
  if (!sessionId) return undefined;
  const handled = await deps.commands.handle(
    streams.session(sessionId),
    sessionDecider,
    { type: 'RevokeSession', reason: 'logout', now: ctx.now },
    ctx,
  );
  return handled.position;
}

async function sessionNamedBy(
  deps: CommandDeps,
  verify: AccessTokenVerifier,
  input: { customerId: string; token: string },
  now: Date,
): Promise<string | null> {
  if (input.token.startsWith('rt_')) {
    const found = await sessionOfPresentedRefreshToken(deps, input.token, input.customerId);
    return found?.session.sessionId ?? null;
  }
  const live = await liveAccessToken(deps, verify, input.token, now, input.customerId);
  return live?.claims.sid ?? null;
}
