import type { Checkpoint, DocumentStore } from '@otp/platform/document-store';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import type { MessageBus } from '@otp/platform/message-bus';
import type { BackoffDelays } from '@otp/platform/retry';
import { LogFollower, type FollowerUser, type Handled } from '../follower/index';
import { RELAY_CHECKPOINT, RELAY_TOPIC, RELAY_VERSION, toRelayMessage } from './relayed-event';

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
  /** Events relayed since the last start. */
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
 * relay resumes from its checkpoint with backoff (the follower's), so an
 * outage delays delivery but needs no restart; readiness reports it meanwhile.
 */
class CheckpointedEventRelay implements EventRelay, FollowerUser {
  private readonly topic: string;
  private readonly name: string;
  private readonly partitions: number;
  private readonly replicationFactor: number;
  private readonly logger: Logger;
  private readonly follower: LogFollower;

  constructor(private readonly options: EventRelayOptions) {
    this.topic = options.topic ?? RELAY_TOPIC;
    this.name = options.checkpointName ?? RELAY_CHECKPOINT;
    this.partitions = options.partitions ?? 6;
    this.replicationFactor = options.replicationFactor ?? 3;
    this.logger = options.logger.child({ component: 'relay', relay: this.name, topic: this.topic });
    this.follower = new LogFollower({
      name: this.name,
      version: RELAY_VERSION,
      kind: 'relay',
      // Consumers drop what they have seen by event id (at-least-once), so publishing a
      // replaced log from its start repeats only what both histories share.
      startingOver: 'publishing again from the first event',
      eventStore: options.eventStore,
      documents: options.documents,
      logger: this.logger,
      user: this,
      maxBatchEvents: options.maxBatchEvents ?? 200,
      retryDelay: options.retryDelay ?? { initialMs: 1_000, maxMs: 30_000 },
      stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
    });
  }

  start(): void {
    // Failures are logged and retried by the follower; the status says so meanwhile.
    this.follower.start().catch(() => undefined);
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  status(): RelayStatus {
    const { state, position, events, error, retryInMs } = this.follower.status();
    return {
      state: state === 'failed' && retryInMs !== undefined ? 'retrying' : state === 'failed' ? 'stopped' : state,
      position,
      eventsRelayed: events,
      lastError: error,
    };
  }

  assertRunning(): void {
    const { state, lastError } = this.status();
    if (state === 'catching-up' || state === 'live') return;
    const cause = lastError ? `: ${lastError.message}` : '';
    throw new Error(`relay ${this.name} is ${state}${cause}`, { cause: lastError });
  }

  /** At every start, so a broker that lost its data (a recreated dev container) gets the topic back; creating it is idempotent. */
  async prepare(): Promise<void> {
    const topic = await this.options.bus.ensureTopic(this.topic, {
      partitions: this.partitions,
      replicationFactor: this.replicationFactor,
    });
    if (topic.replicationFactor < this.replicationFactor) {
      // An existing topic is never altered (a reassignment is the operator's call), but it is said.
      this.options.logger.warn(
        { topic: this.topic, replicationFactor: topic.replicationFactor, wanted: this.replicationFactor },
        'relay topic has fewer copies than configured: a published event may be lost with one broker',
      );
    }
  }

  async handle(events: RecordedEvent[], checkpointAt: (event: RecordedEvent) => Checkpoint): Promise<Handled> {
    const last = events.at(-1)!;
    await this.options.bus.publish(this.topic, events.map(toRelayMessage));
    await this.options.documents.applyBatch([], checkpointAt(last));
    return { through: last };
  }
}
