import { Router } from 'express';
import type { TokenIssuer } from './token-issuer';

/** How long a verifier may cache the JWKS; see the header for why no rotation is missed. */
export const JWKS_MAX_AGE_SECONDS = 300;

/** The public keys tenant backends verify access tokens with, offline. */
export function jwksRoutes(deps: { tokens: TokenIssuer }): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', async (_req, res) => {
    const jwks = await deps.tokens.jwks(new Date());
    // A verifier caching this list never misses a rotation: the key a rotation activates was listed
    // since the rotation before (the stream's "next" key), so a cached copy already holds it; a
    // retired key stays listed until its last token has expired; and a kid missing from a cached
    // copy makes a JWKS client (jose's createRemoteJWKSet) fetch the list again.
    res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    res.json(jwks);
  });
  return router;
}
