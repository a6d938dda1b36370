import type { IntrospectionResponse } from '@otp/contracts';
import type { CommandDeps } from '../handling/command-deps';
import { liveAccessToken, refreshTokenLive, sessionOfPresentedRefreshToken } from '../sessions/session-of-token';
import type { AccessTokenVerifier } from './access-token-verifier';

const INACTIVE: IntrospectionResponse = { active: false };
const seconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

/**
 * RFC 7662 for the calling tenant's tokens only: another tenant's token is
 * answered inactive, exactly as an unknown one. An access token is active
 * while it verifies and its session holds; a refresh token while it is the
 * session's current one and the session has not expired.
 */
export async function introspectToken(
  deps: CommandDeps,
  verify: AccessTokenVerifier,
  input: { customerId: string; token: string },
  now: Date,
): Promise<IntrospectionResponse> {
  if (input.token.startsWith('rt_')) {
    const found = await sessionOfPresentedRefreshToken(deps, input.token, input.customerId);
    if (!found || found.match !== 'current' || !refreshTokenLive(deps, found.session, now)) return INACTIVE;
    const { session } = found;
    const absolute = seconds(session.startedAt!) + deps.tokens.settings.sessionMaxAgeSeconds;
    return {
      active: true,
      token_type: 'refresh_token',
      sub: session.userId!,
      aud: session.customerId!,
      exp: Math.min(seconds(session.expiresAt!), absolute),
      sid: session.sessionId!,
    };
  }
  const live = await liveAccessToken(deps, verify, input.token, now, input.customerId);
  if (!live) return INACTIVE;
  const { sub, aud, client_id, exp, iat, jti, sid } = live.claims;
  return { active: true, token_type: 'access_token', sub, aud, client_id, exp, iat, jti, sid };
}
