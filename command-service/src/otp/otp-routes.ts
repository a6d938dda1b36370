import { Router } from 'express';
import { RequestOtpBody, VerifyOtpBody } from '@otp/contracts';
import { keyRequest, requireScope } from '@otp/platform/auth';
import { bearerToken, parseOr400 } from '@otp/platform/http';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { requestOtp } from './request-otp';
import { verifyOtp } from './verify-otp';

/** A tenant's app asks for a code for an email, then verifies what the user typed: the two routes a publishable key may call. */
export function otpRoutes(deps: CommandRouteDeps): Router {
  const router = Router();

  router.post('/v1/otp/request', async (req, res) => {
    const principal = await deps.authenticate(bearerToken(req), keyRequest(req, 'allowed'));
    requireScope(principal, 'otp:write');
    const body = parseOr400(RequestOtpBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const { position, ...accepted } = await requestOtp(deps, { customerId: principal.customerId, email: body.email }, ctx);
    withPosition(res, deps.consistency, ctx, position).status(202).json(accepted);
  });

  router.post('/v1/otp/verify', async (req, res) => {
    const principal = await deps.authenticate(bearerToken(req), keyRequest(req, 'allowed'));
    requireScope(principal, 'otp:write');
    const body = parseOr400(VerifyOtpBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const { position, ...tokens } = await verifyOtp(deps, { customerId: principal.customerId, clientId: principal.keyId, ...body }, ctx);
    withPosition(res, deps.consistency, ctx, position).status(200).json(tokens);
  });

  return router;
}
