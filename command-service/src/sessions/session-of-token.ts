import { streams } from '@otp/contracts';
import { secretEquals } from '@otp/platform/crypto';
import type { CommandDeps } from '../handling/command-deps';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../tokens/access-token-verifier';
import { sessionOfRefreshToken } from '../tokens/token-issuer';
import { sessionDecider, sessionLive, type SessionState } from './session-decider';

/**
 * Whether tokens are still accepted is decided per session, from its stream
 * (read through the process's state cache, so a revocation on any instance is
 * seen by the next check here), not from a denylist of token ids: one
 * revocation covers every access token of the session, those issued before
 * and any still in flight, and nothing grows with the number of tokens.
 */
export const readSession = (deps: CommandDeps, sessionId: string): Promise<SessionState> =>
  deps.commands.read(streams.session(sessionId), sessionDecider);

/** A verified access token of `customerId` whose session still holds, or null. */
export async function liveAccessToken(
  deps: CommandDeps,
  verify: AccessTokenVerifier,
  token: string,
  now: Date,
  customerId?: string,
): Promise<{ claims: VerifiedAccessToken; session: SessionState } | null> {
  const claims = await verify(token, now);
  if (!claims || (customerId !== undefined && claims.aud !== customerId)) return null;
  const session = await readSession(deps, claims.sid);
  // The token's audience and subject must be its session's: a token cannot borrow another tenant's session.
  if (session.status !== 'active' || session.customerId !== claims.aud || session.userId !== claims.sub) return null;
  return { claims, session };
}

export type RefreshTokenMatch = 'current' | 'retired';

/** A refresh token of `customerId`'s session, with whether it is the one that may be exchanged now; null when it is none of them. */
export async function sessionOfPresentedRefreshToken(
  deps: CommandDeps,
  token: string,
  customerId: string,
): Promise<{ session: SessionState; match: RefreshTokenMatch } | null> {
  const sessionId = sessionOfRefreshToken(token);
  if (!sessionId) return null;
  const session = await readSession(deps, sessionId);
  if (session.status === 'none' || session.customerId !== customerId) return null;
  const presented = deps.tokens.refreshTokenHash(token);
  if (session.refreshTokenHash !== null && secretEquals(session.refreshTokenHash, presented)) return { session, match: 'current' };
  if (session.retiredHashes.some((h) => secretEquals(h, presented))) return { session, match: 'retired' };
  return null;
}

export const refreshTokenLive = (deps: CommandDeps, session: SessionState, now: Date): boolean =>
  sessionLive(session, now, deps.tokens.settings.sessionMaxAgeSeconds);
