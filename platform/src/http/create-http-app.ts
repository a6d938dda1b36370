import express, { type RequestHandler, type Router } from 'express';
import type { Logger } from '../logging/index';
import { apiDocsRoutes } from './api-docs';
import { errorHandler, notFoundHandler } from './error-handler';
import { jsonBody } from './json-body';
import type { Metrics } from './metrics';
import { readinessHandler, type ReadinessChecks } from './readiness';
import { requestContext } from './request-context';
import { securityHeaders } from './security-headers';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  routers: Router[];
  /** What serving requests needs: one failing answers 503, so traffic goes elsewhere. */
  readiness: ReadinessChecks;
  /**
   * What only part of the service needs: one failing still answers 200, with
   * status `degraded` and the reason. Taking the instance out of traffic
   * would not mend it and would stop what still works (a stalled read model
   * must not stop logins).
   */
  degradation?: ReadinessChecks;
  openapi: () => unknown;
  bodyLimit?: string;
  /**
   * `/metrics` behind this check (`metricsGuard`, from METRICS_ACCESS), or `'own-listener'`
   * when METRICS_PORT serves it and this port must not. Unset: open, for tests of the shell.
   */
  metricsAccess?: RequestHandler | 'own-listener';
  /** Express `trust proxy`: set when behind a load balancer so client ips are real. */
  trustProxy?: boolean | number | string;
}

/** The HTTP shell every service shares: request ids, logs, metrics, health, the API's document and page, problem+json errors. */
export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  app.use(requestContext(options.logger));
  app.use(options.metrics.middleware);
  app.use(securityHeaders());
  app.use((_req, res, next) => {
    // Responses carry tokens and personal data: no cache may keep them.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(jsonBody(options.bodyLimit));

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/health/ready',
    readinessHandler({ required: options.readiness, degradation: options.degradation ?? {}, logger: options.logger }),
  );
  const { metricsAccess } = options;
  if (metricsAccess !== 'own-listener') {
    app.get('/metrics', metricsAccess ?? ((_req, _res, next) => next()), options.metrics.handler);
  }
  app.get('/openapi.json', (_req, res) => {
    res.json(options.openapi());
  });
  app.use(apiDocsRoutes());
  for (const router of options.routers) app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler());
  return app;
}
