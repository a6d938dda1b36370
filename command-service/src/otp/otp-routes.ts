import { Router, type Response } from 'express';
import { RequestOtpBody, VerifyOtpBody } from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400 } from '@otp/platform/http';
import { rateLimitHeaders, type LimitDecision } from '@otp/platform/limits';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { requestOtp } from './request-otp';
import { verifyOtp } from './verify-otp';

/** A code request shows its tenant's quota: what a tenant's app budgets against, rather than the key's burst rate. */
function showQuota(res: Response, shown: LimitDecision): void {
  for (const [name, value] of Object.entries(rateLimitHeaders(shown))) res.setHeader(name, value);
}

/** A tenant's app asks for a code for an email, then verifies what the user typed: the two routes a publishable key may call. */
export function otpRoutes(deps: CommandRouteDeps): Router {
  const router = Router();

  router.post('/v1/otp/request', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res, 'allowed');
    requireScope(principal, 'otp:write');
    const body = parseOr400(RequestOtpBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    // Held before the code is asked for: a request over the quota sends nothing and records no OtpRequested.
    const quota = await deps.quotas.hold(principal.customerId, ctx.now, ctx.actor);
    const { position, ...accepted } = await requestOtp(deps, { customerId: principal.customerId, email: body.email }, ctx).catch(
      (error: unknown) => {
        quota.release();
        throw error;
      },
    );
    quota.settle(position);
    if (quota.shown) showQuota(res, quota.shown);
    withPosition(res, deps.consistency, ctx, position).status(202).json(accepted);
  });

  router.post('/v1/otp/verify', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res, 'allowed');
    requireScope(principal, 'otp:write');
    const body = parseOr400(VerifyOtpBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const { position, ...tokens } = await verifyOtp(deps, { customerId: principal.customerId, clientId: principal.keyId, ...body }, ctx);
    withPosition(res, deps.consistency, ctx, position).status(200).json(tokens);
  });

  return router;
}
