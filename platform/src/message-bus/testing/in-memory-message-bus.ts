import type { BusMessage, MessageBus, TopicSettings, TopicState } from '../port';

export interface PublishedBatch {
  topic: string;
  messages: BusMessage[];
}

/**
 * A broker stand-in for tests of code that publishes: it records acknowledged
 * batches and can be told to refuse the next ones, as a broker outage would.
 */
export class InMemoryMessageBus implements MessageBus {
  readonly batches: PublishedBatch[] = [];
  readonly topics = new Map<string, TopicSettings>();
  private failures = 0;
  private failure: Error = new Error('broker unavailable');
  closed = false;

  /** The next `count` publishes reject with `error` and record nothing. */
  failNext(count: number, error = new Error('broker unavailable')): void {
    this.failures = count;
    this.failure = error;
  }

  /** Every acknowledged message of `topic`, in publish order. */
  messages(topic: string): BusMessage[] {
    return this.batches.filter((b) => b.topic === topic).flatMap((b) => b.messages);
  }

  async publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    await Promise.resolve();
    if (this.closed) throw new Error('message bus closed');
    if (this.failures > 0) {
      this.failures -= 1;
      throw this.failure;
    }
    this.batches.push({ topic, messages: [...messages] });
  }

  async ensureTopic(topic: string, settings: TopicSettings): Promise<TopicState> {
    const created = !this.topics.has(topic);
    if (created) this.topics.set(topic, settings);
    return { created, replicationFactor: this.topics.get(topic)!.replicationFactor };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('message bus closed');
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
