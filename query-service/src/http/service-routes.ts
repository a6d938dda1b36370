import { Router } from 'express';
import { collections, CustomerIdParam, readModelProjections, ServiceCustomersQuery, type CustomerDocument } from '@otp/contracts';
import { SERVICE_KEY_HEADER } from '@otp/platform/auth';
import { parseOr400, problems } from '@otp/platform/http';
import { customerView } from '../views/customer-view';
import type { QueryDeps } from './query-deps';
import { awaitMinPosition, OPERATOR_AUDIENCE } from './read-your-writes';

/** More customers than one contact email ever has: the operator may give one email several, signup never. */
const MAX_BY_EMAIL = 100;

/**
 * Lookups for the deployment's other services (billing, support tools), with `X-Service-Key`:
 * a customer by id, and the customers of an email. Read models only: what they answer is as
 * fresh as the customers projection (`X-Min-Position` waits for a write).
 */
export function serviceRoutes(deps: QueryDeps): Router {
  const router = Router();

  router.get('/v1/service/customers/:id', async (req, res) => {
    deps.checkServiceKey(req.header(SERVICE_KEY_HEADER));
    const { id } = parseOr400(CustomerIdParam, req.params, 'path');
    // The customer's own writes' tokens, or the operator's.
    await awaitMinPosition(req, deps, readModelProjections.customers, id);
    const doc = await deps.documents.get<CustomerDocument>(collections.customers, id);
    if (!doc) throw problems.notFound(`no customer ${id}`);
    res.json(customerView(doc));
  });

  router.get('/v1/service/customers', async (req, res) => {
    deps.checkServiceKey(req.header(SERVICE_KEY_HEADER));
    const { email } = parseOr400(ServiceCustomersQuery, req.query, 'query');
    await awaitMinPosition(req, deps, readModelProjections.customers, OPERATOR_AUDIENCE);
    // The customers projection indexes (email, id): this reads the matches, never the collection.
    const docs = await deps.documents.find<CustomerDocument>(collections.customers, {
      where: { email },
      orderBy: [['id', 'asc']],
      limit: MAX_BY_EMAIL,
    });
    const now = new Date();
    res.json({ items: docs.map((doc) => customerView(doc, now)) });
  });

  return router;
}
