import { createHash } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { secretEquals } from '../crypto/secrets';
import type { Logger } from '../logging/index';
import { bearerToken } from './bearer';
import { errorHandler, notFoundHandler } from './error-handler';
import type { Metrics } from './metrics';
import { problems } from './problem-error';
import { requestContext } from './request-context';
import { serve, type Serving } from './serve';

/**
 * Who may read `/metrics`, which tells request counts per route, the projections' state and
 * the Node version. `operator` (the default) asks for `Authorization: Bearer $OPERATOR_TOKEN`;
 * `public` answers anyone who reaches the port, for a scraper on a private network or on
 * METRICS_PORT. With METRICS_PORT, `/metrics` leaves the API's port for a listener of its own.
 */
export const MetricsAccessEnv = {
  METRICS_ACCESS: z.enum(['public', 'operator']).default('operator'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The address of the metrics listener; HOST when unset. */
  METRICS_HOST: z.string().min(1).optional(),
};
export type MetricsAccessConfig = z.infer<z.ZodObject<typeof MetricsAccessEnv>>;

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/** The check in front of `/metrics`; the operator's token is compared in constant time, through digests of both sides. */
export function metricsGuard(access: MetricsAccessConfig['METRICS_ACCESS'], operatorToken: string | undefined): RequestHandler {
  if (access === 'public') return (_req, _res, next) => next();
  if (!operatorToken) throw new Error('METRICS_ACCESS=operator needs OPERATOR_TOKEN');
  const expected = digest(operatorToken);
  return (req, _res, next) => {
    if (!secretEquals(expected, digest(bearerToken(req)))) throw problems.invalidApiKey();
    next();
  };
}

/** The app of the metrics listener (METRICS_PORT): `/metrics` behind its guard, nothing else. */
export function metricsOnlyApp(metrics: Metrics, guard: RequestHandler, logger: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext(logger));
  app.get('/metrics', guard, metrics.handler);
  app.use(notFoundHandler);
  app.use(errorHandler());
  return app;
}

/**
 * Where a service puts `/metrics`: what its main app gets (`createHttpApp`'s `metricsAccess`),
 * and the app of a listener of its own when METRICS_PORT is set.
 */
export function metricsPlacement(config: MetricsAccessConfig, metrics: Metrics, operatorToken: string | undefined, logger: Logger) {
  const guard = metricsGuard(config.METRICS_ACCESS, operatorToken);
  if (config.METRICS_PORT === undefined) return { metricsAccess: guard, metricsApp: undefined };
  return { metricsAccess: 'own-listener' as const, metricsApp: metricsOnlyApp(metrics, guard, logger) };
}

/** Serves the metrics listener beside the API, without signal handlers of its own: the service's shutdown closes it. */
export async function serveMetricsListener(
  app: express.Express | undefined,
  config: MetricsAccessConfig & { HOST: string },
  logger: Logger,
): Promise<Serving | undefined> {
  if (!app || config.METRICS_PORT === undefined) return undefined;
  const host = config.METRICS_HOST ?? config.HOST;
  return serve(app, { port: config.METRICS_PORT, host, logger, signals: [], close: async () => {}, describe: { listener: 'metrics' } });
}
