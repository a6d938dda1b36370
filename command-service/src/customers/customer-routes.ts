import { Router, type Request, type Response } from 'express';
import {
  ApiKeyIdParam,
  ChangePlanBody,
  ChangeQuotasBody,
  CustomerIdParam,
  IssueApiKeyBody,
  RegisterCustomerBody,
  RotateApiKeyBody,
  StatusChangeBody,
  UpdateCustomerBody,
} from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400 } from '@otp/platform/http';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { changeCustomer, changeQuotas, type StatusChange } from './change-customer';
import { changeProfile } from './change-profile';
import { issueApiKey } from './issue-api-key';
import { registerCustomer } from './register-customer';
import { revokeApiKey } from './revoke-api-key';
import { rotateApiKey } from './rotate-api-key';

const STATUS_CHANGES: Record<string, StatusChange> = {
  suspend: 'SuspendCustomer',
  activate: 'ActivateCustomer',
  cancel: 'CancelCustomer',
};

/** The operator registers customers and runs their accounts; a customer manages its own API keys. */
export function customerRoutes(deps: CommandRouteDeps): Router {
  const router = Router();

  router.post('/v1/admin/customers', async (req, res) => {
    await deps.guard.operator(req);
    const body = parseOr400(RegisterCustomerBody, req.body ?? {});
    const ctx = commandContext(req, 'operator', 'operator');
    const { position, ...result } = await registerCustomer(deps, body, ctx);
    withPosition(res, deps.consistency, ctx, position).status(201).location(`/v1/admin/customers/${result.customer.id}`).json(result);
  });

  for (const [action, type] of Object.entries(STATUS_CHANGES)) {
    router.post(`/v1/admin/customers/:id/${action}`, async (req, res) => {
      await deps.guard.operator(req);
      const { id } = parseOr400(CustomerIdParam, req.params, 'path');
      const { reason } = parseOr400(StatusChangeBody, req.body ?? {});
      const ctx = commandContext(req, 'operator', id);
      const { position, ...result } = await changeCustomer(deps, id, { type, reason }, ctx);
      withPosition(res, deps.consistency, ctx, position).json(result);
    });
  }

  router.put('/v1/admin/customers/:id/quotas', async (req, res) => {
    await deps.guard.operator(req);
    const { id } = parseOr400(CustomerIdParam, req.params, 'path');
    const quotas = parseOr400(ChangeQuotasBody, req.body ?? {});
    const ctx = commandContext(req, 'operator', id);
    const { position, ...result } = await changeQuotas(deps, id, quotas, ctx);
    withPosition(res, deps.consistency, ctx, position).json(result);
  });

  router.put('/v1/admin/customers/:id/plan', async (req, res) => {
    await deps.guard.operator(req);
    const { id } = parseOr400(CustomerIdParam, req.params, 'path');
    const { plan } = parseOr400(ChangePlanBody, req.body ?? {});
    const ctx = commandContext(req, 'operator', id);
    const { position, ...result } = await changeCustomer(deps, id, { type: 'ChangePlan', plan }, ctx);
    withPosition(res, deps.consistency, ctx, position).json(result);
  });

  const admin = async (req: Request, res: Response) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'customer:admin');
    return { principal, ctx: commandContext(req, `apiKey:${principal.keyId}`, principal.customerId) };
  };

  // 204 with the event's position: the customer document is the query side's, read it there with that position.
  router.patch('/v1/customer', async (req, res) => {
    const { principal, ctx } = await admin(req, res);
    const body = parseOr400(UpdateCustomerBody, req.body ?? {});
    const { position } = await changeProfile(deps, { customerId: principal.customerId, ...body }, ctx);
    withPosition(res, deps.consistency, ctx, position).status(204).end();
  });

  router.post('/v1/customer/api-keys', async (req, res) => {
    const { principal, ctx } = await admin(req, res);
    const body = parseOr400(IssueApiKeyBody, req.body ?? {});
    const { position, ...issued } = await issueApiKey(deps, { customerId: principal.customerId, ...body }, ctx);
    withPosition(res, deps.consistency, ctx, position).status(201).location(`/v1/customer/api-keys/${issued.id}`).json(issued);
  });

  router.post('/v1/customer/api-keys/:id/rotate', async (req, res) => {
    const { principal, ctx } = await admin(req, res);
    const { id } = parseOr400(ApiKeyIdParam, req.params, 'path');
    const { graceSeconds } = parseOr400(RotateApiKeyBody, req.body ?? {});
    const input = { customerId: principal.customerId, keyId: id, ...(graceSeconds !== undefined ? { graceSeconds } : {}) };
    const { position, ...rotated } = await rotateApiKey(deps, input, ctx);
    withPosition(res, deps.consistency, ctx, position).status(201).location(`/v1/customer/api-keys/${rotated.id}`).json(rotated);
  });

  router.delete('/v1/customer/api-keys/:id', async (req, res) => {
    const { principal, ctx } = await admin(req, res);
    const { id } = parseOr400(ApiKeyIdParam, req.params, 'path');
    const { position } = await revokeApiKey(deps, { customerId: principal.customerId, keyId: id }, ctx);
    withPosition(res, deps.consistency, ctx, position).status(204).end();
  });

  // Moved under /v1/customer: 308 keeps the method and the body, so a client that follows redirects keeps working.
  router.post('/v1/api-keys', (_req, res) => {
    res.status(308).location('/v1/customer/api-keys').setHeader('Deprecation', 'true').end();
  });

  return router;
}
