import { SignJWT } from 'jose';
import { TokenSettings as TenantTokenSettings } from '@otp/contracts';
import { randomToken, refreshTokenHash } from '@otp/platform/crypto';
import type { SigningKeySource } from './signing-keys';

/**
 * The longest an access token may live, whatever a tenant sets (its config's `tokens`): a
 * retired signing key stays published this long, so no token outlives the key that verifies it.
 */
export const LONGEST_ACCESS_TOKEN_TTL_SECONDS = TenantTokenSettings.shape.accessTtlSeconds.maxValue ?? 86_400;

/** The deployment's; the lifetimes of access and refresh tokens are each tenant's (its config's `tokens`). */
export interface TokenSettings {
  issuer: string;
  /** Absolute expiry (RFC 9700 §4.14.2): no refresh extends a session past its start plus this. */
  sessionMaxAgeSeconds: number;
}

export interface AccessTokenClaims {
  userId: string;
  customerId: string;
  /** The API key that verified the code or refreshed the session (RFC 9068 `client_id`). */
  clientId: string;
  email: string;
  sessionId: string;
  jti: string;
  /** The tenant's access token lifetime. */
  ttlSeconds: number;
  now: Date;
}

/**
 * Access tokens are short-lived JWTs (RFC 9068 profile: typ at+jwt) that
 * tenant backends verify offline against the JWKS; the audience is the
 * tenant, so a token minted for one tenant is refused by another's backend.
 * Refresh tokens are opaque random strings; only their keyed hash is stored.
 */
export function createTokenIssuer(keys: SigningKeySource, hashKey: Buffer, settings: TokenSettings) {
  return {
    settings,
    async accessToken(claims: AccessTokenClaims) {
      // Asked per token: a rotation on any instance signs from the next token on.
      const key = await keys.current(claims.now);
      const iat = Math.floor(claims.now.getTime() / 1000);
      return new SignJWT({ email: claims.email, sid: claims.sessionId, client_id: claims.clientId })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .setIssuer(settings.issuer)
        .setSubject(claims.userId)
        .setAudience(claims.customerId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + claims.ttlSeconds)
        .setJti(claims.jti)
        .sign(key.privateKey);
    },
    /** `rt_<session>_<secret>`: the token names its stream, as an API key names its customer, so no index is needed to find it. */
    newRefreshToken(sessionId: string): { token: string; hash: string } {
      const token = `rt_${sessionId.slice('ses_'.length)}_${randomToken(32)}`;
      return { token, hash: refreshTokenHash(hashKey, token) };
    },
    refreshTokenHash: (token: string) => refreshTokenHash(hashKey, token),
    /** The keys a token of ours may carry at `now`: the current one and those retired less than a token's lifetime ago. */
    async jwks(now: Date) {
      return { keys: await keys.published(now) };
    },
  };
}
export type TokenIssuer = ReturnType<typeof createTokenIssuer>;

const REFRESH_TOKEN = /^rt_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

/**
 * The session a refresh token names, or null when it is not one this service
 * issues now. Tokens of the first shape (`rt_<secret>`) name no session and no
 * index maps their hash to one, so they cannot be found: their holders log in again.
 */
export function sessionOfRefreshToken(token: string): string | null {
  const match = REFRESH_TOKEN.exec(token);
  return match ? `ses_${match[1]}` : null;
}
