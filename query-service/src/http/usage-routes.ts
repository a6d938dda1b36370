import { Router, type Request, type Response } from 'express';
import {
  AnalyticsSummaryQuery,
  UsageQuery,
  bucketStart,
  bucketStarts,
  collections,
  nextBucketStart,
  readModelProjections,
  type Granularity,
  type UsageBucketDocument,
  type VerifyStatsDocument,
} from '@otp/contracts';
import { requireScope } from '@otp/platform/auth';
import { parseOr400 } from '@otp/platform/http';
import { analyticsSummary } from '../views/analytics-summary';
import { denseBuckets } from '../views/usage-buckets';
import type { QueryDeps } from './query-deps';
import { awaitMinPosition } from './read-your-writes';

/** The analytics reader's API: usage series and the summary. A tenant only ever reads documents keyed by its own id. */
export function usageRoutes(deps: QueryDeps): Router {
  const router = Router();

  /** The tenant whose analytics the key may read. */
  const analyticsReader = async (req: Request, res: Response): Promise<string> => {
    const principal = await deps.guard.apiKey(req, res);
    requireScope(principal, 'analytics:read');
    return principal.customerId;
  };

  const readBuckets = (tenantId: string, granularity: Granularity, starts: Date[]) =>
    deps.documents.find<UsageBucketDocument>(collections.usage, {
      where: {
        tenantId,
        granularity,
        start: { $gte: starts[0]!.toISOString(), $lte: starts.at(-1)!.toISOString() },
      },
      orderBy: [['start', 'asc']],
      limit: starts.length,
    });

  router.get('/v1/usage', async (req, res) => {
    const tenantId = await analyticsReader(req, res);
    const query = parseOr400(UsageQuery, req.query, 'query');
    await awaitMinPosition(req, deps, readModelProjections.usage, tenantId);
    const starts = bucketStarts(query.from, query.to, query.granularity);
    const docs = await readBuckets(tenantId, query.granularity, starts);
    res.json({ granularity: query.granularity, buckets: denseBuckets(docs, starts) });
  });

  router.get('/v1/analytics/summary', async (req, res) => {
    const tenantId = await analyticsReader(req, res);
    const query = parseOr400(AnalyticsSummaryQuery, req.query, 'query');
    await awaitMinPosition(req, deps, readModelProjections.usage, tenantId);
    const days = bucketStarts(query.from, query.to, 'day');
    const from = bucketStart(query.from, 'day');
    const to = nextBucketStart(days.at(-1)!, 'day');
    const [buckets, stats] = await Promise.all([
      readBuckets(tenantId, 'day', days),
      deps.documents.find<VerifyStatsDocument>(collections.verifyStats, {
        where: { tenantId, day: { $gte: from.toISOString(), $lt: to.toISOString() } },
        limit: days.length,
      }),
    ]);
    res.json(analyticsSummary(from, to, buckets, stats));
  });

  return router;
}
