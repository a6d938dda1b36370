import { Router } from 'express';
import { IssueApiKeyBody, RegisterCustomerBody } from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { bearerToken, parseOr400 } from '@otp/platform/http';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { issueApiKey } from './issue-api-key';
import { registerCustomer } from './register-customer';

/** The operator registers customers; a customer adds API keys. */
export function customerRoutes(deps: CommandRouteDeps): Router {
  const router = Router();

  router.post('/v1/admin/customers', async (req, res) => {
    deps.checkOperator(bearerToken(req));
    const body = parseOr400(RegisterCustomerBody, req.body ?? {});
    const ctx = commandContext(req, 'operator', 'operator');
    const { position, ...result } = await registerCustomer(deps, body, ctx);
    withPosition(res, position).status(201).location(`/v1/admin/customers/${result.customer.id}`).json(result);
  });

  router.post('/v1/api-keys', async (req, res) => {
    const principal = await deps.authenticate(bearerToken(req));
    requireScope(principal, 'customer:admin');
    const body = parseOr400(IssueApiKeyBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const { position, ...issued } = await issueApiKey(deps, { customerId: principal.customerId, scopes: body.scopes }, ctx);
    withPosition(res, position).status(201).json(issued);
  });

  return router;
}
