import { SignJWT } from 'jose';
import { randomToken, refreshTokenHash } from '@otp/platform/crypto';
import type { SigningKeys } from './signing-keys';

export interface TokenSettings {
  issuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/**
 * Access tokens are short-lived JWTs (RFC 9068 profile: typ at+jwt) that
 * tenant backends verify offline against the JWKS; the audience is the
 * tenant, so a token minted for one tenant is refused by another's backend.
 * Refresh tokens are opaque random strings; only their keyed hash is stored.
 */
export function createTokenIssuer(keys: SigningKeys, hashKey: Buffer, settings: TokenSettings) {
  return {
    settings,
    async accessToken(claims: { userId: string; customerId: string; email: string; sessionId: string; jti: string; now: Date }) {
      const iat = Math.floor(claims.now.getTime() / 1000);
      return new SignJWT({ email: claims.email, sid: claims.sessionId })
        .setProtectedHeader({ alg: keys.alg, kid: keys.kid, typ: 'at+jwt' })
        .setIssuer(settings.issuer)
        .setSubject(claims.userId)
        .setAudience(claims.customerId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + settings.accessTokenTtlSeconds)
        .setJti(claims.jti)
        .sign(keys.privateKey);
    },
    newRefreshToken(): { token: string; hash: string } {
      const token = `rt_${randomToken(32)}`;
      return { token, hash: refreshTokenHash(hashKey, token) };
    },
    jwks() {
      return { keys: [keys.publicJwk] };
    },
  };
}
export type TokenIssuer = ReturnType<typeof createTokenIssuer>;
