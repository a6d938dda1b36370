import { Router } from 'express';
import { UpdateProfileBody } from '@otp/contracts';
import { bearerToken, parseOr400 } from '@otp/platform/http';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import type { AccessTokenVerifier } from '../tokens/access-token-verifier';
import { authenticateEndUser, readProfile, updateProfile } from './user-profile';

/** The end user's own profile, with the end user's access token rather than the tenant's API key. */
export function userRoutes(deps: CommandRouteDeps, verify: AccessTokenVerifier): Router {
  const router = Router();

  router.get('/v1/users/me', async (req, res) => {
    const user = await authenticateEndUser(deps, verify, bearerToken(req), new Date());
    res.json(await readProfile(deps, user));
  });

  router.patch('/v1/users/me', async (req, res) => {
    const user = await authenticateEndUser(deps, verify, bearerToken(req), new Date());
    const change = parseOr400(UpdateProfileBody, req.body ?? {});
    const ctx = commandContext(req, `user:${user.userId}`, user.customerId);
    const { position, ...profile } = await updateProfile(deps, user, change, ctx);
    withPosition(res, deps.consistency, ctx, position).json(profile);
  });

  return router;
}
