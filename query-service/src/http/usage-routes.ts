import { Router } from 'express';
import { UsageQuery, collections, readModelProjections, type UsageBucketDocument } from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { bearerToken, parseOr400, problems } from '@otp/platform/http';
import { bucketCount, bucketStart, denseBuckets, MAX_BUCKETS } from '../views/usage-buckets';
import type { QueryDeps } from './query-deps';
import { awaitMinPosition } from './read-your-writes';

/** The analytics reader's API: usage series. A tenant only ever reads buckets keyed by its own id. */
export function usageRoutes(deps: QueryDeps): Router {
  const router = Router();

  router.get('/v1/usage', async (req, res) => {
    const principal = await deps.authenticate(bearerToken(req));
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

  return router;
}
