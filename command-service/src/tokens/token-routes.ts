import { Router, type Request, type Response } from 'express';
import { IntrospectTokenBody, RefreshTokenBody, RevokeTokenBody } from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400 } from '@otp/platform/http';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { refreshSession } from '../sessions/refresh-session';
import { revokeToken } from '../sessions/revoke-token';
import type { AccessTokenVerifier } from './access-token-verifier';
import { introspectToken } from './introspect-token';

/**
 * The tenant's backend exchanges, revokes and introspects its users' tokens
 * with its API key (`otp:write`, the scope that obtained them), so one
 * tenant's key never reaches another tenant's sessions.
 */
export function tokenRoutes(deps: CommandRouteDeps, verify: AccessTokenVerifier): Router {
  const router = Router();

  const principalOf = async (req: Request, res: Response) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'otp:write');
    return principal;
  };

  router.post('/v1/tokens/refresh', async (req, res) => {
    const principal = await principalOf(req, res);
    const body = parseOr400(RefreshTokenBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const input = { customerId: principal.customerId, clientId: principal.keyId, refreshToken: body.refreshToken };
    const { position, ...tokens } = await refreshSession(deps, input, ctx);
    withPosition(res, deps.consistency, ctx, position).json(tokens);
  });

  router.post('/v1/tokens/revoke', async (req, res) => {
    const principal = await principalOf(req, res);
    const body = parseOr400(RevokeTokenBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const position = await revokeToken(deps, verify, { customerId: principal.customerId, token: body.token }, ctx);
    // RFC 7009 §2.2: 200 for a token revoked now, before, or never known.
    withPosition(res, deps.consistency, ctx, position).status(200).json({});
  });

  router.post('/v1/tokens/introspect', async (req, res) => {
    const principal = await principalOf(req, res);
    const body = parseOr400(IntrospectTokenBody, req.body ?? {});
    res.json(await introspectToken(deps, verify, { customerId: principal.customerId, token: body.token }, new Date()));
  });

  return router;
}
