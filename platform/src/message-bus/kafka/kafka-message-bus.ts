import { Kafka, Partitioners, type Admin, type Producer } from 'kafkajs';
import type { Logger } from '../../logging/index';
import type { BusMessage, MessageBus, TopicSettings, TopicState } from '../port';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-log';
import { toKafkaMessages } from './kafka-messages';

export interface KafkaMessageBusOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /**
   * Attempts kafkajs makes per publish before it rejects. kafkajs' default for
   * an idempotent producer is unbounded, which would park the caller for as
   * long as the broker is away: bounded, the failure reaches the caller, which
   * resends from its own checkpoint. Default 8 (about a minute of backoff).
   */
  retries?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** All in-sync replicas: the only acks value an idempotent producer accepts. */
const ACKS_ALL = -1;

export function createKafkaMessageBus(options: KafkaMessageBusOptions): MessageBus {
  return new KafkaMessageBus(options);
}

/**
 * Kafka through kafkajs. The producer is idempotent (the broker drops a
 * resend of a batch it already has within one producer session) with one
 * request in flight, so retries cannot reorder messages of a partition.
 * Clients connect on first use and are replaced after a failure, so a broker
 * restart costs one rejected publish, not the process.
 */
class KafkaMessageBus implements MessageBus {
  private readonly kafka: Kafka;
  private readonly retries: number;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private closed = false;

  constructor(options: KafkaMessageBusOptions) {
    this.retries = options.retries ?? 8;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      logLevel: kafkaLogLevel(options.logger),
      logCreator: kafkaLogCreator(options.logger),
    });
  }

  async publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const kafkaMessages = toKafkaMessages(messages);
    const producer = await this.connectedProducer();
    try {
      await producer.send({ topic, messages: kafkaMessages, acks: ACKS_ALL });
    } catch (error) {
      this.dropProducer(producer);
      throw error;
    }
  }

  async ensureTopic(topic: string, settings: TopicSettings): Promise<TopicState> {
    const admin = await this.connectedAdmin();
    const { replicationFactor } = settings;
    // Asked for, not left to the broker's default.replication.factor, which is 1 out of the box:
    // a three-broker cluster would silently keep one copy. With three copies, acks=all must
    // reach two of them (min.insync.replicas is 1 by default, the leader alone).
    const configEntries = replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }] : [];
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: settings.partitions, replicationFactor, configEntries }],
      waitForLeaders: true,
    });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const replicas = topics[0]?.partitions.map((partition) => partition.replicas.length) ?? [];
    return { created, replicationFactor: replicas.length > 0 ? Math.min(...replicas) : 0 };
  }

  async ping(): Promise<void> {
    const admin = await this.connectedAdmin();
    try {
      await admin.describeCluster();
    } catch (error) {
      this.dropAdmin(admin);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const connecting = [this.producer, this.admin];
    this.producer = undefined;
    this.admin = undefined;
    // A client that never connected has nothing to disconnect.
    await Promise.all(
      connecting.map(
        (client) =>
          client?.then(
            (c) => c.disconnect(),
            () => undefined,
          ) ?? Promise.resolve(),
      ),
    );
  }

  private connectedProducer(): Promise<Producer> {
    if (this.closed) return Promise.reject(new Error('message bus closed'));
    this.producer ??= connect(
      this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: this.retries },
        // Murmur2, as the Java client: a key lands on the same partition whoever produces it.
        createPartitioner: Partitioners.DefaultPartitioner,
        // Topics are created on purpose (ensureTopic) with a chosen partition count, never by a typo.
        allowAutoTopicCreation: false,
      }),
      () => {
        this.producer = undefined;
      },
    );
    return this.producer;
  }

  private connectedAdmin(): Promise<Admin> {
    if (this.closed) return Promise.reject(new Error('message bus closed'));
    this.admin ??= connect(this.kafka.admin(), () => {
      this.admin = undefined;
    });
    return this.admin;
  }

  private dropProducer(producer: Producer): void {
    void this.producer?.then((current) => {
      if (current !== producer) return;
      this.producer = undefined;
      producer.disconnect().catch(() => undefined);
    });
  }

  private dropAdmin(admin: Admin): void {
    void this.admin?.then((current) => {
      if (current !== admin) return;
      this.admin = undefined;
      admin.disconnect().catch(() => undefined);
    });
  }
}

async function connect<C extends { connect(): Promise<void> }>(client: C, onFailure: () => void): Promise<C> {
  try {
    await client.connect();
    return client;
  } catch (error) {
    onFailure();
    throw error;
  }
}
