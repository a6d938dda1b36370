import { Router } from 'express';
import {
  AdminCustomersQuery,
  AuditQuery,
  CustomerIdParam,
  UsageQuery,
  collections,
  readModelProjections,
  type AuditEntryDocument,
  type CustomerDocument,
  type UsageBucketDocument,
} from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400, problems } from '@otp/platform/http';
import { apiKeysView, customerView } from '../views/customer-view';
import { bucketCount, bucketStart, denseBuckets, MAX_BUCKETS } from '../views/usage-buckets';
import type { QueryDeps } from './query-deps';
import { awaitMinPosition } from './read-your-writes';

/** The read API over the read models. A tenant only ever reads documents keyed by its own id. */
export function queryRoutes(deps: QueryDeps): Router {
  const router = Router();

  router.get('/v1/admin/customers', async (req, res) => {
    await deps.guard.operator(req);
    const query = parseOr400(AdminCustomersQuery, req.query, 'query');
    await awaitMinPosition(req, deps, readModelProjections.customers);
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
    await awaitMinPosition(req, deps, readModelProjections.customers);
    const doc = await deps.documents.get<CustomerDocument>(collections.customers, id);
    if (!doc) throw problems.notFound(`no customer ${id}`);
    res.json(customerView(doc));
  });

  router.get('/v1/customer', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    await awaitMinPosition(req, deps, readModelProjections.customers);
    const doc = await deps.documents.get<CustomerDocument>(collections.customers, principal.customerId);
    if (!doc) throw problems.unavailable('the customer is not projected yet; retry shortly');
    res.json(customerView(doc));
  });

  router.get('/v1/customer/api-keys', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'customer:admin');
    await awaitMinPosition(req, deps, readModelProjections.customers);
    const doc = await deps.documents.get<CustomerDocument>(collections.customers, principal.customerId);
    if (!doc) throw problems.unavailable('the customer is not projected yet; retry shortly');
    res.json({ items: apiKeysView(doc, new Date()) });
  });

  router.get('/v1/usage', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'analytics:read');
    const query = parseOr400(UsageQuery, req.query, 'query');
    if (bucketCount(query.from, query.to, query.granularity) > MAX_BUCKETS) {
      throw problems.validation([{ path: 'to', message: `the range spans more than ${MAX_BUCKETS} ${query.granularity} buckets` }]);
    }
    await awaitMinPosition(req, deps, readModelProjections.usage);
    const docs = await deps.documents.find<UsageBucketDocument>(collections.usage, {
      where: {
        tenantId: principal.customerId,
        granularity: query.granularity,
        start: { $gte: bucketStart(query.from, query.granularity).toISOString(), $lt: query.to.toISOString() },
      },
      orderBy: [['start', 'asc']],
      limit: MAX_BUCKETS,
    });
    res.json({ granularity: query.granularity, buckets: denseBuckets(docs, query.from, query.to, query.granularity) });
  });

  router.get('/v1/audit', async (req, res) => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'audit:read');
    const query = parseOr400(AuditQuery, req.query, 'query');
    await awaitMinPosition(req, deps, readModelProjections.audit);
    const occurredAt = {
      ...(query.from ? { $gte: query.from.toISOString() } : {}),
      ...(query.to ? { $lt: query.to.toISOString() } : {}),
    };
    // One more than asked tells whether there is a next page without a count query.
    const rows = await deps.documents.find<AuditEntryDocument>(collections.audit, {
      where: {
        tenantId: principal.customerId,
        ...(query.cursor ? { position: { $gt: Number(query.cursor) } } : {}),
        ...(query.from || query.to ? { occurredAt } : {}),
      },
      orderBy: [['position', 'asc']],
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit).map(({ _id, ...entry }) => entry);
    const nextCursor = rows.length > query.limit ? String(items[items.length - 1]!.position) : null;
    res.json({ items, nextCursor });
  });

  return router;
}
