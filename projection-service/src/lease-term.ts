import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import type { MessageBus } from '@otp/platform/message-bus';
import type { ProjectionServiceConfig } from './config';
import { fencedDocuments } from './follower/index';
import { createReadModelProjections, type ReadModelProjections } from './read-model-projections';
import { createEventRelay, type EventRelay } from './relay/index';
import { createReadModelRetention } from './retention/read-model-retention';

export interface LeaseTermDeps {
  eventStore: EventStore;
  documents: DocumentStore;
  bus: MessageBus;
  logger: Logger;
  config: Pick<
    ProjectionServiceConfig,
    | 'KAFKA_TOPIC'
    | 'KAFKA_TOPIC_PARTITIONS'
    | 'KAFKA_TOPIC_REPLICATION_FACTOR'
    | 'AUDIT_RETENTION_DAYS'
    | 'CHALLENGE_RETENTION_MARGIN_MINUTES'
  >;
}

export interface LeaseTerm {
  projections: ReadModelProjections;
  relay: EventRelay;
  /** Resolves once the projections follow the log; retention and relay go on from there on their own. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What a projection-service runs while it holds the lease (`token` its fencing token): the
 * projections, the read models' retention and the Kafka relay, all over the store fenced with it.
 */
export function createLeaseTerm(deps: LeaseTermDeps, token: number): LeaseTerm {
  const { eventStore, bus, logger, config } = deps;
  const documents = fencedDocuments(deps.documents, token);
  const projections = createReadModelProjections({ eventStore, documents, logger });
  const relay = createEventRelay({
    eventStore,
    documents,
    bus,
    logger,
    topic: config.KAFKA_TOPIC,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR,
  });
  // The holder alone prunes, through the fenced store like its batches.
  const retention = createReadModelRetention({
    documents,
    eventStore,
    logger,
    auditRetentionDays: config.AUDIT_RETENTION_DAYS,
    challengeMarginMinutes: config.CHALLENGE_RETENTION_MARGIN_MINUTES,
  });
  return {
    projections,
    relay,
    async start() {
      await projections.start();
      retention.start();
      // The relay retries on its own: a broker that is still starting delays delivery, not the read models.
      relay.start();
    },
    async stop() {
      await retention.stop();
      await relay.stop();
      await projections.stop();
    },
  };
}
