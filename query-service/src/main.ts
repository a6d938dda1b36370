import { openApiDocument } from '@otp/contracts';
import { createApiKeyAuthenticator, createOperatorCheck, createRequestGuard } from '@otp/platform/auth';
import { loadConfig } from '@otp/platform/config';
import { openMongoDocumentStore } from '@otp/platform/document-store/mongo';
import { StreamStateCache } from '@otp/platform/event-store';
import { openSelectedEventStore } from '@otp/platform/event-store/selected';
import { connectionLimitsFrom, createHttpApp, createMetrics, runMain, serve } from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { createCheckpointWaiter } from './checkpoint-waiter';
import { QueryServiceEnv } from './config';
import { queryRoutes } from './http/query-routes';

/** The read side alone (distributed mode): stateless, scale it out behind the load balancer. */
async function main(): Promise<void> {
  const config = loadConfig(QueryServiceEnv);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'query-service' });

  const eventStore = openSelectedEventStore(config.eventStore, { writer: 'inline' });
  const documents = await openMongoDocumentStore({ url: config.MONGODB_URL, database: config.MONGODB_DB });
  const waitForPosition = createCheckpointWaiter(documents, { intervalMs: config.CHECKPOINT_POLL_MS });

  const metrics = createMetrics();
  const states = new StreamStateCache();
  // The query side appends nothing: its refusals by a rate limit are counted in /metrics, not recorded as events.
  const guard = createRequestGuard({
    authenticate: createApiKeyAuthenticator({ eventStore, states, hashKey: config.HASH_KEY }),
    checkOperator: createOperatorCheck(config.OPERATOR_TOKEN, config.HASH_KEY),
    eventStore,
    states,
    hashKey: config.HASH_KEY,
    registry: metrics.registry,
  });
  const app = createHttpApp({
    logger,
    metrics,
    trustProxy: config.TRUST_PROXY,
    openapi: () => openApiDocument(),
    readiness: {
      eventStore: () => eventStore.ping(),
      readModels: () => documents.ping(),
    },
    routers: [
      queryRoutes({
        documents,
        guard,
        waitForPosition,
      }),
    ],
  });

  await serve(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    describe: { mode: 'distributed' },
    limits: connectionLimitsFrom(config),
    close: async () => {
      await documents.close();
      await eventStore.close();
    },
  });
}

runMain('query-service', main);
