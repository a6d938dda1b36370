import { loadConfig } from '@otp/platform/config';
import { openMongoDocumentStore } from '@otp/platform/document-store/mongo';
import { openSelectedEventStore } from '@otp/platform/event-store/selected';
import { createHttpApp, createMetrics, runMain, serve } from '@otp/platform/http';
import { createLogger } from '@otp/platform/logging';
import { createKafkaMessageBus } from '@otp/platform/message-bus/kafka';
import { ProjectionServiceEnv } from './config';
import { createReadModelProjections } from './read-model-projections';
import { registerProjectionMetrics } from './runner/index';
import { createEventRelay } from './relay/index';

/** No API of its own: the document only says so, for tooling that fetches it from every service. */
const NO_API = { openapi: '3.1.0', info: { title: 'otp-auth projection service', version: '1' }, paths: {} };

/**
 * The projections and the Kafka relay (distributed mode). Run exactly one
 * instance: each follower keeps its own checkpoint, and two instances would
 * project and publish everything twice.
 */
async function main(): Promise<void> {
  const config = loadConfig(ProjectionServiceEnv);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'projection-service' });

  const eventStore = openSelectedEventStore(config.eventStore, { writer: 'inline' });
  const documents = await openMongoDocumentStore({ url: config.MONGODB_URL, database: config.MONGODB_DB });
  const bus = createKafkaMessageBus({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const projections = createReadModelProjections({ eventStore, documents, logger });
  const metrics = createMetrics();
  registerProjectionMetrics(metrics.registry, () => projections.statuses());
  const relay = createEventRelay({
    eventStore,
    documents,
    bus,
    logger,
    topic: config.KAFKA_TOPIC,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
  });

  const app = createHttpApp({
    logger,
    metrics,
    trustProxy: config.TRUST_PROXY,
    openapi: () => NO_API,
    readiness: {
      eventStore: () => eventStore.ping(),
      readModels: () => documents.ping(),
      broker: () => bus.ping(),
      projections: async () => projections.assertRunning(),
      relay: async () => relay.assertRunning(),
    },
    routers: [],
  });

  await projections.start();
  // The relay retries on its own: a broker that is still starting delays delivery, not the read models.
  relay.start();

  await serve(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    describe: { mode: 'distributed' },
    close: async () => {
      await relay.stop();
      await projections.stop();
      await bus.close();
      await documents.close();
      await eventStore.close();
    },
  });
}

runMain('projection-service', main);
