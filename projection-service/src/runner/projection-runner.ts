import type { DocumentStore, WriteOp } from '@otp/platform/document-store';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import { Backoff, type BackoffDelays } from '@otp/platform/retry';
import { toProjectedEvent, UnprojectableEventError, type ProjectedEvent } from '../projected-event';
import type { Projector } from '../projectors/projector';
import { inBatches } from './in-batches';
import { PositionWaiters } from './position-waiters';
import { resumePoint } from './resume-point';

export interface ProjectionRunnerOptions {
  /** Names the checkpoint. One runner per name at a time: two would both apply the same events. */
  name: string;
  projectors: readonly Projector[];
  /** `readAt` checks at start that the checkpoint belongs to this log. */
  eventStore: Pick<EventStore, 'subscribeToAll' | 'readAt'>;
  documents: DocumentStore;
  logger: Logger;
  /** Most events committed in one transaction. Default 500. */
  maxBatchEvents?: number;
  /** How often progress is logged while catching up. Default 5 s. */
  progressIntervalMs?: number;
  now?: () => number;
  /** Called after every commit and state change, e.g. to report status from a worker thread. */
  onChange?: () => void;
  /** Delays before resuming after a failure that is not about an event: doubling from `initialMs` to `maxMs`. Default 1 s to 30 s. */
  retryDelay?: BackoffDelays;
}

export type ProjectionState = 'stopped' | 'starting' | 'catching-up' | 'live' | 'failed';

export interface ProjectionStatus {
  name: string;
  state: ProjectionState;
  /** Last position committed together with the read models; undefined before the first commit. */
  position: bigint | undefined;
  /** occurredAt of the last committed event. */
  lastEventAt: string | undefined;
  /** 0 when live; while catching up, the age of the last committed event; undefined when unknown. */
  lagMs: number | undefined;
  /** Events committed since the last start. */
  eventsProjected: number;
  error: Error | undefined;
}

export interface ProjectionRunner {
  readonly name: string;
  /**
   * Reads the checkpoint, declares indexes and starts following the log; resolves once following.
   * A checkpoint whose event the log does not hold (a restored or replaced event store) is
   * dropped with the read models, which are then rebuilt from the first event.
   */
  start(): Promise<void>;
  /** Stops following after the batch in hand is committed. */
  stop(): Promise<void>;
  /** Drops the read models and the checkpoint and projects again from the first event. */
  rebuild(): Promise<void>;
  /** True once `position` is committed, false after `timeoutMs`; rejects when the projection has failed. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean>;
  status(): ProjectionStatus;
  /** Throws unless started and not failed: for readiness checks. */
  assertRunning(): void;
}

export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  return new CheckpointedProjectionRunner(options);
}

class CheckpointedProjectionRunner implements ProjectionRunner {
  readonly name: string;
  private readonly projectors: readonly Projector[];
  private readonly collections: string[];
  private readonly eventStore: Pick<EventStore, 'subscribeToAll' | 'readAt'>;
  private readonly documents: DocumentStore;
  private readonly logger: Logger;
  private readonly maxBatchEvents: number;
  private readonly progressIntervalMs: number;
  private readonly now: () => number;
  private readonly waiters = new PositionWaiters();
  private readonly onChange: () => void;

  private state: ProjectionState = 'stopped';
  private error: Error | undefined;
  private committed: bigint | undefined;
  /** Highest position taken into a batch; guards against a redelivered event inside one batch too. */
  private seen: bigint | undefined;
  private lastEventAt: string | undefined;
  private eventsProjected = 0;
  private catchUpStartedAt = 0;
  private lastProgressLogAt = 0;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  /** Between start() and stop(): a failure that is not about an event is then retried. */
  private wanted = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Reset by a committed batch: only a commit proves the way through works again. */
  private readonly retries: Backoff;

  constructor(options: ProjectionRunnerOptions) {
    this.name = options.name;
    this.projectors = options.projectors;
    this.collections = options.projectors.flatMap((projector) => projector.collections);
    if (new Set(this.collections).size !== this.collections.length) {
      // A rebuild of one projector would otherwise wipe another's documents.
      throw new Error(`projection ${options.name}: two projectors write the same collection`);
    }
    this.eventStore = options.eventStore;
    this.documents = options.documents;
    this.logger = options.logger;
    this.maxBatchEvents = options.maxBatchEvents ?? 500;
    this.progressIntervalMs = options.progressIntervalMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.onChange = options.onChange ?? (() => undefined);
    this.retries = new Backoff(options.retryDelay ?? { initialMs: 1_000, maxMs: 30_000 });
  }

  start(): Promise<void> {
    this.wanted = true;
    this.starting ??= this.begin().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async begin(): Promise<void> {
    if (this.loop) {
      if (this.state === 'catching-up' || this.state === 'live') return;
      // Restarting after a failure or an ended subscription: resume from the checkpoint.
      await this.halt();
    }
    this.state = 'starting';
    this.error = undefined;
    let checkpoint: bigint | undefined;
    try {
      // Read models are derived data, so starting over is always safe, while refusing to start
      // would leave usage and audit stale until someone deletes a file by hand.
      checkpoint = await resumePoint({
        name: this.name,
        documents: this.documents,
        eventStore: this.eventStore,
        logger: this.logger,
        startingOver: 'rebuilding the read models from the first event',
      });
      // No checkpoint means nothing may be in the collections: a Mongo reset is
      // not atomic, and documents left by an interrupted one would be counted twice.
      if (checkpoint === undefined) {
        await this.documents.reset(this.collections, this.name);
        this.lastEventAt = undefined;
      }
      for (const projector of this.projectors) {
        for (const { collection, fields } of projector.indexes) await this.documents.ensureIndex(collection, fields);
      }
    } catch (error) {
      this.fail(error);
      throw error;
    }
    this.committed = checkpoint;
    this.seen = checkpoint;
    this.eventsProjected = 0;
    this.catchUpStartedAt = this.now();
    this.lastProgressLogAt = this.catchUpStartedAt;
    this.logger.info({ projection: this.name, from: checkpoint?.toString() ?? 'the first event' }, 'projection starting');

    const abort = new AbortController();
    this.abort = abort;
    this.state = 'catching-up';
    this.onChange();
    this.loop = this.follow(checkpoint, abort.signal).then(
      () => {
        if (abort.signal.aborted) this.state = 'stopped';
        else this.fail(new Error('the event store subscription ended'));
      },
      (error: unknown) => {
        // Releases the subscription's pending read instead of leaving it parked until the next event.
        abort.abort();
        this.fail(error);
      },
    );
  }

  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.starting?.catch(() => undefined);
    await this.halt();
  }

  private async halt(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.abort = undefined;
    this.loop = undefined;
    if (this.state !== 'failed') this.state = 'stopped';
    this.onChange();
  }

  async rebuild(): Promise<void> {
    await this.stop();
    this.logger.info({ projection: this.name, collections: this.collections }, 'projection rebuilding from the first event');
    await this.documents.reset(this.collections, this.name);
    this.committed = undefined;
    this.seen = undefined;
    this.lastEventAt = undefined;
    await this.start();
  }

  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.committed !== undefined && this.committed >= position) return Promise.resolve(true);
    if (this.state === 'failed' && this.error) return Promise.reject(this.error);
    return this.waiters.wait(position, timeoutMs);
  }

  status(): ProjectionStatus {
    const lagMs =
      this.state === 'live' ? 0 : this.lastEventAt === undefined ? undefined : Math.max(0, this.now() - Date.parse(this.lastEventAt));
    return {
      name: this.name,
      state: this.state,
      position: this.committed,
      lastEventAt: this.lastEventAt,
      lagMs,
      eventsProjected: this.eventsProjected,
      error: this.error,
    };
  }

  assertRunning(): void {
    if (this.state === 'failed') throw new Error(`projection ${this.name} failed: ${this.error?.message}`, { cause: this.error });
    if (this.state === 'stopped') throw new Error(`projection ${this.name} is not running`);
  }

  private async follow(after: bigint | undefined, signal: AbortSignal): Promise<void> {
    const events = this.eventStore.subscribeToAll({ after, signal });
    for await (const batch of inBatches(events, this.maxBatchEvents)) {
      if (batch.items.length > 0) await this.commit(batch.items);
      if (signal.aborted) return;
      this.track(batch.drained);
    }
  }

  /** Projects the batch and commits its writes with its last position, in one transaction. */
  private async commit(events: RecordedEvent[]): Promise<void> {
    const ops: WriteOp[] = [];
    let last: ProjectedEvent | undefined;
    let count = 0;
    let failure: Error | undefined;
    for (const recorded of events) {
      // At-least-once delivery: what is at or below the checkpoint is already in the read models.
      if (this.seen !== undefined && recorded.position <= this.seen) continue;
      try {
        const event = toProjectedEvent(recorded);
        ops.push(...this.projectors.flatMap((projector) => projector.project(event)));
        last = event;
      } catch (error) {
        failure = error instanceof UnprojectableEventError ? error : new UnprojectableEventError(recorded, error);
        break;
      }
      this.seen = recorded.position;
      count += 1;
    }
    // The events before a bad one are committed, so the checkpoint points just before it.
    if (last) {
      await this.documents.applyBatch(ops, { name: this.name, position: last.position, hash: last.metadata.hash });
      this.retries.reset();
      this.committed = last.position;
      this.lastEventAt = last.metadata.occurredAt;
      this.eventsProjected += count;
      this.waiters.reached(last.position);
      this.onChange();
    }
    if (failure) throw failure;
  }

  private track(drained: boolean): void {
    const now = this.now();
    if (drained) {
      if (this.state === 'catching-up' && this.eventsProjected > 0) {
        this.logger.info(
          { projection: this.name, position: this.committed?.toString(), events: this.eventsProjected, ms: now - this.catchUpStartedAt },
          'projection caught up',
        );
      }
      if (this.state !== 'live') {
        this.state = 'live';
        this.onChange();
      }
      return;
    }
    if (this.state === 'live') {
      this.state = 'catching-up';
      this.catchUpStartedAt = now;
      this.lastProgressLogAt = now;
    }
    if (now - this.lastProgressLogAt >= this.progressIntervalMs) {
      this.lastProgressLogAt = now;
      const seconds = Math.max(1, now - this.catchUpStartedAt) / 1000;
      this.logger.info(
        {
          projection: this.name,
          position: this.committed?.toString(),
          events: this.eventsProjected,
          eventsPerSecond: Math.round(this.eventsProjected / seconds),
          lagMs: this.status().lagMs,
        },
        'projection catching up',
      );
    }
  }

  /**
   * An event the projectors cannot read stops the projection until someone acts: going on would
   * skip it, and starting over would stop at it again. Anything else (the event store failing
   * over, a full disk, a lost connection) is not about the log, so the projection resumes from
   * its checkpoint after a delay that doubles while the failures go on.
   */
  private fail(cause: unknown): void {
    const error = cause instanceof Error ? cause : new Error(String(cause));
    this.state = 'failed';
    this.error = error;
    const retryInMs = error instanceof UnprojectableEventError ? undefined : this.scheduleRetry();
    const fields = { err: error, projection: this.name, position: this.committed?.toString() };
    if (retryInMs === undefined) this.logger.error(fields, 'projection stopped');
    else this.logger.error({ ...fields, retryInMs }, 'projection failed; resuming from its checkpoint');
    this.waiters.failAll(error);
    this.onChange();
  }

  private scheduleRetry(): number | undefined {
    if (!this.wanted || this.retryTimer) return undefined;
    const delay = this.retries.next();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.wanted) this.start().catch(() => undefined);
    }, delay);
    // A pending retry must not keep an otherwise finished process alive.
    this.retryTimer.unref();
    return delay;
  }
}
