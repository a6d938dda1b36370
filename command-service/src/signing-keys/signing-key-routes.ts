import { Router } from 'express';
import { RotateSigningKeyBody, type RotatedSigningKey } from '@otp/contracts';
import { parseOr400 } from '@otp/platform/http';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { rotateSigningKey } from './rotate-signing-key';

/** The operator rotates the deployment's signing key; the answer names kids only, never a key. */
export function signingKeyRoutes(deps: CommandRouteDeps): Router {
  const router = Router();
  router.post('/v1/admin/signing-keys/rotate', async (req, res) => {
    await deps.guard.operator(req);
    parseOr400(RotateSigningKeyBody, req.body ?? {});
    const ctx = commandContext(req, 'operator', 'operator');
    const { position, ...kids } = await rotateSigningKey(deps, ctx);
    withPosition(res, deps.consistency, ctx, position).json(kids satisfies RotatedSigningKey);
  });
  return router;
}
