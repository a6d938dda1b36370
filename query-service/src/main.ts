import { openApiDocument } from '@otp/contracts';
import { composeRequestEdge } from '@otp/platform/auth';
import { loadConfig } from '@otp/platform/config';
import { openMongoDocumentStore } from '@otp/platform/document-store/mongo';
import { StreamStateCache } from '@otp/platform/event-store';
import { openSelectedEventStore } from '@otp/platform/event-store/selected';
import {
  connectionLimitsFrom,
  createHttpApp,
  createMetrics,
  metricsPlacement,
  runMain,
  serve,
  serveMetricsListener,
} from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { createCheckpointWaiter } from './checkpoint-waiter';
import { composeQuerySide } from './composition/compose-query-side';
import { QueryServiceEnv } from './config';

/** The read side alone (distributed mode): stateless, scale it out behind the load balancer. */
async function main(): Promise<void> {
  const config = loadConfig(QueryServiceEnv);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'query-service' });

  const eventStore = openSelectedEventStore(config.eventStore, { writer: 'inline' });
  const documents = await openMongoDocumentStore({ url: config.MONGODB_URL, database: config.MONGODB_DB });
  const waitForPosition = createCheckpointWaiter(documents, { intervalMs: config.CHECKPOINT_POLL_MS });
  // One cache for the key check and the CORS grants: both fold the tenant's config stream.
  const states = new StreamStateCache();

  const metrics = createMetrics();
  const { metricsAccess, metricsApp } = metricsPlacement(config, metrics, config.OPERATOR_TOKEN, logger);
  // The query side appends nothing: its refusals by a rate limit are counted in /metrics, not recorded as events.
  const edge = composeRequestEdge({
    eventStore,
    states,
    hashKey: config.HASH_KEY,
    operatorToken: config.OPERATOR_TOKEN,
    registry: metrics.registry,
  });
  const app = createHttpApp({
    logger,
    metrics,
    metricsAccess,
    trustProxy: config.TRUST_PROXY,
    openapi: () => openApiDocument(),
    readiness: {
      eventStore: () => eventStore.ping(),
      readModels: () => documents.ping(),
    },
    routers: [
      edge.cors,
      // The command service seals with the same HASH_KEY, so its tokens open here.
      composeQuerySide({
        documents,
        eventStore,
        guard: edge.guard,
        secrets: { hashKey: config.HASH_KEY, serviceKey: config.SERVICE_KEY },
        waitForPosition,
      }),
    ],
  });

  const metricsListener = await serveMetricsListener(metricsApp, config, logger);
  await serve(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    describe: { mode: 'distributed' },
    limits: connectionLimitsFrom(config),
    close: async () => {
      await metricsListener?.shutdown('the service stops');
      await documents.close();
      await eventStore.close();
    },
  });
}

runMain('query-service', main);
