import { Router } from 'express';
import { SignupBody, VerifySignupBody } from '@otp/contracts';
import { parseOr400 } from '@otp/platform/http';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { Refusal } from '../handling/refusal';
import { requestSignup } from './request-signup';
import { verifySignup } from './verify-signup';

/**
 * Every failed code is one answer (`code_not_valid`: wrong, expired, used, locked, none asked
 * for), and each counts alike: were one reason left out, the delays would tell which it was.
 */
const failedCode = (error: unknown): boolean => error instanceof Refusal && error.code === 'code_not_valid';

/**
 * Self-service signup, without credentials: a code to the email, then the code for an account
 * and its first key. Each client network has a budget per route before any work (a refusal
 * sends nothing and appends nothing), the per-email limits of the OTP rules bound what is done
 * to one email, and failed codes count against the address as a bad key does.
 */
export function signupRoutes(deps: CommandRouteDeps): Router {
  const router = Router();

  router.post('/v1/signup', async (req, res) => {
    deps.guard.anonymous(req, res, 'signup', deps.signupLimits.request);
    const body = parseOr400(SignupBody, req.body ?? {});
    const ctx = commandContext(req, 'system', 'signup');
    const { position, ...accepted } = await requestSignup(deps, body, ctx);
    withPosition(res, deps.consistency, ctx, position).status(202).json(accepted);
  });

  router.post('/v1/signup/verify', async (req, res) => {
    deps.guard.anonymous(req, res, 'signup_verify', deps.signupLimits.verify);
    const body = parseOr400(VerifySignupBody, req.body ?? {});
    const ctx = commandContext(req, 'system', 'signup');
    const { position, ...registered } = await deps.guard.secret(req, 'signup_code', () => verifySignup(deps, body, ctx), failedCode);
    // The token is the new customer's: its first reads (GET /v1/customer) may wait on it.
    withPosition(res, deps.consistency, { actor: 'system', tenantId: registered.customer.id }, position)
      .status(201)
      .location(`/v1/customer`)
      .json(registered);
  });

  return router;
}
