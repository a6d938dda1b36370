import { Router } from 'express';
import { AddDomainBody, DomainParam } from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400 } from '@otp/platform/http';
import { commandContext } from '../http/command-context-from-request';
import type { CommandRouteDeps } from '../http/command-route-deps';
import { withPosition } from '../http/with-position';
import { addDomain } from './add-domain';
import { verifyDomain } from './verify-domain';

/** A tenant proves the domains it sends codes from (the list is a read: query-service). */
export function domainRoutes(deps: CommandRouteDeps): Router {
  const router = Router();

  router.post('/v1/customer/domains', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'customer:admin');
    const { domain } = parseOr400(AddDomainBody, req.body ?? {});
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const { position, added, domain: summary } = await addDomain(deps, { customerId: principal.customerId, domain }, ctx);
    // 201 for a new claim, 200 for one already made: the same record either way.
    withPosition(res, deps.consistency, ctx, position)
      .status(added ? 201 : 200)
      .location(`/v1/customer/domains/${summary.domain}`)
      .json(summary);
  });

  router.post('/v1/customer/domains/:domain/verify', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'customer:admin');
    const { domain } = parseOr400(DomainParam, req.params, 'path');
    const ctx = commandContext(req, `apiKey:${principal.keyId}`, principal.customerId);
    const { position, domain: summary } = await verifyDomain(deps, { customerId: principal.customerId, domain }, ctx);
    withPosition(res, deps.consistency, ctx, position).json(summary);
  });

  return router;
}
