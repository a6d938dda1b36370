/**
 * The message bus port: publishing only. Adapters: `./kafka`. Consumers (the
 * webhook dispatcher) get their own port when they exist, so a publisher never
 * carries consumer-group machinery it does not use.
 */

export interface BusMessage {
  /** Messages with the same key keep their order (Kafka: same partition). */
  key: string;
  value: Buffer | string;
  headers?: Record<string, string>;
}

export interface TopicSettings {
  /** Fixes how far per-key consumption can spread; only used when the topic is created. */
  partitions: number;
  /**
   * Copies of each partition; only used when the topic is created. An acknowledged publish
   * survives the loss of a broker with three or more: the Kafka adapter then also requires two
   * in-sync copies per acknowledgement (with two copies the leader alone may acknowledge).
   */
  replicationFactor: number;
}

/** The topic as the broker has it, created now or found. */
export interface TopicState {
  created: boolean;
  /** The smallest replica count among its partitions. */
  replicationFactor: number;
}

export interface MessageBus {
  /**
   * Resolves once the broker has acknowledged every message of the batch on
   * all in-sync replicas; rejects otherwise, in which case any subset may have
   * been written, so callers that resend must accept duplicates.
   */
  publish(topic: string, messages: readonly BusMessage[]): Promise<void>;
  /** Creates the topic when it does not exist; an existing topic is left as it is. */
  ensureTopic(topic: string, settings: TopicSettings): Promise<TopicState>;
  /** Throws when the broker does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
