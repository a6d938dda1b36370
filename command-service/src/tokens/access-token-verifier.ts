import { createLocalJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';
import { CustomerId, SessionId, UserId } from '@otp/contracts';
import type { TokenIssuer } from './token-issuer';

/** The claims this service puts in every access token; a token without one of them is not one of ours. */
const AccessTokenClaims = z.object({
  iss: z.string(),
  sub: UserId,
  aud: CustomerId,
  client_id: z.string(),
  sid: SessionId,
  jti: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type VerifiedAccessToken = z.infer<typeof AccessTokenClaims>;

/**
 * Verifies an access token with the service's own public keys, as a tenant
 * backend does with the JWKS (RFC 8725): only the algorithm the keys sign
 * with (so `none` and HMAC, even HMAC keyed with the public key, are refused
 * before any signature check), only a listed `kid`, `typ: at+jwt` (so no
 * other JWT stands in), our issuer and an unexpired `exp`. Which tenant's
 * audience is right is the caller's question, so `aud` is returned, not checked.
 * Null for every refusal: why a token was refused is not the holder's business.
 */
export function createAccessTokenVerifier(tokens: TokenIssuer) {
  return async function verify(token: string, now: Date): Promise<VerifiedAccessToken | null> {
    try {
      // The keys published at `now`, as a verifier reading the JWKS sees them: a retired key's tokens verify until they expire.
      const jwks = await tokens.jwks(now);
      const algorithms = [...new Set(jwks.keys.map((k) => k.alg!))];
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
        algorithms,
        issuer: tokens.settings.issuer,
        typ: 'at+jwt',
        currentDate: now,
        requiredClaims: ['sub', 'aud', 'exp', 'iat', 'jti'],
      });
      const claims = AccessTokenClaims.safeParse(payload);
      return claims.success ? claims.data : null;
    } catch {
      return null;
    }
  };
}
export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;
