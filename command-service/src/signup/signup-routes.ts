import { Router } from 'express';
import { SignupBody, VerifySignupBody } from '@otp/contracts';
import { parseOr400 } from '@otp/platform/http';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { requestSignup } from './request-signup';
import { verifySignup } from './verify-signup';

/**
 * Self-service signup, without credentials: a code to the email, then the code for an account
 * and its first key. The per-email limits of the OTP rules bound what an anonymous caller can do.
 */
export function signupRoutes(deps: CommandRouteDeps): Router {
  const router = Router();

  router.post('/v1/signup', async (req, res) => {
    const body = parseOr400(SignupBody, req.body ?? {});
    const ctx = commandContext(req, 'system', 'signup');
    const { position, ...accepted } = await requestSignup(deps, body, ctx);
    withPosition(res, deps.consistency, ctx, position).status(202).json(accepted);
  });

  router.post('/v1/signup/verify', async (req, res) => {
    const body = parseOr400(VerifySignupBody, req.body ?? {});
    const { position, ...registered } = await verifySignup(deps, body, commandContext(req, 'system', 'signup'));
    // The token is the new customer's: its first reads (GET /v1/customer) may wait on it.
    withPosition(res, deps.consistency, { actor: 'system', tenantId: registered.customer.id }, position)
      .status(201)
      .location(`/v1/customer`)
      .json(registered);
  });

  return router;
}
