import { Router } from 'express';
import { AdminCustomersQuery, AsOfQuery, CustomerIdParam, collections, readModelProjections, type CustomerDocument } from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400, problems } from '@otp/platform/http';
import { customerAsOf } from '../views/customer-as-of';
import { apiKeysView, customerView, domainsView } from '../views/customer-view';
import type { QueryDeps } from './query-deps';
import { auditRoutes } from './audit-routes';
import { awaitMinPosition, OPERATOR_AUDIENCE } from './read-your-writes';
import { serviceRoutes } from './service-routes';
import { usageRoutes } from './usage-routes';

/** The read API over the read models. A tenant only ever reads documents keyed by its own id. */
export function queryRoutes(deps: QueryDeps): Router {
  const router = Router();
  // Usage and analytics have a file of their own (`./usage-routes`).
  router.use(usageRoutes(deps));
  router.use(auditRoutes(deps));

  router.get('/v1/admin/customers', async (req, res) => {
    await deps.guard.operator(req);
    const query = parseOr400(AdminCustomersQuery, req.query, 'query');
    await awaitMinPosition(req, deps, readModelProjections.customers, OPERATOR_AUDIENCE);
    // One more than asked tells whether there is a next page without a count query.
    const rows = await deps.documents.find<CustomerDocument>(collections.customers, {
      where: {
        ...(query.status ? { status: query.status } : {}),
        ...(query.email ? { email: query.email } : {}),
        ...(query.cursor ? { id: { $gt: query.cursor } } : {}),
      },
      orderBy: [['id', 'asc']],
      limit: query.limit + 1,
    });
    const now = new Date();
    const items = rows.slice(0, query.limit).map((doc) => customerView(doc, now));
    const nextCursor = rows.length > query.limit ? items[items.length - 1]!.id : null;
    res.json({ items, nextCursor });
  });

  router.get('/v1/admin/customers/:id', async (req, res) => {
    await deps.guard.operator(req);
    const { id } = parseOr400(CustomerIdParam, req.params, 'path');
    const { asOf } = parseOr400(AsOfQuery, req.query, 'query');
    if (asOf) {
      const then = await customerAsOf(deps.eventStore, id, asOf);
      if (!then) throw problems.notFound(`no customer ${id} at ${asOf.toISOString()}`);
      res.json(customerView(then, asOf));
      return;
    }
    await awaitMinPosition(req, deps, readModelProjections.customers, OPERATOR_AUDIENCE);
    const doc = await deps.documents.get<CustomerDocument>(collections.customers, id);
    if (!doc) throw problems.notFound(`no customer ${id}`);
    res.json(customerView(doc));
  });

  router.get('/v1/customer', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    const { asOf } = parseOr400(AsOfQuery, req.query, 'query');
    // The past is read from the event store, which has every event already: no position to wait for.
    if (asOf) {
      const then = await customerAsOf(deps.eventStore, principal.customerId, asOf);
      if (!then) throw problems.notFound(`the customer was not registered at ${asOf.toISOString()}`);
      res.json(customerView(then, asOf));
      return;
    }
    await awaitMinPosition(req, deps, readModelProjections.customers, principal.customerId);
    const doc = await deps.documents.get<CustomerDocument>(collections.customers, principal.customerId);
    if (!doc) throw problems.unavailable('the customer is not projected yet; retry shortly');
    res.json(customerView(doc));
  });

  router.get('/v1/customer/api-keys', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'customer:admin');
    await awaitMinPosition(req, deps, readModelProjections.customers, principal.customerId);
    const doc = await deps.documents.get<CustomerDocument>(collections.customers, principal.customerId);
    if (!doc) throw problems.unavailable('the customer is not projected yet; retry shortly');
    res.json({ items: apiKeysView(doc, new Date()) });
  });

  router.get('/v1/customer/domains', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'customer:admin');
    await awaitMinPosition(req, deps, readModelProjections.customers, principal.customerId);
    const doc = await deps.documents.get<CustomerDocument>(collections.customers, principal.customerId);
    if (!doc) throw problems.unavailable('the customer is not projected yet; retry shortly');
    res.json({ items: domainsView(doc) });
  });

  router.use(serviceRoutes(deps));
  return router;
}
