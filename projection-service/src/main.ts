import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createOperatorCheck } from '@otp/platform/auth';
import { loadConfig } from '@otp/platform/config';
import { openMongoDocumentStore } from '@otp/platform/document-store/mongo';
import { openSelectedEventStore } from '@otp/platform/event-store/selected';
import {
  connectionLimitsFrom,
  createHttpApp,
  createMetrics,
  metricsPlacement,
  runMain,
  serve,
  serveMetricsListener,
  problems,
} from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { createKafkaMessageBus } from '@otp/platform/message-bus/kafka';
import { ProjectionServiceEnv } from './config';
import { LeaseHolder } from './follower/index';
import { rebuildRoutes } from './http/index';
import { createLeaseTerm, type LeaseTerm } from './lease-term';
import { registerProjectionMetrics } from './runner/index';

/** No tenant API: the document only says so, for tooling that fetches it from every service. The operator's rebuild is in the main one. */
const NO_API = { openapi: '3.1.0', info: { title: 'otp-auth projection service', version: '1' }, paths: {} };

/** Every instance asks for it; the holder projects and relays, the others stand by. */
const PROJECTION_LEASE = 'projection-service';

/**
 * The projections and the Kafka relay (distributed mode). Run two or more instances: one holds
 * the lease and follows the log, the others take over within the lease's TTL when it dies.
 */
async function main(): Promise<void> {
  const config = loadConfig(ProjectionServiceEnv);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'projection-service' });

  const eventStore = openSelectedEventStore(config.eventStore, { writer: 'inline' });
  const documents = await openMongoDocumentStore({ url: config.MONGODB_URL, database: config.MONGODB_DB });
  const bus = createKafkaMessageBus({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const metrics = createMetrics();

  // The followers of one term of the lease, over the store fenced with its token.
  let active: LeaseTerm | undefined;
  const lease = new LeaseHolder({
    leases: documents,
    name: PROJECTION_LEASE,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    ttlMs: config.LEASE_TTL_MS,
    renewEveryMs: config.LEASE_RENEW_MS,
    logger,
    async start(token) {
      const term = createLeaseTerm({ eventStore, documents, bus, logger, config }, token);
      active = term;
      await term.start();
      return {
        async stop() {
          active = undefined;
          await term.stop();
        },
      };
    },
  });
  registerProjectionMetrics(metrics.registry, () => active?.projections.statuses() ?? []);

  const { metricsAccess, metricsApp } = metricsPlacement(config, metrics, config.OPERATOR_TOKEN, logger);
  // No HASH_KEY here: a key of the process's own serves the check, whose hashes only even out the lengths compared.
  const operatorToken = config.OPERATOR_TOKEN;
  const checkOperator = operatorToken
    ? createOperatorCheck(operatorToken, randomBytes(32))
    : () => {
        throw problems.unauthenticated('this projection-service has no OPERATOR_TOKEN: set it to allow rebuilds');
      };
  const app = createHttpApp({
    logger,
    metrics,
    metricsAccess,
    trustProxy: config.TRUST_PROXY,
    openapi: () => NO_API,
    readiness: {
      eventStore: () => eventStore.ping(),
      readModels: () => documents.ping(),
      broker: () => bus.ping(),
      // A standby is ready: it is what takes over, and has nothing to be behind on.
      projections: async () => active?.projections.assertRunning(),
      relay: async () => active?.relay.assertRunning(),
    },
    // The holder's projections rebuild; a standby answers 503 (projection-service/src/http/rebuild-routes.ts).
    routers: [rebuildRoutes({ rebuilder: () => active?.projections, checkOperator })],
  });

  lease.start();

  const metricsListener = await serveMetricsListener(metricsApp, config, logger);
  await serve(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    describe: { mode: 'distributed' },
    limits: connectionLimitsFrom(config),
    close: async () => {
      await metricsListener?.shutdown('the service stops');
      await lease.stop();
      await bus.close();
      await documents.close();
      await eventStore.close();
    },
  });
}

runMain('projection-service', main);
