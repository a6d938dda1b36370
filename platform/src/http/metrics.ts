import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; services register their own gauges on it. */
export function createMetrics() {
  const registry = new Registry();
  // Event-loop delay sampled every 100 ms rather than prom-client's 10: coarser percentiles, still
  // enough to see a stalled loop, and an idle server no longer wakes a hundred times a second.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Beside the histogram's own _count: error rates per route read as a plain counter, in every dashboard tool.
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const eventsAppended = new Counter({
    name: 'events_appended_total',
    help: 'Events appended to the event store by type (an idempotent repeat counts again)',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const historyPages = new Counter({
    name: 'audit_history_pages_read_total',
    help: "Pages of a tenant's raw history read from the event store (export, checkpoint, verify)",
    registers: [registry],
  });
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, never the raw path: ids would explode the label set.
      // express types `req.route` as any; only its `path` is read.
      const matched = req.route as { path?: unknown } | undefined;
      const route = typeof matched?.path === 'string' ? `${req.baseUrl}${matched.path}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      end(labels);
      httpRequests.inc(labels);
    });
    next();
  };
  const handler = async (_req: Request, res: Response) => {
    res.type(registry.contentType).send(await registry.metrics());
  };
  /** For `observeAppends`: counts what the store confirmed. */
  const appended = (events: readonly { type: string }[]) => {
    for (const event of events) eventsAppended.inc({ type: event.type });
  };
  /** For the audit history: a page read from the store. */
  const historyPageRead = () => historyPages.inc();
  return { registry, appended, historyPageRead, middleware, handler };
}
export type Metrics = ReturnType<typeof createMetrics>;
