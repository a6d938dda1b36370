import {
  applyWriteOp,
  touchedKey,
  type Checkpoint,
  type Doc,
  type DocumentStore,
  type TouchedDocuments,
  type WriteOp,
} from '@otp/platform/document-store';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import type { BackoffDelays } from '@otp/platform/retry';
import { LogFollower, type FollowerState, type FollowerUser, type Handled } from '../follower/index';
import { toProjectedEvent, UnprojectableEventError, type ProjectedEvent } from '../projected-event';
import type { DocumentView, Projector } from '../projectors/projector';

export interface ProjectionRunnerOptions {
  /** Its name names the checkpoint, its version is stored with it. One runner per projector at a time. */
  projector: Projector;
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
  /** Reads a stored event for the projector; projections of one log share one (`sharedEventParser`). Default `toProjectedEvent`. */
  parse?: (recorded: RecordedEvent) => ProjectedEvent;
}

export type ProjectionState = FollowerState;

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
   * Without a checkpoint of this projector's version on this log (a new projection, a changed
   * version, a restored or replaced event store), this projection's collections are cleared
   * and projected again from the first event; other projections are not touched.
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

/**
 * One read model following the log with its own checkpoint: a batch's write operations and its
 * checkpoint commit in one `applyBatch`, so a crash never double-counts or skips.
 */
class CheckpointedProjectionRunner implements ProjectionRunner, FollowerUser {
  readonly name: string;
  private readonly projector: Projector;
  private readonly documents: DocumentStore;
  private readonly logger: Logger;
  private readonly parse: (recorded: RecordedEvent) => ProjectedEvent;
  private readonly follower: LogFollower;

  constructor(options: ProjectionRunnerOptions) {
    this.projector = options.projector;
    this.name = options.projector.name;
    this.documents = options.documents;
    this.logger = options.logger;
    this.parse = options.parse ?? toProjectedEvent;
    this.follower = new LogFollower({
      name: this.name,
      version: options.projector.version,
      kind: 'projection',
      // Read models are derived data, so starting over is always safe, while refusing to start
      // would leave usage and audit stale until someone deletes a file by hand.
      startingOver: 'rebuilding the read models from the first event',
      eventStore: options.eventStore,
      documents: options.documents,
      logger: options.logger,
      user: this,
      maxBatchEvents: options.maxBatchEvents ?? 500,
      ...(options.retryDelay ? { retryDelay: options.retryDelay } : {}),
      ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.onChange ? { onChange: options.onChange } : {}),
    });
  }

  start(): Promise<void> {
    return this.follower.start();
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  async rebuild(): Promise<void> {
    await this.follower.stop();
    this.logger.info({ projection: this.name, collections: this.projector.collections }, 'projection rebuilding from the first event');
    await this.follower.startOver();
  }

  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    return this.follower.waitForPosition(position, timeoutMs);
  }

  status(): ProjectionStatus {
    const { events, retryInMs: _retryInMs, ...status } = this.follower.status();
    return { ...status, eventsProjected: events };
  }

  assertRunning(): void {
    const { state, error } = this.follower.status();
    if (state === 'failed') throw new Error(`projection ${this.name} failed: ${error?.message}`, { cause: error });
    if (state === 'stopped') throw new Error(`projection ${this.name} is not running`);
  }

  async prepare(fromFirstEvent: boolean): Promise<void> {
    // No checkpoint means nothing may be in the collections: a Mongo reset is
    // not atomic, and documents left by an interrupted one would be counted twice.
    if (fromFirstEvent) await this.documents.reset([...this.projector.collections], this.name);
    for (const { collection, fields } of this.projector.indexes) await this.documents.ensureIndex(collection, fields);
  }

  /** Projects the batch and commits its writes with its last position, in one transaction. */
  async handle(events: RecordedEvent[], checkpointAt: (event: RecordedEvent) => Checkpoint): Promise<Handled> {
    const parsed: ProjectedEvent[] = [];
    let failure: Error | undefined;
    for (const recorded of events) {
      try {
        parsed.push(this.parse(recorded));
      } catch (error) {
        failure = error instanceof UnprojectableEventError ? error : new UnprojectableEventError(recorded, error);
        break;
      }
    }
    const view = await this.batchView(parsed);
    const ops: WriteOp[] = [];
    let projected = 0;
    for (const event of parsed) {
      try {
        ops.push(...view.record(this.projector.project(event, view.read)));
      } catch (error) {
        failure = error instanceof UnprojectableEventError ? error : new UnprojectableEventError(events[projected]!, error);
        break;
      }
      projected += 1;
    }
    const through = projected > 0 ? events[projected - 1] : undefined;
    // The events before a bad one are committed, so the checkpoint points just before it.
    if (through) await this.documents.applyBatch(ops, checkpointAt(through));
    return failure ? { through, failure } : { through };
  }

  /**
   * What the projector reads while projecting a batch: the documents its `reads` name, fetched
   * once, with the batch's own writes applied as they are made. A projector that reads nothing
   * costs nothing here.
   */
  private async batchView(events: ProjectedEvent[]): Promise<{ read: DocumentView; record: (ops: WriteOp[]) => WriteOp[] }> {
    const { reads } = this.projector;
    if (!reads) return { read: () => undefined, record: (ops) => ops };
    const fetched = new Map<string, Doc | undefined>();
    for (const ref of events.flatMap(reads)) {
      const key = touchedKey(ref.collection, ref.id);
      if (!fetched.has(key)) fetched.set(key, await this.documents.get(ref.collection, ref.id));
    }
    const touched: TouchedDocuments = new Map();
    const stored = (collection: string, id: string) => fetched.get(touchedKey(collection, id));
    return {
      read: (collection, id) => {
        const key = touchedKey(collection, id);
        return touched.has(key) ? touched.get(key)!.doc : stored(collection, id);
      },
      record: (ops) => {
        for (const op of ops) applyWriteOp(op, touched, stored);
        return ops;
      },
    };
  }

  /**
   * An event the projector cannot read stops the projection until someone acts: going on would
   * skip it, and starting over would stop at it again.
   */
  isPermanent(error: Error): boolean {
    return error instanceof UnprojectableEventError;
  }
}
