import { setTimeout as sleep } from 'node:timers/promises';
import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import type { MessageBus } from '@otp/platform/message-bus';
import { Backoff, type BackoffDelays } from '@otp/platform/retry';
import { inBatches } from '../runner/in-batches';
import { resumePoint } from '../runner/resume-point';
import { RELAY_CHECKPOINT, RELAY_TOPIC, toRelayMessage } from './relayed-event';

export interface EventRelayOptions {
  /** `readAt` checks at start that the checkpoint belongs to this log. */
  eventStore: Pick<EventStore, 'subscribeToAll' | 'readAt'>;
  documents: Pick<DocumentStore, 'getCheckpoint' | 'applyBatch'>;
  bus: MessageBus;
  logger: Logger;
  topic?: string;
  /** One relay per name at a time: two would publish everything twice. */
  checkpointName?: string;
  /** Partitions the topic is created with when missing. Default 6. */
  partitions?: number;
  /** Copies of each partition when the topic is created. Default 3. */
  replicationFactor?: number;
  /** Most events per publish (and per checkpoint write). Default 200. */
  maxBatchEvents?: number;
  /** Backoff between attempts after a failure, doubling from `initialMs` up to `maxMs`. */
  retryDelay?: BackoffDelays;
  /** How long `stop` waits for a publish in flight before giving up on it. Default 5 s. */
  stopTimeoutMs?: number;
}

export type RelayState = 'stopped' | 'starting' | 'catching-up' | 'live' | 'retrying';

export interface RelayStatus {
  state: RelayState;
  /** Last position acknowledged by the broker and checkpointed. */
  position: bigint | undefined;
  eventsRelayed: number;
  lastError: Error | undefined;
}

export interface EventRelay {
  /** Starts relaying in the background; failures are retried, never thrown from here. */
  start(): void;
  /** Stops after the batch in hand (bounded by `stopTimeoutMs`). */
  stop(): Promise<void>;
  status(): RelayStatus;
  /** Throws unless following the log: for readiness checks. */
  assertRunning(): void;
}

export function createEventRelay(options: EventRelayOptions): EventRelay {
  return new CheckpointedEventRelay(options);
}

/**
 * Publishes every stored event, in commit order, to the bus.
 *
 * At least once: a batch's checkpoint is written only after the broker has
 * acknowledged the whole batch, so a crash or a failed publish resends from
 * the last checkpoint and never skips; the price is that consumers may see an
 * event again (they dedupe on `event-id`). Exactly once would need the
 * checkpoint inside a Kafka transaction, which the document store cannot join.
 *
 * A failure (broker, event store or document store away) is logged and the
 * relay resumes from its checkpoint with backoff, so an outage delays
 * delivery but needs no restart; readiness reports it meanwhile.
 */
class CheckpointedEventRelay implements EventRelay {
  private readonly topic: string;
  private readonly name: string;
  private readonly partitions: number;
  private readonly replicationFactor: number;
  private readonly maxBatchEvents: number;
  private readonly retryDelay: BackoffDelays;
  private readonly stopTimeoutMs: number;
  private readonly logger: Logger;

  private state: RelayState = 'stopped';
  private committed: bigint | undefined;
  private checkpointRead = false;
  private topicEnsured = false;
  private eventsRelayed = 0;
  private lastError: Error | undefined;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: EventRelayOptions) {
    this.topic = options.topic ?? RELAY_TOPIC;
    this.name = options.checkpointName ?? RELAY_CHECKPOINT;
    this.partitions = options.partitions ?? 6;
    this.replicationFactor = options.replicationFactor ?? 3;
    this.maxBatchEvents = options.maxBatchEvents ?? 200;
    this.retryDelay = options.retryDelay ?? { initialMs: 1_000, maxMs: 30_000 };
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    this.logger = options.logger.child({ component: 'relay', relay: this.name, topic: this.topic });
  }

  start(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.state = 'starting';
    this.loop = this.run(abort.signal).finally(() => {
      this.state = 'stopped';
    });
  }

  async stop(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    this.abort?.abort();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(resolve, this.stopTimeoutMs, 'timeout');
    });
    const outcome = await Promise.race([loop, gaveUp]);
    clearTimeout(timer);
    // Its checkpoint write will fail on a closed store; the events are resent on the next start.
    if (outcome === 'timeout') this.logger.warn({ timeoutMs: this.stopTimeoutMs }, 'relay stop did not wait for the publish in flight');
    this.loop = undefined;
    this.abort = undefined;
    this.state = 'stopped';
  }

  status(): RelayStatus {
    return { state: this.state, position: this.committed, eventsRelayed: this.eventsRelayed, lastError: this.lastError };
  }

  assertRunning(): void {
    if (this.state === 'catching-up' || this.state === 'live') return;
    const cause = this.lastError ? `: ${this.lastError.message}` : '';
    throw new Error(`relay ${this.name} is ${this.state}${cause}`, { cause: this.lastError });
  }

  private async run(signal: AbortSignal): Promise<void> {
    const retries = new Backoff(this.retryDelay);
    while (!signal.aborted) {
      try {
        await this.prepare();
        this.logger.info({ from: this.committed?.toString() ?? 'the first event' }, 'relay following the event store');
        // Only a committed batch proves the way through works again; reaching the live end alone does not.
        await this.follow(signal, () => retries.reset());
        if (signal.aborted) return;
        throw new Error('the event store subscription ended');
      } catch (error) {
        if (signal.aborted) return;
        const delayMs = retries.next();
        this.lastError = error instanceof Error ? error : new Error(String(error));
        this.state = 'retrying';
        // A broker that lost its data (a recreated dev container) has lost the topic too; creating it is idempotent.
        this.topicEnsured = false;
        this.logger.error(
          { err: this.lastError, failures: retries.consecutiveFailures, retryInMs: delayMs, position: this.committed?.toString() },
          'relay failed; resuming from its checkpoint',
        );
        await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Each step once, but retried with the rest until it has succeeded. */
  private async prepare(): Promise<void> {
    if (!this.checkpointRead) {
      // Consumers drop what they have seen by event id (at-least-once), so publishing a
      // replaced log from its start repeats only what both histories share.
      this.committed = await resumePoint({
        name: this.name,
        documents: this.options.documents,
        eventStore: this.options.eventStore,
        logger: this.options.logger,
        startingOver: 'publishing again from the first event',
      });
      this.checkpointRead = true;
    }
    if (!this.topicEnsured) {
      const topic = await this.options.bus.ensureTopic(this.topic, { partitions: this.partitions, replicationFactor: this.replicationFactor });
      this.topicEnsured = true;
      if (topic.replicationFactor < this.replicationFactor) {
        // An existing topic is never altered (a reassignment is the operator's call), but it is said.
        this.options.logger.warn(
          { topic: this.topic, replicationFactor: topic.replicationFactor, wanted: this.replicationFactor },
          'relay topic has fewer copies than configured: a published event may be lost with one broker',
        );
      }
    }
  }

  private async follow(signal: AbortSignal, onProgress: () => void): Promise<void> {
    this.state = 'catching-up';
    const events = this.options.eventStore.subscribeToAll({ after: this.committed, signal });
    for await (const batch of inBatches(events, this.maxBatchEvents)) {
      // At-least-once subscriptions may redeliver; what is checkpointed was acknowledged already.
      const fresh = batch.items.filter((event) => this.committed === undefined || event.position > this.committed);
      const last = fresh.at(-1);
      if (last) {
        await this.options.bus.publish(this.topic, fresh.map(toRelayMessage));
        await this.options.documents.applyBatch([], { name: this.name, position: last.position, hash: last.metadata.hash });
        this.committed = last.position;
        this.eventsRelayed += fresh.length;
        this.lastError = undefined;
        onProgress();
      }
      if (signal.aborted) return;
      if (batch.drained && this.state !== 'live') {
        this.state = 'live';
        this.lastError = undefined;
      } else if (!batch.drained) this.state = 'catching-up';
    }
  }
}
