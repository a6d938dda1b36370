import { Router } from 'express';
import type { TokenIssuer } from './token-issuer';

/** The public keys tenant backends verify access tokens with, offline. */
export function jwksRoutes(deps: { tokens: TokenIssuer }): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', (_req, res) => {
    // Public keys change rarely and verifiers cache them; a short max-age keeps rotation quick.
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(deps.tokens.jwks());
  });
  return router;
}
