import { Router } from 'express';
import { AuditQuery, readModelProjections } from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400 } from '@otp/platform/http';
import { auditPage } from '../views/audit-page';
import type { QueryDeps } from './query-deps';
import { awaitMinPosition } from './read-your-writes';

/** The auditor's trail: the tenant's own entries only, by time, paged by keyset. */
export function auditRoutes(deps: QueryDeps): Router {
  const router = Router();

  router.get('/v1/audit', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'audit:read');
    const query = parseOr400(AuditQuery, req.query, 'query');
    await awaitMinPosition(req, deps, readModelProjections.audit, principal.customerId);
    res.json(await auditPage(deps.documents, principal.customerId, query));
  });

  return router;
}
